"""A draw opens its seats' orders in one batch, and they are what one at a time would make."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import bangyaer_training._orders as training_orders
import pytest
from bangyaer.identity import AuditEntry
from bangyaer.jobs import Job
from bangyaer.payments import EXPIRE_JOB, Order, create_order
from bangyaer_training import _lottery
from bangyaer_training.models import Enrollment, Mode, Move, Term
from sqlalchemy import select, update

DRAWN_AT = dt.datetime(2027, 2, 20, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
async def platform(paying_platform):
    return paying_platform


async def _frozen_term(platform, client_for, make_term, make_class) -> int:
    term = await make_term(name="2027 春季")
    calligraphy = await make_class(term, mode=Mode.lottery, capacity=2, fee_fen=98_000,
                                   name="书法班", weekday=6)
    painting = await make_class(term, mode=Mode.lottery, capacity=1, fee_fen=150_000,
                                name="国画班", weekday=7)
    for user, child, classes in (("parent", "child_1", (calligraphy, painting)),
                                 ("parent", "child_2", (calligraphy,)),
                                 ("parent_b", None, (calligraphy, painting))):
        family = await client_for(user, child=child)
        for klass in classes:
            response = await family.post(
                f"/api/v1/training/classes/{klass.id}/enrollments", json={})
            assert response.status_code == 201, response.text
    async with platform.db.transaction() as s:
        row = await s.get(Term, term.id)
        # 国画班's applications name no account: its seat's payer is found in the draw.
        await s.execute(update(Move).where(Move.enrollment_id.in_(
            select(Enrollment.id).where(Enrollment.class_id == painting.id)))
            .values(account_id=None))
        await _lottery.freeze(s, row, secret="test-secret", admission_limit=2,
                              sibling_priority=True)
    return term.id


async def _draw_and_look(platform, term_id: int) -> dict[str, object]:
    """Draw in a transaction that is rolled back, and describe what it wrote."""
    async with platform.db.session() as s:
        term = await s.get(Term, term_id)
        await _lottery.apply_draw(s, term, payment_hours=48)
        await s.flush()
        orders = {o.order_no: o for o in await s.scalars(select(Order))}
        ref = {no: o.purpose_ref for no, o in orders.items()}
        enrollments = list(await s.scalars(
            select(Enrollment).where(Enrollment.term_id == term_id).order_by(Enrollment.id)))
        jobs = list(await s.scalars(select(Job)))
        audits = list(await s.scalars(select(AuditEntry).where(
            AuditEntry.action == "payments.order_created")))
        moves = list(await s.scalars(select(Move).order_by(Move.id)))
        seen = {
            "orders": sorted((o.plugin, o.purpose_ref, o.title, o.amount_fen, o.status,
                              o.payer_account_id, o.subject_id, o.expires_at, o.refunded_fen)
                             for o in orders.values()),
            "enrollments": [(e.id, e.state, e.deadline_at, e.waitlist_position,
                             ref.get(e.order_no or "")) for e in enrollments],
            "expiry jobs": sorted(
                (ref[j.payload["order_no"]], j.idempotency_key
                 == f"payments:expire:{j.payload['order_no']}", j.run_at, j.max_attempts,
                 j.status) for j in jobs if j.kind == EXPIRE_JOB),
            "job kinds": Counter(j.kind for j in jobs),
            "audit": sorted((ref[a.target_id], a.account_id, a.target_type,
                             sorted(a.detail.items())) for a in audits),
            "moves": Counter((m.enrollment_id, m.from_state, m.to_state, m.reason,
                              m.account_id) for m in moves),
        }
        await s.rollback()
    return seen


async def test_a_draws_orders_are_what_one_at_a_time_would_make(
        platform, district, client_for, make_term, make_class, monkeypatch):
    term_id = await _frozen_term(platform, client_for, make_term, make_class)
    monkeypatch.setattr(_lottery, "utcnow", lambda: DRAWN_AT)

    in_bulk = await _draw_and_look(platform, term_id)

    async def one_at_a_time(session, items):
        return [await create_order(session, **vars(item)) for item in items]

    monkeypatch.setattr(training_orders, "create_orders", one_at_a_time)
    singly = await _draw_and_look(platform, term_id)

    assert in_bulk == singly
    assert len(in_bulk["orders"]) == 3  # two seats of 书法班, one of 国画班
    assert in_bulk["job kinds"][EXPIRE_JOB] == 3
    payers = {o[1]: o[5] for o in in_bulk["orders"]}
    assert None not in payers.values()  # the application without an account too
    seated = [e for e in in_bulk["enrollments"] if e[1] == "awaiting_payment"]
    assert len(seated) == 3
    assert all(e[2] == DRAWN_AT + dt.timedelta(hours=48) and e[4] is not None
               for e in seated)
