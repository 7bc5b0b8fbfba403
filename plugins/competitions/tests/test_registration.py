"""One-tap registration: entry codes, idempotency, the window, cancelling, events."""

from __future__ import annotations

import datetime as dt

from bangyaer.events import EventRecord
from bangyaer_competitions.models import Entry
from bangyaer_competitions.testing import create_activity, register, set_times
from sqlalchemy import func, select


async def test_registration_takes_name_school_and_class_from_the_roster(staff, parent):
    activity_id = await create_activity(staff, code_prefix="K2026")

    response = await register(parent, activity_id)

    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "报名成功"
    assert body["code"] == "K2026-01-00001"
    assert body["group"] == "小学低段"
    assert body["student"] == {"name": "王小明", "school": "甲小学", "class": "三(1)班",
                               "grade": 3}


async def test_entry_codes_are_sequential_per_group(staff, parent, client_for, district):
    from bangyaer_competitions.testing import act_for

    activity_id = await create_activity(staff, code_prefix="K2026")
    first = (await register(parent, activity_id)).json()["code"]
    await act_for(parent, district.ids["child_2"])
    second = (await register(parent, activity_id)).json()["code"]
    other = await client_for("parent_b")
    middle = (await register(other, activity_id)).json()["code"]

    assert (first, second, middle) == ("K2026-01-00001", "K2026-01-00002", "K2026-03-00001")


async def test_registering_twice_returns_the_same_entry(staff, parent, platform):
    activity_id = await create_activity(staff)

    first = await register(parent, activity_id)
    again = await register(parent, activity_id)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"]
    async with platform.db.session() as session:
        assert await session.scalar(select(func.count(Entry.id))) == 1


async def test_idempotency_key_replays_the_first_answer(staff, parent):
    activity_id = await create_activity(staff, entries_per_child=2)
    headers = {"Idempotency-Key": "tap-1"}

    first = await register(parent, activity_id, headers=headers, json={"additional": True})
    again = await register(parent, activity_id, headers=headers, json={"additional": True})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"]


async def test_a_further_entry_needs_the_limit_to_allow_it(staff, parent):
    activity_id = await create_activity(staff, entries_per_child=1)
    await register(parent, activity_id)

    response = await register(parent, activity_id, json={"additional": True})

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "entry_limit",
                                        "message": "每名学生最多报名 1 个作品"}


async def test_registration_after_the_window_is_refused(staff, parent, platform):
    activity_id = await create_activity(staff)
    await set_times(platform, activity_id, registration_closes_at=dt.timedelta(minutes=-1))

    response = await register(parent, activity_id)

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "registration_closed",
                                        "message": "报名已截止，不能再报名或取消报名"}


async def test_registration_before_the_window_is_refused(staff, parent, platform):
    activity_id = await create_activity(staff)
    await set_times(platform, activity_id, registration_opens_at=dt.timedelta(hours=1))

    response = await register(parent, activity_id)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "registration_not_open"


async def test_a_draft_activity_cannot_be_entered(staff, parent):
    activity_id = await create_activity(staff, open_it=False)

    response = await register(parent, activity_id)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "activity_not_found"


async def test_cancelling_frees_the_child_to_register_again_with_a_new_code(staff, parent):
    activity_id = await create_activity(staff, code_prefix="K2026")
    code = (await register(parent, activity_id)).json()["code"]

    cancelled = await parent.delete(f"/api/v1/competitions/entries/{code}")
    again = await register(parent, activity_id)

    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["status_title"] == "已取消"
    assert again.status_code == 201
    assert again.json()["code"] == "K2026-01-00002"


async def test_cancelling_after_the_window_is_refused(staff, parent, platform):
    activity_id = await create_activity(staff)
    code = (await register(parent, activity_id)).json()["code"]
    await set_times(platform, activity_id, registration_closes_at=dt.timedelta(minutes=-1))

    response = await parent.delete(f"/api/v1/competitions/entries/{code}")

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "registration_closed",
                                        "message": "报名已截止，不能再取消报名"}


async def test_another_family_cannot_see_an_entry(staff, parent, client_for):
    activity_id = await create_activity(staff)
    code = (await register(parent, activity_id)).json()["code"]
    stranger = await client_for("parent_b")

    response = await stranger.get(f"/api/v1/competitions/entries/{code}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "entry_not_found"


async def test_registration_and_cancellation_emit_events_about_the_child(
        staff, parent, platform, district):
    activity_id = await create_activity(staff)
    code = (await register(parent, activity_id)).json()["code"]
    await parent.delete(f"/api/v1/competitions/entries/{code}")

    async with platform.db.session() as session:
        events = list(await session.scalars(select(EventRecord).order_by(EventRecord.id)))

    assert [(e.type, e.subject_id, e.payload["entry_code"]) for e in events] == [
        ("competitions.entry_registered", district.ids["child_1"], code),
        ("competitions.entry_cancelled", district.ids["child_1"], code),
    ]


async def test_registering_needs_an_acting_child(staff, client_for):
    activity_id = await create_activity(staff)
    parent = await client_for("parent")  # two children, none chosen yet

    response = await register(parent, activity_id)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_acting_child"


async def test_my_entries_lists_the_acting_childs_entries(staff, parent):
    activity_id = await create_activity(staff)
    code = (await register(parent, activity_id)).json()["code"]

    response = await parent.get("/api/v1/competitions/entries")

    assert response.json()["entries"] == [
        {"code": code, "activity": "区少儿书画比赛", "status": "registered",
         "status_title": "已报名"}]
