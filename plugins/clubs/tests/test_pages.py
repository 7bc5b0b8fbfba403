"""The family and staff pages: catalogue, applying by form, the leader's desk."""

from __future__ import annotations

import httpx

from .conftest import ClientFor, MakeClub, apply


async def test_clubs_for_the_childs_grade_come_first(make_club: MakeClub,
                                                     client_for: ClientFor) -> None:
    await make_club("初中辩论社", year_min=7, year_max=9)
    await make_club("小学合唱团", year_min=1, year_max=6)
    parent = await client_for("parent")

    listed = (await parent.get("/api/v1/clubs/clubs")).json()["clubs"]

    assert [(c["name"], c["suited"]) for c in listed] == [
        ("小学合唱团", True), ("初中辩论社", False)]


async def test_a_guardian_applies_through_the_club_page(make_club: MakeClub,
                                                        client_for: ClientFor) -> None:
    club = await make_club(questions=["孩子学过唱歌吗？", "每周六能来吗？"])
    parent = await client_for("parent")
    page = await parent.get(f"/clubs/{club['id']}")
    assert "孩子学过唱歌吗？" in page.text and "为 王小明 报名" in page.text

    response = await parent.post(f"/clubs/{club['id']}", data={
        "csrf_token": parent.headers["X-CSRF-Token"], "answer_0": "学过", "answer_1": "能"})

    assert response.status_code == 200
    assert "申请状态：待审核" in response.text
    mine = (await parent.get("/api/v1/clubs/mine")).json()
    assert mine["applications"][0]["answers"] == ["学过", "能"]


async def test_a_missing_answer_on_the_page_says_which(make_club: MakeClub,
                                                       client_for: ClientFor) -> None:
    club = await make_club()
    parent = await client_for("parent")

    response = await parent.post(f"/clubs/{club['id']}", data={
        "csrf_token": parent.headers["X-CSRF-Token"], "answer_0": ""})

    assert response.status_code == 422
    assert "请回答第 1 个问题" in response.text


async def test_a_leader_sees_only_their_own_club(make_club: MakeClub,
                                                 client_for: ClientFor) -> None:
    own = await make_club("合唱团", leader="teacher_a")
    other = await make_club("机器人战队", leader=None)
    teacher = await client_for("teacher_a")

    desk = await teacher.get("/clubs/manage")
    refused = await teacher.get(f"/clubs/manage/{other['id']}")

    assert "合唱团" in desk.text and "机器人战队" not in desk.text
    assert (await teacher.get(f"/clubs/manage/{own['id']}")).status_code == 200
    assert refused.status_code == 403


async def test_district_staff_see_every_club(make_club: MakeClub,
                                             staff: httpx.AsyncClient) -> None:
    await make_club("合唱团", leader="teacher_a")
    await make_club("机器人战队", leader=None)

    desk = await staff.get("/clubs/manage")

    assert "合唱团" in desk.text and "机器人战队" in desk.text


async def test_a_guardian_cannot_open_the_desk(client_for: ClientFor) -> None:
    parent = await client_for("parent")

    assert (await parent.get("/clubs/manage")).status_code == 403


async def test_the_leader_admits_from_the_desk(make_club: MakeClub,
                                               client_for: ClientFor) -> None:
    club = await make_club()
    parent = await client_for("parent")
    application = (await apply(parent, club)).json()["application"]
    teacher = await client_for("teacher_a")

    response = await teacher.post(f"/clubs/manage/{club['id']}", data={
        "csrf_token": teacher.headers["X-CSRF-Token"], "action": "admit",
        "id": str(application["id"]), "audition_result": "通过"}, follow_redirects=True)

    assert "没有待审核的申请。" in response.text
    assert "成员（1 人）" in response.text


async def test_my_clubs_link_appears_for_a_guardian(client_for: ClientFor) -> None:
    parent = await client_for("parent")

    me = await parent.get("/me")

    assert 'href="/clubs/mine"' in me.text
