"""The leader takes attendance for a session; each child's attendance is emitted once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from bangyaer.events import EventRecord
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from sqlalchemy import select

from .conftest import ClientFor, MakeClub, apply, decide


@pytest.fixture
async def club(make_club: MakeClub, client_for: ClientFor, staff: httpx.AsyncClient,
               district: TinyDistrict) -> dict[str, Any]:
    """A club led by teacher_a with both of parent's children as members."""
    made = await make_club()
    parent = await client_for("parent")
    for child in ("child_1", "child_2"):
        await parent.post("/api/v1/me/acting-child", json={"child_id": district.ids[child]})
        await decide(staff, (await apply(parent, made)).json()["application"]["id"])
    return made


@pytest.fixture
async def leader(client_for: ClientFor) -> httpx.AsyncClient:
    return await client_for("teacher_a")


async def meeting(client: httpx.AsyncClient, club: dict[str, Any]) -> int:
    made = await client.post(f"/api/v1/clubs/clubs/{club['id']}/meetings",
                             json={"starts_at": "2027-03-05T16:00", "topic": "发声练习"})
    assert made.status_code == 201, made.text
    return int(made.json()["meeting"]["id"])


async def take(client: httpx.AsyncClient, meeting_id: int, present: list[Any]
               ) -> httpx.Response:
    return await client.put(f"/api/v1/clubs/meetings/{meeting_id}/attendance",
                            json={"present": present})


async def attended(platform: Platform) -> list[EventRecord]:
    async with platform.db.session() as session:
        return list(await session.scalars(
            select(EventRecord).where(EventRecord.type == "clubs.attended")))


async def test_the_leader_marks_every_member_present_or_absent(
        club: dict[str, Any], leader: httpx.AsyncClient, district: TinyDistrict) -> None:
    meeting_id = await meeting(leader, club)

    response = await take(leader, meeting_id, [district.ids["child_1"]])

    assert response.status_code == 200
    assert response.json()["attendance"] == sorted([
        {"child_id": district.ids["child_1"], "present": True},
        {"child_id": district.ids["child_2"], "present": False}],
        key=lambda row: row["child_id"])


async def test_attendance_emits_attended_for_those_present(
        club: dict[str, Any], leader: httpx.AsyncClient, platform: Platform,
        district: TinyDistrict) -> None:
    meeting_id = await meeting(leader, club)

    await take(leader, meeting_id, [district.ids["child_1"]])

    [event] = await attended(platform)
    assert event.subject_id == district.ids["child_1"]
    assert event.payload["title"] == "参加合唱团活动：发声练习"
    assert event.payload["category"] == "艺术"
    assert event.payload["occurred_at"] == "2027-03-05T08:00:00+00:00"
    assert event.payload["url"] == f"/clubs/{club['id']}"


async def test_saving_the_same_list_again_emits_nothing_more(
        club: dict[str, Any], leader: httpx.AsyncClient, platform: Platform,
        district: TinyDistrict) -> None:
    meeting_id = await meeting(leader, club)
    await take(leader, meeting_id, [district.ids["child_1"]])

    await take(leader, meeting_id, [district.ids["child_1"]])

    assert len(await attended(platform)) == 1


async def test_a_correction_emits_only_for_the_newly_present(
        club: dict[str, Any], leader: httpx.AsyncClient, platform: Platform,
        district: TinyDistrict) -> None:
    meeting_id = await meeting(leader, club)
    await take(leader, meeting_id, [district.ids["child_1"]])

    response = await take(leader, meeting_id, [district.ids["child_2"]])

    assert {r["child_id"]: r["present"] for r in response.json()["attendance"]} == {
        district.ids["child_1"]: False, district.ids["child_2"]: True}
    assert sorted(e.subject_id for e in await attended(platform)) == sorted(
        [district.ids["child_1"], district.ids["child_2"]])


async def test_a_child_who_is_not_a_member_cannot_be_marked(
        club: dict[str, Any], leader: httpx.AsyncClient, district: TinyDistrict) -> None:
    meeting_id = await meeting(leader, club)

    response = await take(leader, meeting_id, [district.ids["child_b"]])

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "名单中有不是本社团成员的学生"
    assert response.json()["error"]["detail"] == {"child_ids": [district.ids["child_b"]]}


async def test_ids_that_are_not_numbers_are_refused(club: dict[str, Any],
                                                    leader: httpx.AsyncClient) -> None:
    meeting_id = await meeting(leader, club)

    response = await take(leader, meeting_id, ["1", True])

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "应为学生编号（整数）的列表"


async def test_another_teacher_cannot_take_attendance(
        club: dict[str, Any], leader: httpx.AsyncClient, client_for: ClientFor,
        district: TinyDistrict) -> None:
    meeting_id = await meeting(leader, club)
    outsider = await client_for("head_b")

    response = await take(outsider, meeting_id, [district.ids["child_1"]])

    assert response.status_code == 403


async def test_the_phone_list_ticks_and_saves_in_one_post(
        club: dict[str, Any], leader: httpx.AsyncClient, district: TinyDistrict) -> None:
    meeting_id = await meeting(leader, club)
    page = await leader.get(f"/clubs/manage/meetings/{meeting_id}")
    assert page.text.count('type="checkbox" name="present"') == 2

    saved = await leader.post(f"/clubs/manage/meetings/{meeting_id}", data={
        "csrf_token": leader.headers["X-CSRF-Token"],
        "present": [str(district.ids["child_1"]), str(district.ids["child_2"])]},
        follow_redirects=True)

    assert "已保存：到场 2 人，共 2 人" in saved.text
    assert saved.text.count("checked") == 2
