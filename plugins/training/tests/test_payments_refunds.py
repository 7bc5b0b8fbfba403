"""Refunds: by staff in full or by lessons, by a family before the first lesson."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.db import utcnow
from bangyaer.identity import AuditEntry
from bangyaer.payments import Refund
from bangyaer.testing import drain
from bangyaer_training._orders import lesson_refund_fen
from bangyaer_training.models import Enrollment, TrainingClass
from sqlalchemy import func, select


@pytest.fixture
async def platform(paying_platform):
    return paying_platform


async def _paid_seat(client_for, make_term, make_class, ledger, *, fee_fen=150_000,
                     lessons=16, starts_in_days=60):
    """child_b's paid seat in a full class; child_1 waits for it."""
    starts_on = utcnow().date() + dt.timedelta(days=starts_in_days)
    klass = await make_class(await make_term(starts_on=starts_on), capacity=1, fee_fen=fee_fen,
                             lessons=lessons)
    holder = await client_for("parent_b")
    waiting = await client_for("parent", child="child_1")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    seat = (await holder.post(url, json={})).json()["enrollment"]["id"]
    queued = (await waiting.post(url, json={"waitlist": True})).json()["enrollment"]["id"]
    await ledger.pay((await ledger.order_of(seat)).order_no)
    return klass, seat, queued, holder


async def _state(platform, enrollment_id: int) -> str:
    async with platform.db.session() as s:
        return (await s.get(Enrollment, enrollment_id)).state


def _refund_url(seat: int) -> str:
    return f"/api/v1/training/enrollments/{seat}/refund"


@pytest.mark.parametrize(("paid", "lessons", "attended", "back"), [
    pytest.param(150_000, 16, 5, 103_125, id="1500.00 yuan, 11 of 16 lessons left"),
    pytest.param(100_000, 3, 1, 66_666, id="rounded down to the fen"),
    pytest.param(1, 3, 0, 1, id="1 fen, nothing attended"),
    pytest.param(1, 3, 1, 0, id="1 fen, a third attended: nothing left to give"),
    pytest.param(120_000, 16, 16, 0, id="every lesson attended"),
])
def test_a_refund_by_lessons_is_the_share_not_attended_rounded_down(paid, lessons, attended,
                                                                     back):
    assert lesson_refund_fen(paid, lessons, attended) == back
    assert type(lesson_refund_fen(paid, lessons, attended)) is int


def test_attended_lessons_outside_the_class_are_refused():
    with pytest.raises(ValueError, match="between 0 and 16"):
        lesson_refund_fen(150_000, 16, 17)


async def test_staff_refund_by_lessons_gives_back_the_lessons_not_attended_and_keeps_the_seat(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat, queued, holder = await _paid_seat(client_for, make_term, make_class, ledger)
    staff = await client_for("staff")

    response = await staff.post(_refund_url(seat), json={
        "reason": "转学", "mode": "by_lessons", "lessons_attended": 5})
    await drain(platform)

    assert response.status_code == 201, response.text
    assert response.json()["refund"]["amount_fen"] == 103_125
    order = await ledger.order_of(seat)
    assert (order.status, order.refunded_fen) == ("paid", 103_125)
    assert await _state(platform, seat) == "confirmed"
    assert await _state(platform, queued) == "waitlisted"
    async with platform.db.session() as s:
        assert (await s.get(Enrollment, seat)).refunded_fen == 103_125
        entry = await s.scalar(select(AuditEntry).where(
            AuditEntry.action == "training.refund_requested"))
    assert entry.detail["amount_fen"] == 103_125 and entry.detail["lessons_attended"] == 5
    mine = (await holder.get("/api/v1/training/enrollments/mine")).json()["enrollments"]
    assert mine[0]["payment"]["status"] == "partly_refunded"
    assert "已部分退费 ¥1031.25" in (await holder.get("/training/mine")).text


async def test_a_full_refund_releases_the_seat_to_the_waiting_list(
        platform, district, client_for, make_term, make_class, ledger):
    klass, seat, queued, holder = await _paid_seat(client_for, make_term, make_class, ledger)
    staff = await client_for("staff")

    response = await staff.post(_refund_url(seat), json={"reason": "班级取消", "mode": "full"})
    await drain(platform)

    assert response.status_code == 201
    assert response.json()["refund"]["amount_fen"] == 150_000
    assert (await ledger.order_of(seat)).status == "refunded"
    assert await _state(platform, seat) == "refunded"
    assert await _state(platform, queued) == "awaiting_payment"
    assert (await ledger.order_of(queued)).status == "pending"
    async with platform.db.session() as s:
        assert (await s.get(TrainingClass, klass.id)).taken == 1
    assert "已退费 ¥1500.00" in (await holder.get("/training/mine")).text


async def test_the_family_sees_a_refund_on_its_way(platform, district, client_for, make_term,
                                                   make_class, ledger):
    _, seat, _, holder = await _paid_seat(client_for, make_term, make_class, ledger)
    staff = await client_for("staff")

    await staff.post(_refund_url(seat), json={"reason": "班级取消", "mode": "full"})

    mine = (await holder.get("/api/v1/training/enrollments/mine")).json()["enrollments"]
    assert mine[0]["payment"]["status"] == "refunding"
    assert "退费处理中 ¥1500.00" in (await holder.get("/training/mine")).text


async def test_a_refund_retried_with_its_key_is_made_once(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat, _, _ = await _paid_seat(client_for, make_term, make_class, ledger)
    staff = await client_for("staff")
    body = {"reason": "转学", "mode": "by_lessons", "lessons_attended": 5}

    first = await staff.post(_refund_url(seat), json=body, headers={"Idempotency-Key": "r-1"})
    again = await staff.post(_refund_url(seat), json=body, headers={"Idempotency-Key": "r-1"})
    await drain(platform)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    async with platform.db.session() as s:
        assert await s.scalar(select(func.count(Refund.id))) == 1
    assert (await ledger.order_of(seat)).refunded_fen == 103_125


async def test_a_second_refund_by_lessons_gives_only_what_is_left(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat, _, _ = await _paid_seat(client_for, make_term, make_class, ledger)
    staff = await client_for("staff")
    await staff.post(_refund_url(seat), json={"reason": "转学", "mode": "by_lessons",
                                               "lessons_attended": 8})

    same = await staff.post(_refund_url(seat), json={"reason": "转学", "mode": "by_lessons",
                                                      "lessons_attended": 8})
    fewer = await staff.post(_refund_url(seat), json={"reason": "补记", "mode": "by_lessons",
                                                       "lessons_attended": 5})

    assert same.status_code == 409
    assert same.json()["error"]["code"] == "nothing_to_refund"
    assert same.json()["error"]["message"] == "没有可退的金额：应退 ¥750.00，已退或退款中 ¥750.00"
    assert fewer.json()["refund"]["amount_fen"] == 103_125 - 75_000


@pytest.mark.parametrize(("body", "code", "field"), [
    pytest.param({"reason": " ", "mode": "full"}, "invalid_field", "reason", id="blank reason"),
    pytest.param({"reason": "x", "mode": "half"}, "invalid_field", "mode", id="unknown mode"),
    pytest.param({"reason": "x", "mode": "by_lessons"}, "missing_field", "lessons_attended",
                 id="by lessons without the count"),
    pytest.param({"reason": "x", "mode": "by_lessons", "lessons_attended": 17},
                 "invalid_field", "lessons_attended", id="more lessons than the class has"),
    pytest.param({"reason": "x", "mode": "by_lessons", "lessons_attended": -1},
                 "invalid_field", "lessons_attended", id="negative lessons"),
    pytest.param({"reason": "x", "mode": "full", "lessons_attended": 3},
                 "invalid_field", "lessons_attended", id="full with a count"),
])
async def test_a_bad_refund_request_is_refused_and_nothing_is_refunded(
        platform, district, client_for, make_term, make_class, ledger, body, code, field):
    _, seat, _, _ = await _paid_seat(client_for, make_term, make_class, ledger)
    staff = await client_for("staff")

    response = await staff.post(_refund_url(seat), json=body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["detail"] == {"field": field}
    async with platform.db.session() as s:
        assert await s.scalar(select(func.count(Refund.id))) == 0


async def test_a_refund_is_refused_for_a_seat_not_paid_online(
        platform, district, client_for, make_term, make_class, ledger):
    klass = await make_class(await make_term())
    family = await client_for("parent_b")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    seat = (await family.post(url, json={})).json()["enrollment"]["id"]
    staff = await client_for("staff")

    response = await staff.post(_refund_url(seat), json={"reason": "x", "mode": "full"})

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "not_paid_online", "message": "该报名没有在线缴费记录；线下缴费请在窗口办理退费"}


async def test_a_family_cannot_refund_itself(platform, district, client_for, make_term,
                                             make_class, ledger):
    _, seat, _, holder = await _paid_seat(client_for, make_term, make_class, ledger)

    response = await holder.post(_refund_url(seat), json={"reason": "x", "mode": "full"})

    assert response.status_code == 403
    async with platform.db.session() as s:
        assert await s.scalar(select(func.count(Refund.id))) == 0


async def test_a_family_giving_up_a_paid_seat_before_the_first_lesson_is_refunded_in_full(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat, queued, holder = await _paid_seat(client_for, make_term, make_class, ledger)

    response = await holder.delete(f"/api/v1/training/enrollments/{seat}")
    await drain(platform)

    assert response.status_code == 200
    assert response.json()["enrollment"]["payment"]["status"] == "refunding"
    order = await ledger.order_of(seat)
    assert (order.status, order.refunded_fen) == ("refunded", 150_000)
    assert await _state(platform, seat) == "withdrawn"
    assert await _state(platform, queued) == "awaiting_payment"
    mine = (await holder.get("/api/v1/training/enrollments/mine")).json()["enrollments"]
    assert mine[0]["payment"]["status"] == "refunded"


async def test_a_family_cannot_give_up_a_paid_seat_once_lessons_have_started(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat, _, holder = await _paid_seat(client_for, make_term, make_class, ledger,
                                          starts_in_days=-30)

    response = await holder.delete(f"/api/v1/training/enrollments/{seat}")

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "class_started", "message": "已开课，退出和退费请联系少年宫按已上课时办理"}
    assert await _state(platform, seat) == "confirmed"
    async with platform.db.session() as s:
        assert await s.scalar(select(func.count(Refund.id))) == 0


def test_the_first_lesson_is_the_class_weekday_on_or_after_the_term_start_in_beijing_time():
    from bangyaer_training._orders import first_lesson_at
    from bangyaer_training.models import Term

    term = Term(starts_on=dt.date(2027, 3, 1))  # a Monday
    saturday = TrainingClass(weekday=6, start_time=dt.time(9, 0))
    monday = TrainingClass(weekday=1, start_time=dt.time(7, 30))

    assert first_lesson_at(saturday, term) == dt.datetime(2027, 3, 6, 1, 0, tzinfo=dt.UTC)
    assert first_lesson_at(monday, term) == dt.datetime(2027, 2, 28, 23, 30, tzinfo=dt.UTC)
