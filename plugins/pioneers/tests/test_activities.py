"""Opening an activity, handing in for it as a family, and a counsellor's review."""

from __future__ import annotations

import datetime as dt

from bangyaer.events import EventRecord
from bangyaer.notifications import Message
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_pioneers.models import Kind
from sqlalchemy import select

from .conftest import DAY, Appoint, ClientFor, MakeActivity

WINDOW = {"opens_at": "2030-03-01T08:00+08:00", "closes_at": "2030-03-15T20:00+08:00"}


async def hand_in(client: object, activity_id: int, text: str = "我读了《小王子》") -> object:
    return await client.post(  # type: ignore[attr-defined]
        f"/api/v1/pioneers/activities/{activity_id}/submission", json={"text": text})


async def test_counsellor_opens_an_activity_for_their_squadron(
        client_for: ClientFor, appoint: Appoint, district: TinyDistrict) -> None:
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")

    response = await teacher.post("/api/v1/pioneers/activities", json={
        "title": "我和国旗合个影", "kind": "photo", "org_id": district.ids["class_a1"],
        **WINDOW})

    assert response.status_code == 201
    assert response.json()["opens_at"] == "2030-03-01T00:00:00+00:00"
    assert response.json()["phase"] == "upcoming"


async def test_counsellor_may_not_open_an_activity_for_another_school(
        client_for: ClientFor, appoint: Appoint, district: TinyDistrict) -> None:
    await appoint("teacher_a", "school_a")
    teacher = await client_for("teacher_a")

    response = await teacher.post("/api/v1/pioneers/activities", json={
        "title": "越界", "kind": "text", "org_id": district.ids["school_b"], **WINDOW})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_your_pioneers"


async def test_only_district_staff_open_an_activity_for_the_whole_district(
        client_for: ClientFor, appoint: Appoint, district: TinyDistrict) -> None:
    await appoint("teacher_a", "school_a")
    body = {"title": "全区活动", "kind": "checkin", "org_id": district.ids["district"], **WINDOW}

    refused = await (await client_for("teacher_a")).post("/api/v1/pioneers/activities",
                                                         json=body)
    opened = await (await client_for("staff")).post("/api/v1/pioneers/activities", json=body)

    assert refused.status_code == 403
    assert opened.status_code == 201


async def test_window_that_closes_before_it_opens_is_refused(client_for: ClientFor,
                                                            district: TinyDistrict) -> None:
    staff = await client_for("staff")

    response = await staff.post("/api/v1/pioneers/activities", json={
        "title": "倒着的", "kind": "text", "org_id": district.ids["district"],
        "opens_at": WINDOW["closes_at"], "closes_at": WINDOW["opens_at"]})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "结束时间须晚于开始时间"


async def test_guardian_hands_in_a_text_for_the_acting_child(
        client_for: ClientFor, make_activity: MakeActivity) -> None:
    activity = await make_activity("school_a")
    parent = await client_for("parent", "child_1")

    response = await hand_in(parent, activity)

    assert response.status_code == 201
    assert response.json()["state"] == "submitted"
    mine = (await parent.get("/api/v1/pioneers/mine/activities")).json()["activities"]
    assert [(a["id"], a["submission"]["text"]) for a in mine] == [(activity, "我读了《小王子》")]


async def test_another_schools_activity_is_not_found_for_the_child(
        client_for: ClientFor, make_activity: MakeActivity) -> None:
    activity = await make_activity("school_a")
    parent_b = await client_for("parent_b", "child_b")

    response = await hand_in(parent_b, activity)

    assert response.status_code == 404
    assert (await parent_b.get("/api/v1/pioneers/mine/activities")).json() == {"activities": []}


async def test_hand_in_after_the_window_closed_is_refused(
        client_for: ClientFor, make_activity: MakeActivity) -> None:
    activity = await make_activity(opens_in=-3 * DAY, closes_in=-DAY)
    parent = await client_for("parent", "child_1")

    response = await hand_in(parent, activity)

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "activity_closed",
                                        "message": "活动已结束，不能再提交"}


async def test_hand_in_before_the_window_opens_is_refused(
        client_for: ClientFor, make_activity: MakeActivity) -> None:
    activity = await make_activity(opens_in=DAY, closes_in=3 * DAY)
    parent = await client_for("parent", "child_1")

    response = await hand_in(parent, activity)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_open_yet"


async def test_text_activity_wants_some_text(client_for: ClientFor,
                                            make_activity: MakeActivity) -> None:
    activity = await make_activity()
    parent = await client_for("parent", "child_1")

    response = await hand_in(parent, activity, text="   ")

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "这个活动需要写一段文字"


async def test_check_in_needs_nothing_but_the_tap(client_for: ClientFor,
                                                 make_activity: MakeActivity) -> None:
    activity = await make_activity(kind=Kind.checkin)
    parent = await client_for("parent", "child_1")

    response = await parent.post(f"/api/v1/pioneers/activities/{activity}/submission",
                                 json={})

    assert response.status_code == 201


async def test_guardian_without_a_chosen_child_is_asked_to_pick_one(
        client_for: ClientFor, make_activity: MakeActivity) -> None:
    activity = await make_activity()
    parent = await client_for("parent")  # two children, none chosen

    response = await hand_in(parent, activity)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_acting_child"


async def submitted(client_for: ClientFor, make_activity: MakeActivity,
                    child: str = "child_1") -> tuple[int, int]:
    activity = await make_activity()
    parent = await client_for("parent", child)
    return activity, (await hand_in(parent, activity)).json()["id"]


async def test_counsellor_approves_and_the_growth_record_hears_of_it(
        client_for: ClientFor, appoint: Appoint, make_activity: MakeActivity,
        platform: Platform, district: TinyDistrict) -> None:
    activity, sub = await submitted(client_for, make_activity)
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")

    response = await teacher.post(f"/api/v1/pioneers/submissions/{sub}/review",
                                  json={"decision": "approve", "comment": "写得真好"})

    assert response.json()["state"] == "approved"
    async with platform.db.session() as session:
        event = await session.scalar(select(EventRecord).where(
            EventRecord.type == "pioneers.took_part"))
        message = await session.scalar(select(Message))
    assert event is not None and event.subject_id == district.ids["child_1"]
    assert {k: event.payload[k] for k in ("title", "category", "url")} == {
        "title": "红领巾读书月", "category": "少先队", "url": f"/pioneers/activities/{activity}"}
    dt.datetime.fromisoformat(event.payload["occurred_at"])
    assert message is not None and message.title == "“红领巾读书月”已通过审核"


async def test_approved_hand_in_cannot_be_handed_in_again(
        client_for: ClientFor, appoint: Appoint, make_activity: MakeActivity) -> None:
    activity, sub = await submitted(client_for, make_activity)
    await appoint("teacher_a", "class_a1")
    await (await client_for("teacher_a")).post(f"/api/v1/pioneers/submissions/{sub}/review",
                                               json={"decision": "approve"})

    response = await hand_in(await client_for("parent", "child_1"), activity, "再交一次")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_approved"


async def test_returned_hand_in_shows_the_comment_and_may_be_handed_in_again(
        client_for: ClientFor, appoint: Appoint, make_activity: MakeActivity) -> None:
    activity, sub = await submitted(client_for, make_activity)
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")
    await teacher.post(f"/api/v1/pioneers/submissions/{sub}/review",
                       json={"decision": "return", "comment": "请写满 100 字"})
    parent = await client_for("parent", "child_1")

    seen = (await parent.get("/api/v1/pioneers/mine/activities")).json()["activities"][0]
    again = await hand_in(parent, activity, "我读了《小王子》，" * 10)

    assert (seen["submission"]["state"], seen["submission"]["comment"]) == (
        "returned", "请写满 100 字")
    assert again.status_code == 201
    assert (again.json()["id"], again.json()["state"]) == (sub, "submitted")


async def test_returning_without_a_comment_is_refused(
        client_for: ClientFor, appoint: Appoint, make_activity: MakeActivity) -> None:
    _, sub = await submitted(client_for, make_activity)
    await appoint("teacher_a", "class_a1")

    response = await (await client_for("teacher_a")).post(
        f"/api/v1/pioneers/submissions/{sub}/review", json={"decision": "return"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "comment_required"


async def test_reviewing_twice_is_refused(client_for: ClientFor, appoint: Appoint,
                                          make_activity: MakeActivity) -> None:
    _, sub = await submitted(client_for, make_activity)
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")
    url = f"/api/v1/pioneers/submissions/{sub}/review"
    await teacher.post(url, json={"decision": "approve"})

    response = await teacher.post(url, json={"decision": "approve"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_pending"


async def test_squadron_counsellor_may_not_review_the_next_squadron(
        client_for: ClientFor, appoint: Appoint, make_activity: MakeActivity) -> None:
    _, sub = await submitted(client_for, make_activity, child="child_2")  # class a2
    await appoint("teacher_a", "class_a1")

    response = await (await client_for("teacher_a")).post(
        f"/api/v1/pioneers/submissions/{sub}/review", json={"decision": "approve"})

    assert response.status_code == 403


async def test_counsellor_lists_only_their_own_pioneers_hand_ins(
        client_for: ClientFor, appoint: Appoint, make_activity: MakeActivity,
        district: TinyDistrict) -> None:
    activity = await make_activity("district")
    await hand_in(await client_for("parent", "child_1"), activity)
    await hand_in(await client_for("parent", "child_2"), activity)
    await hand_in(await client_for("parent_b", "child_b"), activity)
    await appoint("teacher_a", "class_a2")

    body = (await (await client_for("teacher_a")).get(
        f"/api/v1/pioneers/activities/{activity}/submissions")).json()

    assert [(s["child_id"], s["child_name"]) for s in body["submissions"]] == [
        (district.ids["child_2"], "王小红")]


async def test_a_double_tap_keeps_one_hand_in(client_for: ClientFor,
                                              make_activity: MakeActivity,
                                              platform: Platform) -> None:
    import anyio
    from bangyaer_pioneers.models import Submission

    activity = await make_activity()
    first = await client_for("parent", "child_1")
    second = await client_for("parent", "child_1")
    statuses: list[int] = []

    async def tap(client: object, text: str) -> None:
        statuses.append((await hand_in(client, activity, text)).status_code)  # type: ignore

    async with anyio.create_task_group() as group:
        group.start_soon(tap, first, "第一次")
        group.start_soon(tap, second, "第二次")

    assert statuses == [201, 201]
    async with platform.db.session() as session:
        rows = list(await session.scalars(select(Submission)))
    assert len(rows) == 1 and rows[0].text in ("第一次", "第二次")
