"""Cockpit widgets: participation by school and by activity, inside the scope."""

from __future__ import annotations

from bangyaer import Scope
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_pioneers._widgets import by_activity, by_school

from .conftest import Appoint, ClientFor, MakeActivity


async def hand_in_everywhere(client_for: ClientFor, activity: int) -> None:
    for user, child in (("parent", "child_1"), ("parent", "child_2"), ("parent_b", "child_b")):
        await (await client_for(user, child)).post(
            f"/api/v1/pioneers/activities/{activity}/submission", json={"text": "参加了"})


async def test_participation_by_school_counts_hand_ins_and_approvals(
        client_for: ClientFor, make_activity: MakeActivity, appoint: Appoint,
        platform: Platform, district: TinyDistrict) -> None:
    activity = await make_activity("district")
    await hand_in_everywhere(client_for, activity)
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")
    subs = (await teacher.get(f"/api/v1/pioneers/activities/{activity}/submissions")).json()
    await teacher.post(f"/api/v1/pioneers/submissions/{subs['submissions'][0]['id']}/review",
                       json={"decision": "approve"})

    async with platform.db.session() as session:
        data = await by_school(session, Scope("district", district.ids["district"],
                                              district.paths["district"]))

    assert [tuple(r) for r in data.rows] == [("乙中学", 1, 0, 1, 0), ("甲小学", 2, 1, 2, 0)]


async def test_participation_by_activity_keeps_to_the_schools_scope(
        client_for: ClientFor, make_activity: MakeActivity, platform: Platform,
        district: TinyDistrict) -> None:
    activity = await make_activity("district", title="全区读书月")
    await hand_in_everywhere(client_for, activity)

    async with platform.db.session() as session:
        data = await by_activity(session, Scope("school", district.ids["school_b"],
                                                district.paths["school_b"]))

    assert [tuple(r) for r in data.rows] == [("全区读书月", 1, 0)]


async def test_widgets_appear_on_the_cockpit(client_for: ClientFor) -> None:
    body = (await (await client_for("staff")).get("/api/v1/dashboard")).json()

    ids = [w["id"] for w in body["widgets"]]
    assert "pioneers.by_school" in ids and "pioneers.by_activity" in ids
    assert all(w["ok"] for w in body["widgets"] if w["id"].startswith("pioneers."))
