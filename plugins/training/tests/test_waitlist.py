"""After admission: deadlines, withdrawals, expiry, promotion, offline payment."""

from __future__ import annotations

import datetime as dt

from bangyaer.db import utcnow
from bangyaer.identity import AuditEntry
from bangyaer.notifications import Message
from bangyaer.testing import TinyDistrict, drain, login
from bangyaer_training import confirm_seat
from bangyaer_training._seats import SeatError, expire_if_due
from bangyaer_training.models import Enrollment, Move, TrainingClass
from sqlalchemy import select

PW = TinyDistrict.PASSWORD


async def _full_class_with_queue(platform, district, make_client, make_term, make_class):
    """child_b holds the only seat; child_1 waits first, child_2 second."""
    klass = await make_class(await make_term(), capacity=1)
    holder, family = make_client(platform), make_client(platform)
    await login(holder, "parent_b", PW)
    await login(family, "parent", PW)
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    seat = (await holder.post(url, json={})).json()["enrollment"]["id"]
    queue = []
    for child in ("child_1", "child_2"):
        await family.post("/api/v1/me/acting-child", json={"child_id": district.ids[child]})
        queue.append((await family.post(url, json={"waitlist": True})).json()["enrollment"]["id"])
    return klass, seat, queue, holder


async def _state(platform, enrollment_id: int) -> str:
    async with platform.db.session() as s:
        return (await s.get(Enrollment, enrollment_id)).state


async def test_a_withdrawn_seat_goes_to_the_first_on_the_waiting_list(
        platform, district, make_client, make_term, make_class):
    klass, seat, queue, holder = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)

    response = await holder.delete(f"/api/v1/training/enrollments/{seat}")
    await drain(platform)

    assert response.status_code == 200
    assert await _state(platform, queue[0]) == "awaiting_payment"
    assert await _state(platform, queue[1]) == "waitlisted"
    async with platform.db.session() as s:
        assert (await s.get(TrainingClass, klass.id)).taken == 1
        reasons = list(await s.scalars(
            select(Move.reason).where(Move.enrollment_id == queue[0]).order_by(Move.id)))
        told = await s.scalar(select(Message).where(Message.topic == "promoted"))
    assert reasons == ["waitlist_joined", "promoted"]
    assert told.person_id == district.ids["parent"]


async def test_an_unpaid_seat_without_an_order_expires_at_its_deadline_and_moves_on(
        platform, district, make_client, make_term, make_class):
    # A seat granted before online payment existed; seats with an order are
    # expired by the ledger (test_payments_expiry.py).
    _, seat, queue, _ = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)
    async with platform.db.transaction() as s:
        row = await s.get(Enrollment, seat)
        row.deadline_at = utcnow() - dt.timedelta(seconds=1)
        row.order_no = None
        assert await expire_if_due(s, seat)
    await drain(platform)

    assert await _state(platform, seat) == "expired"
    assert await _state(platform, queue[0]) == "awaiting_payment"


async def test_a_seat_before_its_deadline_does_not_expire(platform, district, make_client,
                                                          make_term, make_class):
    _, seat, _, _ = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)

    async with platform.db.transaction() as s:
        expired = await expire_if_due(s, seat)

    assert not expired
    assert await _state(platform, seat) == "awaiting_payment"


async def test_a_paid_seat_is_confirmed_and_stays(platform, district, make_client,
                                                  make_term, make_class):
    _, seat, queue, _ = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)
    async with platform.db.transaction() as s:
        await confirm_seat(s, seat, reference="pay-1")
        (await s.get(Enrollment, seat)).deadline_at = utcnow() - dt.timedelta(seconds=1)
        assert not await expire_if_due(s, seat)

    assert await _state(platform, seat) == "confirmed"
    assert await _state(platform, queue[0]) == "waitlisted"


async def test_confirming_twice_with_one_reference_is_harmless(platform, district,
                                                               make_client, make_term,
                                                               make_class):
    _, seat, _, _ = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)
    async with platform.db.transaction() as s:
        await confirm_seat(s, seat, reference="pay-1")
    async with platform.db.transaction() as s:
        again = await confirm_seat(s, seat, reference="pay-1")

    assert again.state == "confirmed"


async def test_an_expired_seat_cannot_be_paid_for(platform, district, make_client,
                                                  make_term, make_class):
    _, seat, _, _ = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)
    async with platform.db.transaction() as s:
        row = await s.get(Enrollment, seat)
        row.deadline_at = utcnow() - dt.timedelta(seconds=1)
        row.order_no = None
        await expire_if_due(s, seat)

    async with platform.db.transaction() as s:
        try:
            await confirm_seat(s, seat, reference="late")
        except SeatError as exc:
            assert exc.code == "not_payable"
        else:
            raise AssertionError("an expired seat was confirmed")


async def test_staff_mark_an_offline_payment_and_it_is_audited(
        platform, district, make_client, make_term, make_class):
    _, seat, _, _ = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)
    staff = make_client(platform)
    await login(staff, "staff", PW)

    response = await staff.post(f"/api/v1/training/enrollments/{seat}/payment",
                                json={"reference": "R-0001"})

    assert response.status_code == 200
    assert response.json()["enrollment"]["state"] == "confirmed"
    async with platform.db.session() as s:
        entry = await s.scalar(select(AuditEntry).where(
            AuditEntry.action == "training.paid_offline"))
    assert entry.target_id == str(seat)
    assert entry.detail == {"reference": "R-0001"}


async def test_a_family_cannot_mark_itself_paid(platform, district, make_client, make_term,
                                                make_class):
    _, seat, _, holder = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)

    response = await holder.post(f"/api/v1/training/enrollments/{seat}/payment",
                                 json={"reference": "R-0001"})

    assert response.status_code == 403
    assert await _state(platform, seat) == "awaiting_payment"


async def test_withdrawing_twice_is_a_conflict(platform, district, make_client, make_term,
                                               make_class):
    _, seat, _, holder = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)
    await holder.delete(f"/api/v1/training/enrollments/{seat}")

    response = await holder.delete(f"/api/v1/training/enrollments/{seat}")

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "not_active",
                                        "message": "该报名已结束，无法退出"}


async def test_completing_a_class_emits_completed_for_confirmed_children(
        platform, district, make_client, make_term, make_class):
    from bangyaer.events import EventRecord

    klass, seat, _, _ = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)
    async with platform.db.transaction() as s:
        await confirm_seat(s, seat, reference="pay-1")
    staff = make_client(platform)
    await login(staff, "staff", PW)

    response = await staff.post(f"/api/v1/training/classes/{klass.id}/complete")

    assert response.json() == {"completed": 1}
    async with platform.db.session() as s:
        events = list(await s.scalars(select(EventRecord).where(
            EventRecord.type == "training.completed")))
    assert [e.subject_id for e in events] == [district.ids["child_b"]]


async def test_a_refunded_seat_goes_down_the_waiting_list(platform, district, make_client,
                                                          make_term, make_class):
    from bangyaer_training import refund_seat

    _, seat, queue, _ = await _full_class_with_queue(
        platform, district, make_client, make_term, make_class)
    async with platform.db.transaction() as s:
        await confirm_seat(s, seat, reference="pay-1")
    async with platform.db.transaction() as s:
        await refund_seat(s, seat, reference="refund-1")
    await drain(platform)

    assert await _state(platform, seat) == "refunded"
    assert await _state(platform, queue[0]) == "awaiting_payment"
