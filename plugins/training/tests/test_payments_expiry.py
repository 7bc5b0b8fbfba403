"""Unpaid seats with an order expire through the ledger, never under a paying family."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.db import utcnow
from bangyaer.notifications import Message
from bangyaer.payments import cancel_order
from bangyaer.testing import drain
from bangyaer_training._seats import expire_if_due, sweep_class
from bangyaer_training.models import Enrollment, Move, TrainingClass
from sqlalchemy import select


@pytest.fixture
async def platform(paying_platform):
    return paying_platform


async def _seat_and_queue(client_for, make_term, make_class):
    """child_b holds the only seat (unpaid); child_1 waits for it."""
    starts_on = utcnow().date() + dt.timedelta(days=60)
    klass = await make_class(await make_term(starts_on=starts_on), capacity=1, fee_fen=120_000)
    holder = await client_for("parent_b")
    waiting = await client_for("parent", child="child_1")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    seat = (await holder.post(url, json={})).json()["enrollment"]["id"]
    queued = (await waiting.post(url, json={"waitlist": True})).json()["enrollment"]["id"]
    return klass, seat, queued, holder


async def _state(platform, enrollment_id: int) -> str:
    async with platform.db.session() as s:
        return (await s.get(Enrollment, enrollment_id)).state


async def test_training_does_not_expire_a_seat_whose_order_is_still_open(
        platform, district, client_for, make_term, make_class, ledger):
    klass, seat, _, _ = await _seat_and_queue(client_for, make_term, make_class)
    past = utcnow() - dt.timedelta(seconds=1)
    async with platform.db.transaction() as s:
        (await s.get(Enrollment, seat)).deadline_at = past
        expired = await expire_if_due(s, seat)
        swept = await sweep_class(s, klass.id)

    assert (expired, swept) == (False, 0)
    assert await _state(platform, seat) == "awaiting_payment"
    assert (await ledger.order_of(seat)).status == "pending"


async def test_an_expired_order_releases_the_seat_to_the_waiting_list_with_a_new_order(
        platform, district, client_for, make_term, make_class, ledger):
    klass, seat, queued, _ = await _seat_and_queue(client_for, make_term, make_class)
    first = await ledger.order_of(seat)

    await ledger.reach_deadline(first.order_no)

    assert (await ledger.order_of(seat)).status == "expired"
    assert await _state(platform, seat) == "expired"
    assert await _state(platform, queued) == "awaiting_payment"
    promoted = await ledger.order_of(queued)
    assert promoted.order_no != first.order_no
    assert (promoted.status, promoted.amount_fen) == ("pending", 120_000)
    assert promoted.subject_id == district.ids["child_1"]
    async with platform.db.session() as s:
        assert (await s.get(TrainingClass, klass.id)).taken == 1
        reason = await s.scalar(select(Move.reason).where(
            Move.enrollment_id == seat).order_by(Move.id.desc()).limit(1))
        told = await s.scalar(select(Message).where(Message.topic == "promoted"))
    assert reason == "payment_expired"
    assert told.person_id == district.ids["parent"]


async def test_a_payment_made_at_the_deadline_keeps_the_seat(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat, queued, _ = await _seat_and_queue(client_for, make_term, make_class)
    order = await ledger.order_of(seat)
    await ledger.checkout(order.order_no)
    ledger.gateway.pay(order.order_no)  # paid, but the notification is lost

    await ledger.reach_deadline(order.order_no)

    assert (await ledger.order_of(seat)).status == "paid"
    assert await _state(platform, seat) == "confirmed"
    assert await _state(platform, queued) == "waitlisted"


async def test_a_seat_taken_again_after_expiry_gets_an_order_of_its_own(
        platform, district, client_for, make_term, make_class, ledger):
    klass = await make_class(await make_term(), capacity=2)
    family = await client_for("parent_b")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    seat = (await family.post(url, json={})).json()["enrollment"]["id"]
    first = await ledger.order_of(seat)
    await ledger.reach_deadline(first.order_no)

    again = await family.post(url, json={})

    assert again.status_code == 201
    assert again.json()["enrollment"]["id"] == seat
    second = await ledger.order_of(seat)
    assert second.order_no != first.order_no
    assert second.purpose_ref == f"enrollment:{seat}/2"
    assert second.status == "pending"


async def test_a_payment_for_a_seat_given_up_meanwhile_is_refunded_in_full(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat, queued, holder = await _seat_and_queue(client_for, make_term, make_class)
    order = await ledger.order_of(seat)
    await ledger.checkout(order.order_no)
    trade = ledger.gateway.pay(order.order_no)
    async with platform.db.transaction() as s:  # paid: the event is not delivered yet
        from bangyaer.payments import record_payment
        await record_payment(s, provider=ledger.gateway.id, trade=trade)

    withdrawn = await holder.delete(f"/api/v1/training/enrollments/{seat}")
    await drain(platform)

    assert withdrawn.status_code == 200
    assert await _state(platform, seat) == "withdrawn"
    assert await _state(platform, queued) == "awaiting_payment"
    after = await ledger.order_of(seat)
    assert (after.status, after.refunded_fen) == ("refunded", 120_000)
    assert len([c for c in ledger.gateway.calls if c[0] == "refund"]) == 1


async def test_a_late_payment_event_for_a_released_seat_asks_for_a_refund_and_tells_the_family(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat, _, _ = await _seat_and_queue(client_for, make_term, make_class)
    order = await ledger.order_of(seat)
    await ledger.checkout(order.order_no)
    trade = ledger.gateway.pay(order.order_no)
    async with platform.db.transaction() as s:
        # The seat went (an offline-era expiry) while the payment was on its way.
        row = await s.get(Enrollment, seat)
        from bangyaer_training._seats import release_unpaid
        await release_unpaid(s, row, "payment_expired")

    await ledger.notify(trade)

    assert await _state(platform, seat) == "expired"
    after = await ledger.order_of(seat)
    assert (after.status, after.refunded_fen) == ("refunded", 120_000)
    async with platform.db.session() as s:
        told = await s.scalar(select(Message).where(Message.topic == "refund",
                                                    Message.title == "培训班缴费已退回"))
    assert told.person_id == district.ids["parent_b"]
    assert "¥1200.00 将原路退回" in told.body


async def test_an_order_closed_in_the_ledger_releases_the_seat(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat, queued, _ = await _seat_and_queue(client_for, make_term, make_class)
    order = await ledger.order_of(seat)

    async with platform.db.transaction() as s:
        await cancel_order(s, order.order_no, reason="staff closed it")
    await drain(platform)

    assert await _state(platform, seat) == "expired"
    assert await _state(platform, queued) == "awaiting_payment"
