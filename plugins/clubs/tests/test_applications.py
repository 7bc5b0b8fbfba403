"""Guardians apply for their acting child; staff and the leader admit or decline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from bangyaer.events import EventRecord
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from sqlalchemy import select

from .conftest import ClientFor, MakeClub, apply, decide


@pytest.fixture
async def parent(client_for: ClientFor) -> httpx.AsyncClient:
    return await client_for("parent")


async def events(platform: Platform, kind: str) -> list[EventRecord]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(EventRecord).where(EventRecord.type == kind)))


async def test_a_guardian_applies_for_the_acting_child(make_club: MakeClub,
                                                       parent: httpx.AsyncClient,
                                                       district: TinyDistrict) -> None:
    club = await make_club()

    response = await apply(parent, club)

    assert response.status_code == 201
    application = response.json()["application"]
    assert application["child_id"] == district.ids["child_1"]
    assert application["status"] == "pending"
    assert application["answers"] == ["学过两年"]


async def test_applying_twice_returns_the_first_application(make_club: MakeClub,
                                                            parent: httpx.AsyncClient) -> None:
    club = await make_club()
    first = await apply(parent, club)

    second = await apply(parent, club, ["换个说法"])

    assert second.status_code == 200
    assert second.json()["application"] == first.json()["application"]


@pytest.mark.parametrize(("answers", "message"), [
    pytest.param([], "请回答全部 1 个问题", id="no-answer"),
    pytest.param(["  "], "请回答第 1 个问题", id="blank-answer"),
    pytest.param(["长" * 501], "第 1 个问题的回答过长（最多 500 字）", id="too-long"),
    pytest.param([3], "请回答第 1 个问题", id="not-text"),
])
async def test_answers_must_fit_the_questions(make_club: MakeClub, parent: httpx.AsyncClient,
                                              answers: list[Any], message: str) -> None:
    club = await make_club()

    response = await apply(parent, club, answers)

    assert response.status_code == 422
    assert response.json()["error"]["message"] == message


async def test_a_club_not_recruiting_refuses_applications(make_club: MakeClub,
                                                          parent: httpx.AsyncClient) -> None:
    club = await make_club(recruiting=False)

    response = await apply(parent, club)

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "not_recruiting",
                                        "message": "该社团目前没有在招新"}


async def test_a_child_outside_the_grades_is_refused(make_club: MakeClub,
                                                     parent: httpx.AsyncClient) -> None:
    club = await make_club(year_min=7, year_max=9)

    response = await apply(parent, club)

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "该社团面向初一至初三的学生"


async def test_applying_needs_an_acting_child(make_club: MakeClub,
                                              client_for: ClientFor) -> None:
    club = await make_club()
    teacher = await client_for("teacher_a")

    response = await apply(teacher, club)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_acting_child"


async def test_admission_makes_a_member_and_emits_joined(
        make_club: MakeClub, parent: httpx.AsyncClient, staff: httpx.AsyncClient,
        platform: Platform, district: TinyDistrict) -> None:
    club = await make_club()
    application = (await apply(parent, club)).json()["application"]

    response = await decide(staff, application["id"], audition_result="音准好")

    assert response.json()["application"]["status"] == "admitted"
    assert response.json()["application"]["audition_result"] == "音准好"
    members = (await staff.get(f"/api/v1/clubs/clubs/{club['id']}/members")).json()["members"]
    assert [m["child_id"] for m in members] == [district.ids["child_1"]]
    [joined] = await events(platform, "clubs.joined")
    assert joined.subject_id == district.ids["child_1"]
    assert joined.payload["title"] == "加入合唱团"
    assert joined.payload["category"] == "艺术"
    assert joined.payload["url"] == f"/clubs/{club['id']}"
    assert joined.payload["occurred_at"]


async def test_admitting_twice_makes_one_member(make_club: MakeClub,
                                                parent: httpx.AsyncClient,
                                                staff: httpx.AsyncClient,
                                                platform: Platform) -> None:
    club = await make_club()
    application = (await apply(parent, club)).json()["application"]
    await decide(staff, application["id"])

    again = await decide(staff, application["id"])

    assert again.status_code == 200
    assert len((await staff.get(f"/api/v1/clubs/clubs/{club['id']}/members"))
               .json()["members"]) == 1
    assert len(await events(platform, "clubs.joined")) == 1


async def test_a_decided_application_cannot_be_reversed(make_club: MakeClub,
                                                        parent: httpx.AsyncClient,
                                                        staff: httpx.AsyncClient) -> None:
    club = await make_club()
    application = (await apply(parent, club)).json()["application"]
    await decide(staff, application["id"], admit=False)

    response = await decide(staff, application["id"], admit=True)

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "该申请已处理（未录取）"


async def test_a_full_club_admits_no_more(make_club: MakeClub, client_for: ClientFor,
                                          staff: httpx.AsyncClient,
                                          district: TinyDistrict) -> None:
    club = await make_club(capacity=1)
    parent = await client_for("parent")
    first = (await apply(parent, club)).json()["application"]
    await parent.post("/api/v1/me/acting-child", json={"child_id": district.ids["child_2"]})
    second = (await apply(parent, club)).json()["application"]
    await decide(staff, first["id"])

    response = await decide(staff, second["id"])

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "club_full", "message": "社团已满员（1 人）"}


async def test_the_guardian_sees_the_outcome(make_club: MakeClub, parent: httpx.AsyncClient,
                                             staff: httpx.AsyncClient) -> None:
    club = await make_club()
    application = (await apply(parent, club)).json()["application"]
    await decide(staff, application["id"], audition_result="请下周六来排练")

    mine = (await parent.get("/api/v1/clubs/mine")).json()
    page = await parent.get(f"/clubs/{club['id']}")

    assert mine["applications"][0]["status_title"] == "已录取"
    assert mine["memberships"][0]["club"]["name"] == "合唱团"
    assert "王小明 已是本社团成员" in page.text


async def test_leaving_keeps_the_history_and_emits_left(
        make_club: MakeClub, parent: httpx.AsyncClient, staff: httpx.AsyncClient,
        platform: Platform) -> None:
    club = await make_club()
    application = (await apply(parent, club)).json()["application"]
    await decide(staff, application["id"])
    [member] = (await staff.get(f"/api/v1/clubs/clubs/{club['id']}/members")).json()["members"]

    response = await staff.post(f"/api/v1/clubs/memberships/{member['membership_id']}/leave",
                                json={"reason": "课业冲突"})

    assert response.json()["membership"]["leave_reason"] == "课业冲突"
    history = (await parent.get("/api/v1/clubs/mine")).json()["memberships"]
    assert history[0]["left_at"] is not None and history[0]["leave_reason"] == "课业冲突"
    assert (await staff.get(f"/api/v1/clubs/clubs/{club['id']}/members")).json() == {
        "members": []}
    [left] = await events(platform, "clubs.left")
    assert left.payload["title"] == "退出合唱团"


async def test_leaving_needs_a_reason(make_club: MakeClub, parent: httpx.AsyncClient,
                                      staff: httpx.AsyncClient) -> None:
    club = await make_club()
    await decide(staff, (await apply(parent, club)).json()["application"]["id"])
    [member] = (await staff.get(f"/api/v1/clubs/clubs/{club['id']}/members")).json()["members"]

    response = await staff.post(f"/api/v1/clubs/memberships/{member['membership_id']}/leave",
                                json={"reason": " "})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "请填写退出原因"


async def test_a_leader_decides_for_their_own_club_only(make_club: MakeClub,
                                                        parent: httpx.AsyncClient,
                                                        client_for: ClientFor) -> None:
    own = await make_club("合唱团", leader="teacher_a")
    other = await make_club("机器人", leader=None)
    mine = (await apply(parent, own)).json()["application"]
    theirs = (await apply(parent, other)).json()["application"]
    teacher = await client_for("teacher_a")

    allowed = await decide(teacher, mine["id"])
    refused = await decide(teacher, theirs["id"])

    assert allowed.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "只有本社团的负责老师或区少年宫工作人员可以操作"


async def test_a_guardian_cannot_admit(make_club: MakeClub, parent: httpx.AsyncClient) -> None:
    club = await make_club()
    application = (await apply(parent, club)).json()["application"]

    response = await decide(parent, application["id"])

    assert response.status_code == 403


async def test_a_round_that_closes_before_it_opens_is_refused(
        make_club: MakeClub, staff: httpx.AsyncClient) -> None:
    club = await make_club(recruiting=False)

    response = await staff.post(f"/api/v1/clubs/clubs/{club['id']}/rounds", json={
        "title": "招新", "opens_at": "2027-03-10T09:00", "closes_at": "2027-03-01T09:00"})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "截止时间应晚于开始时间"


async def test_a_round_time_without_offset_is_beijing_time(
        make_club: MakeClub, staff: httpx.AsyncClient) -> None:
    club = await make_club(recruiting=False)

    response = await staff.post(f"/api/v1/clubs/clubs/{club['id']}/rounds", json={
        "title": "招新", "opens_at": "2027-03-01T09:00", "closes_at": "2027-03-08T09:00"})

    opens = dt.datetime.fromisoformat(response.json()["round"]["opens_at"])
    assert opens == dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)
