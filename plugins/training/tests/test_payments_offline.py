"""Offline payment closes the online order; the staff roster shows where money stands."""

from __future__ import annotations

import pytest
from bangyaer.identity import AuditEntry
from bangyaer.testing import drain
from bangyaer_training.models import Enrollment
from sqlalchemy import select


@pytest.fixture
async def platform(paying_platform):
    return paying_platform


async def _seat(client_for, make_term, make_class, **kw) -> tuple[object, int]:
    klass = await make_class(await make_term(), **kw)
    family = await client_for("parent_b")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    return klass, (await family.post(url, json={})).json()["enrollment"]["id"]


async def test_an_offline_payment_cancels_the_order_so_it_cannot_be_paid_online(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat = await _seat(client_for, make_term, make_class)
    order = await ledger.order_of(seat)
    await ledger.checkout(order.order_no)
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/training/enrollments/{seat}/payment",
                                json={"reference": "R-0001"})
    await drain(platform)

    assert response.status_code == 200
    assert response.json()["enrollment"]["state"] == "confirmed"
    assert (await ledger.order_of(seat)).status == "closed"
    assert ("close", order.order_no) in ledger.gateway.calls
    assert ledger.gateway.trades[order.order_no].status == "closed"
    async with platform.db.session() as s:
        row = await s.get(Enrollment, seat)
    assert (row.state, row.payment_ref) == ("confirmed", "offline:R-0001")


async def test_a_payment_after_the_offline_one_is_refunded_and_the_seat_stays(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat = await _seat(client_for, make_term, make_class)
    order = await ledger.order_of(seat)
    await ledger.checkout(order.order_no)
    staff = await client_for("staff")
    await staff.post(f"/api/v1/training/enrollments/{seat}/payment", json={"reference": "R-1"})

    # Paid at a cashier opened before the order was closed.
    await ledger.notify(ledger.gateway.pay(order.order_no))

    async with platform.db.session() as s:
        row = await s.get(Enrollment, seat)
    assert (row.state, row.payment_ref) == ("confirmed", "offline:R-1")
    assert [c for c in ledger.gateway.calls if c[0] == "refund"] != []


async def test_an_offline_payment_is_refused_when_the_order_was_paid_online(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat = await _seat(client_for, make_term, make_class)
    order = await ledger.order_of(seat)
    await ledger.checkout(order.order_no)
    async with platform.db.transaction() as s:  # paid; the event is not delivered yet
        from bangyaer.payments import record_payment
        await record_payment(s, provider=ledger.gateway.id,
                             trade=ledger.gateway.pay(order.order_no))
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/training/enrollments/{seat}/payment",
                                json={"reference": "R-0001"})

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "paid_online",
                                        "message": "该报名已在线缴费，无需线下确认"}
    await drain(platform)
    async with platform.db.session() as s:
        row = await s.get(Enrollment, seat)
    assert (row.state, row.payment_ref) == ("confirmed", f"order:{order.order_no}")


async def test_the_staff_roster_shows_each_childs_payment_state(
        platform, district, client_for, make_term, make_class, ledger):
    klass, _ = await _seat(client_for, make_term, make_class, capacity=2, fee_fen=150_000)
    other = await client_for("parent", child="child_1")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    paid = (await other.post(url, json={})).json()["enrollment"]["id"]
    await ledger.pay((await ledger.order_of(paid)).order_no)
    staff = await client_for("staff")

    api = await staff.get(f"/api/v1/training/classes/{klass.id}/roster")
    page = await staff.get(f"/training/classes/{klass.id}/roster")

    assert api.status_code == page.status_code == 200
    states = {r["child_name"]: r["payment"]["status"] for r in api.json()["enrollments"]}
    assert states == {"李小华": "due", "王小明": "paid_online"}
    assert "已在线缴费 ¥1500.00" in page.text
    assert "待缴费 ¥1500.00，截止" in page.text
    assert "/payments/orders/" not in page.text  # staff do not pay for families
    async with platform.db.session() as s:
        viewed = list(await s.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "training.roster_viewed")))
    assert len(viewed) == 2


async def test_families_cannot_see_a_roster(platform, district, client_for, make_term,
                                            make_class):
    klass, _ = await _seat(client_for, make_term, make_class)
    family = await client_for("parent_b")

    assert (await family.get(f"/api/v1/training/classes/{klass.id}/roster")).status_code == 403
    assert (await family.get(f"/training/classes/{klass.id}/roster")).status_code == 403
