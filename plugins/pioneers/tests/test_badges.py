"""The badge programme: counsellors award badges to their own pioneers, once each."""

from __future__ import annotations

from bangyaer.events import EventRecord
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from sqlalchemy import select

from .conftest import Appoint, ClientFor


async def award(client: object, badge: int, child_id: int) -> object:
    return await client.post(f"/api/v1/pioneers/badges/{badge}/awards",  # type: ignore
                             json={"child_id": child_id, "note": "读完 5 本书"})


async def test_counsellor_awards_a_badge_to_their_pioneer(
        client_for: ClientFor, appoint: Appoint, badge: int, district: TinyDistrict,
        platform: Platform) -> None:
    await appoint("teacher_a", "class_a1")

    response = await award(await client_for("teacher_a"), badge, district.ids["child_1"])

    assert response.status_code == 201
    async with platform.db.session() as session:
        event = await session.scalar(select(EventRecord).where(
            EventRecord.type == "pioneers.badge_earned"))
    assert event is not None and event.subject_id == district.ids["child_1"]
    assert (event.payload["title"], event.payload["category"]) == ("获得“阅读章”", "少先队")


async def test_awarded_badge_shows_on_the_pioneers_page(
        client_for: ClientFor, appoint: Appoint, badge: int, district: TinyDistrict) -> None:
    await appoint("teacher_a", "school_a")
    await award(await client_for("teacher_a"), badge, district.ids["child_1"])
    parent = await client_for("parent", "child_1")

    earned = (await parent.get("/api/v1/pioneers/mine/badges")).json()["badges"]
    page = await parent.get("/pioneers/me")

    assert [(b["name"], b["note"]) for b in earned] == [("阅读章", "读完 5 本书")]
    assert "阅读章" in page.text and "还没有获得奖章" not in page.text


async def test_sibling_does_not_see_the_other_childs_badge(
        client_for: ClientFor, appoint: Appoint, badge: int, district: TinyDistrict) -> None:
    await appoint("teacher_a", "school_a")
    await award(await client_for("teacher_a"), badge, district.ids["child_1"])

    parent = await client_for("parent", "child_2")

    assert (await parent.get("/api/v1/pioneers/mine/badges")).json() == {"badges": []}


async def test_counsellor_may_not_award_another_schools_pioneer(
        client_for: ClientFor, appoint: Appoint, badge: int, district: TinyDistrict) -> None:
    await appoint("teacher_a", "school_a")

    response = await award(await client_for("teacher_a"), badge, district.ids["child_b"])

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "只能为本人担任辅导员的大队或中队的队员颁章"


async def test_squadron_counsellor_may_not_award_the_next_squadrons_pioneer(
        client_for: ClientFor, appoint: Appoint, badge: int, district: TinyDistrict) -> None:
    await appoint("teacher_a", "class_a1")

    response = await award(await client_for("teacher_a"), badge, district.ids["child_2"])

    assert response.status_code == 403


async def test_the_same_badge_twice_is_refused(
        client_for: ClientFor, appoint: Appoint, badge: int, district: TinyDistrict) -> None:
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")
    await award(teacher, badge, district.ids["child_1"])

    response = await award(teacher, badge, district.ids["child_1"])

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "already_awarded",
                                        "message": "这名队员已获得“阅读章”"}


async def test_district_staff_add_badges_and_teachers_may_not(client_for: ClientFor,
                                                              district: TinyDistrict) -> None:
    body = {"code": "green", "name": "环保章", "criteria": "垃圾分类打卡 21 天"}

    refused = await (await client_for("teacher_a")).post("/api/v1/pioneers/badges/new",
                                                         json=body)
    added = await (await client_for("staff")).post("/api/v1/pioneers/badges/new", json=body)

    assert refused.status_code == 403
    assert added.status_code == 201
    listed = (await (await client_for("parent", "child_1")).get("/api/v1/pioneers/badges"))
    assert [b["name"] for b in listed.json()["badges"]] == ["环保章"]
