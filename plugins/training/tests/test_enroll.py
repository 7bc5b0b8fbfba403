"""First come, first served: a seat per request, refusals with their reasons."""

from __future__ import annotations

import datetime as dt

from bangyaer.identity import Person
from bangyaer.testing import TinyDistrict, drain, login
from bangyaer_training.models import Enrollment, Move, TrainingClass
from sqlalchemy import select


async def _parent(client, who: str = "parent") -> None:
    await login(client, who, TinyDistrict.PASSWORD)
    if who == "parent":
        me = await client.get("/api/v1/me")
        child = me.json()["children"][0]["id"]
        response = await client.post("/api/v1/me/acting-child", json={"child_id": child})
        assert response.status_code == 200, response.text


async def test_enrolling_takes_a_seat_and_asks_for_payment(client, district, make_term,
                                                           make_class, platform):
    klass = await make_class(await make_term())
    await _parent(client, "parent_b")

    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})

    assert response.status_code == 201, response.text
    body = response.json()["enrollment"]
    assert body["state"] == "awaiting_payment"
    assert body["child_id"] == district.ids["child_b"]
    assert body["deadline_at"] is not None
    async with platform.db.session() as s:
        assert (await s.get(TrainingClass, klass.id)).taken == 1
        moves = list(await s.scalars(select(Move.to_state)))
    assert moves == ["awaiting_payment"]


async def test_a_full_class_answers_409_with_the_waiting_list_offer(client, district,
                                                                     make_term, make_class):
    klass = await make_class(await make_term(), capacity=1)
    await _parent(client, "parent")
    first = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})
    assert first.status_code == 201
    await client.post("/api/v1/me/acting-child", json={"child_id": district.ids["child_2"]})

    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "class_full"
    assert error["message"] == "该班名额已满，可以加入候补，有空位时按顺序递补"
    assert error["detail"]["waitlist"]["available"] is True
    assert error["detail"]["waitlist"]["ahead"] == 0


async def test_joining_the_waiting_list_gives_a_position(client, district, make_term,
                                                         make_class):
    klass = await make_class(await make_term(), capacity=1)
    await _parent(client, "parent")
    await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})
    await client.post("/api/v1/me/acting-child", json={"child_id": district.ids["child_2"]})

    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments",
                                 json={"waitlist": True})

    assert response.status_code == 201
    assert response.json()["enrollment"]["state"] == "waitlisted"
    assert response.json()["enrollment"]["waitlist_position"] == 1


async def test_the_same_idempotency_key_gets_the_same_answer(client, district, make_term,
                                                             make_class, platform):
    klass = await make_class(await make_term())
    await _parent(client, "parent_b")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    headers = {"Idempotency-Key": "rush-1"}

    first = await client.post(url, json={}, headers=headers)
    again = await client.post(url, json={}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    async with platform.db.session() as s:
        assert (await s.get(TrainingClass, klass.id)).taken == 1


async def test_a_refusal_is_replayed_for_the_same_key(client, district, make_term,
                                                      make_class, platform):
    klass = await make_class(await make_term(), capacity=1)
    await _parent(client, "parent")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    await client.post(url, json={})
    await client.post("/api/v1/me/acting-child", json={"child_id": district.ids["child_2"]})
    full = await client.post(url, json={}, headers={"Idempotency-Key": "k-full"})
    async with platform.db.transaction() as s:  # a seat frees up meanwhile
        (await s.get(TrainingClass, klass.id)).capacity = 2

    again = await client.post(url, json={}, headers={"Idempotency-Key": "k-full"})

    assert full.status_code == again.status_code == 409
    assert again.json() == full.json()


async def test_a_key_reused_for_another_request_is_refused(client, district, make_term,
                                                           make_class):
    term = await make_term()
    a = await make_class(term)
    b = await make_class(term, weekday=2)
    await _parent(client, "parent_b")
    await client.post(f"/api/v1/training/classes/{a.id}/enrollments", json={},
                      headers={"Idempotency-Key": "same"})

    response = await client.post(f"/api/v1/training/classes/{b.id}/enrollments", json={},
                                 headers={"Idempotency-Key": "same"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


async def test_enrolling_twice_is_a_conflict(client, district, make_term, make_class):
    klass = await make_class(await make_term())
    await _parent(client, "parent_b")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    await client.post(url, json={})

    response = await client.post(url, json={})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_enrolled"


async def test_a_schedule_clash_is_refused_with_the_other_class(client, district, make_term,
                                                                 make_class):
    term = await make_term()
    a = await make_class(term, name="书法班", start_time=dt.time(9), end_time=dt.time(10))
    b = await make_class(term, start_time=dt.time(9, 30), end_time=dt.time(11))
    await _parent(client, "parent_b")
    await client.post(f"/api/v1/training/classes/{a.id}/enrollments", json={})

    response = await client.post(f"/api/v1/training/classes/{b.id}/enrollments", json={})

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "schedule_clash", "message": "与已报名的“书法班”（周六 09:00–10:00）时间冲突"}


async def test_an_age_limit_is_refused_with_the_childs_age(client, district, make_term,
                                                            make_class, platform):
    klass = await make_class(await make_term(), age_min=6, age_max=8)
    async with platform.db.transaction() as s:
        child = await s.get(Person, district.ids["child_b"])
        child.birth_date = dt.date(2014, 5, 1)
    await _parent(client, "parent_b")

    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "not_eligible", "message": "该班招收 6–8岁 的孩子，孩子开学时 12 岁"}


async def test_an_unknown_birth_date_cannot_pass_an_age_limit(client, district, make_term,
                                                               make_class):
    klass = await make_class(await make_term(), age_min=6, age_max=8)
    await _parent(client, "parent_b")

    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "孩子的出生日期未登记，无法核对年龄要求，请联系学校")


async def test_new_families_wait_for_the_continuing_window_to_end(client, district,
                                                                  make_term, make_class):
    klass = await make_class(await make_term(phase="continuing"))
    await _parent(client, "parent_b")

    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "continuing_only"


async def test_enrolling_after_the_close_is_refused(client, district, make_term, make_class):
    klass = await make_class(await make_term(phase="closed"))
    await _parent(client, "parent_b")

    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "enrollment_closed", "message": "报名已结束"}


async def test_enrolling_needs_an_acting_child(client, district, make_term, make_class):
    klass = await make_class(await make_term())
    await login(client, "parent", TinyDistrict.PASSWORD)  # two children, none chosen

    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_acting_child"


async def test_a_free_class_confirms_at_once_and_emits_enrolled(client, district, make_term,
                                                                 make_class, platform):
    from bangyaer.events import EventRecord

    klass = await make_class(await make_term(), fee_fen=0)
    await _parent(client, "parent_b")

    response = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})

    assert response.json()["enrollment"]["state"] == "confirmed"
    async with platform.db.session() as s:
        event = await s.scalar(select(EventRecord).where(EventRecord.type == "training.enrolled"))
    assert event.subject_id == district.ids["child_b"]
    assert event.payload["class_id"] == klass.id
    await drain(platform)


async def test_withdrawing_someone_elses_enrollment_is_not_found(client, district, make_term,
                                                                 make_class, platform):
    klass = await make_class(await make_term())
    await _parent(client, "parent_b")
    made = await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})
    enrollment_id = made.json()["enrollment"]["id"]
    await client.post("/api/v1/auth/logout")
    await _parent(client, "parent")

    response = await client.delete(f"/api/v1/training/enrollments/{enrollment_id}")

    assert response.status_code == 404
    async with platform.db.session() as s:
        assert (await s.get(Enrollment, enrollment_id)).state == "awaiting_payment"
