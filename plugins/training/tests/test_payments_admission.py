"""Admission opens an order in the ledger; the ledger's payment confirms the seat, once."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.db import utcnow
from bangyaer.events import Event, EventRecord
from bangyaer.identity import Account
from bangyaer.testing import drain
from bangyaer_training._ledger_events import on_ledger_event
from bangyaer_training.models import Enrollment, Mode, Move
from sqlalchemy import func, select


@pytest.fixture
async def platform(paying_platform):
    return paying_platform


async def _enroll(client, klass, **body) -> dict:
    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json=body)
    assert response.status_code == 201, response.text
    return response.json()["enrollment"]


async def test_a_first_come_seat_opens_an_order_for_the_fee_due_at_the_deadline(
        platform, district, client_for, make_term, make_class, ledger):
    klass = await make_class(await make_term(name="2027 春季"), fee_fen=150_000,
                             name="书法初级班")
    family = await client_for("parent_b")

    enrollment = await _enroll(family, klass)
    order = await ledger.order_of(enrollment["id"])

    async with platform.db.session() as s:
        row = await s.get(Enrollment, enrollment["id"])
    assert enrollment["state"] == "awaiting_payment"
    assert enrollment["order_no"] == order.order_no
    assert (order.plugin, order.purpose_ref) == ("training", f"enrollment:{row.id}")
    assert order.amount_fen == 150_000 and type(order.amount_fen) is int
    assert order.title == "2027 春季 书法初级班 学费"
    assert order.status == "pending"
    assert order.subject_id == district.ids["child_b"]
    assert order.expires_at == row.deadline_at
    assert dt.timedelta(hours=47) < order.expires_at - utcnow() <= dt.timedelta(hours=48)
    assert order.payer_account_id == await account_of(platform, "parent_b")


async def test_a_free_class_is_confirmed_without_an_order(
        platform, district, client_for, make_term, make_class):
    klass = await make_class(await make_term(), fee_fen=0)
    family = await client_for("parent_b")

    enrollment = await _enroll(family, klass)

    assert enrollment["state"] == "confirmed"
    assert enrollment["order_no"] is None
    async with platform.db.session() as s:
        from bangyaer.payments import Order
        assert await s.scalar(select(func.count(Order.id))) == 0


async def test_a_lottery_admission_opens_an_order_for_the_applicant(
        platform, district, client_for, make_term, make_class, ledger):
    term = await make_term()
    klass = await make_class(term, mode=Mode.lottery, fee_fen=98_000)
    family = await client_for("parent_b")
    applied = await _enroll(family, klass)
    staff = await client_for("staff")
    async with platform.db.transaction() as s:
        from bangyaer_training.models import Term
        (await s.get(Term, term.id)).closes_at = utcnow() - dt.timedelta(minutes=1)
    assert (await staff.post(f"/api/v1/training/terms/{term.id}/freeze")).status_code == 200
    assert (await staff.post(f"/api/v1/training/terms/{term.id}/draw")).status_code == 202

    await drain(platform)
    order = await ledger.order_of(applied["id"])

    assert order.amount_fen == 98_000
    assert order.status == "pending"
    assert order.payer_account_id == await account_of(platform, "parent_b")


async def test_paying_confirms_the_seat(platform, district, client_for, make_term, make_class,
                                        ledger):
    klass = await make_class(await make_term())
    family = await client_for("parent_b")
    enrollment = await _enroll(family, klass)
    order = await ledger.order_of(enrollment["id"])

    await ledger.pay(order.order_no)

    mine = (await family.get("/api/v1/training/enrollments/mine")).json()["enrollments"]
    assert mine[0]["state"] == "confirmed"
    assert mine[0]["payment"]["status"] == "paid_online"
    async with platform.db.session() as s:
        row = await s.get(Enrollment, enrollment["id"])
        reasons = list(await s.scalars(select(Move.reason).where(
            Move.enrollment_id == row.id).order_by(Move.id)))
    assert row.payment_ref == f"order:{order.order_no}"
    assert reasons == ["enrolled", "paid_online"]


async def test_a_payment_delivered_twice_confirms_the_seat_once(
        platform, district, client_for, make_term, make_class, ledger):
    klass = await make_class(await make_term())
    family = await client_for("parent_b")
    enrollment = await _enroll(family, klass)
    order = await ledger.order_of(enrollment["id"])
    trade = await ledger.pay(order.order_no)

    await ledger.notify(trade)  # the gateway's notification, again
    async with platform.db.transaction() as s:  # and the ledger's event, delivered again
        record = await s.scalar(select(EventRecord).where(
            EventRecord.type == "payments.order_paid"))
        await on_ledger_event(s, Event.from_record(record))
    await drain(platform)

    async with platform.db.session() as s:
        confirmations = await s.scalar(select(func.count(Move.id)).where(
            Move.enrollment_id == enrollment["id"], Move.to_state == "confirmed"))
        enrolled = await s.scalar(select(func.count(EventRecord.id)).where(
            EventRecord.type == "training.enrolled"))
        paid_events = await s.scalar(select(func.count(EventRecord.id)).where(
            EventRecord.type == "payments.order_paid"))
    assert (confirmations, enrolled, paid_events) == (1, 1, 1)
    assert (await ledger.order_of(enrollment["id"])).refunded_fen == 0
    assert gateway_refunds(ledger) == []


async def account_of(platform, username: str) -> int:
    async with platform.db.session() as s:
        return await s.scalar(select(Account.id).where(Account.username == username))


def gateway_refunds(ledger) -> list[str]:
    return [ref for method, ref in ledger.gateway.calls if method == "refund"]


async def test_the_family_page_links_to_the_order_with_amount_and_deadline(
        platform, district, client_for, make_term, make_class, ledger):
    klass = await make_class(await make_term(), fee_fen=150_000)
    family = await client_for("parent_b")
    enrollment = await _enroll(family, klass)
    order = await ledger.order_of(enrollment["id"])

    page = await family.get("/training/mine")

    deadline = order.expires_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert page.status_code == 200
    assert f'href="/payments/orders/{order.order_no}"' in page.text
    assert f"去缴费 ¥1500.00，截止 {deadline:%Y-%m-%d %H:%M}" in page.text


async def test_the_family_page_shows_paid_after_payment(
        platform, district, client_for, make_term, make_class, ledger):
    klass = await make_class(await make_term(), fee_fen=150_000)
    family = await client_for("parent_b")
    enrollment = await _enroll(family, klass)
    await ledger.pay((await ledger.order_of(enrollment["id"])).order_no)

    page = await family.get("/training/mine")

    assert "已在线缴费 ¥1500.00" in page.text
    assert "去缴费" not in page.text


async def test_a_full_refund_seen_before_the_payment_event_leaves_no_seat(
        platform, district, client_for, make_term, make_class, ledger):
    klass = await make_class(await make_term())
    family = await client_for("parent_b")
    enrollment = await _enroll(family, klass)
    order = await ledger.order_of(enrollment["id"])
    await ledger.pay(order.order_no)
    async with platform.db.transaction() as s:
        paid = await s.scalar(select(EventRecord).where(EventRecord.type == "payments.order_paid"))
        row = await s.get(Enrollment, enrollment["id"])
        # As if the paid event's delivery were still being retried when the refund came.
        row.state, row.payment_ref = "awaiting_payment", None
    staff = await client_for("staff")
    await staff.post(f"/api/v1/training/enrollments/{row.id}/refund",
                     json={"reason": "班级取消", "mode": "full"})
    await drain(platform)

    async with platform.db.transaction() as s:
        await on_ledger_event(s, Event.from_record(paid))

    async with platform.db.session() as s:
        row = await s.get(Enrollment, enrollment["id"])
    assert row.state == "expired"
    assert row.refunded_fen == 120_000


async def test_the_family_page_asks_for_payment_in_english_too(
        platform, district, client_for, make_term, make_class, ledger):
    klass = await make_class(await make_term(), fee_fen=150_000)
    family = await client_for("parent_b")
    await _enroll(family, klass)
    await family.get("/lang/en", params={"next": "/training/mine"})

    page = await family.get("/training/mine")

    assert "Pay ¥1500.00 by " in page.text
    assert "Admitted, payment due" in page.text


async def test_a_family_follows_the_pay_link_pays_and_sees_the_seat_confirmed(
        platform, district, client_for, make_term, make_class, ledger):
    klass = await make_class(await make_term(), fee_fen=150_000)
    family = await client_for("parent_b")
    enrollment = await _enroll(family, klass)
    order_no = (await ledger.order_of(enrollment["id"])).order_no

    order_page = await family.get(f"/payments/orders/{order_no}")
    csrf = family.headers["X-CSRF-Token"]
    cashier = await family.post(f"/payments/orders/{order_no}/pay",
                                data={"provider": ledger.gateway.id, "csrf_token": csrf},
                                headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile"})
    await ledger.notify(ledger.gateway.pay(order_no))
    mine = await family.get("/training/mine")

    assert order_page.status_code == 200 and "¥1500.00" in order_page.text
    assert cashier.status_code in (200, 303)  # on to the gateway, by a page or a redirect
    assert ("checkout", order_no) in ledger.gateway.calls
    assert "已确认" in mine.text and "已在线缴费 ¥1500.00" in mine.text
