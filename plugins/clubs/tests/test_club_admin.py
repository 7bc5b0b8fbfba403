"""Running a club: who may change what, news posts, and a member applying again."""

from __future__ import annotations

import datetime as dt

import httpx

from .conftest import ClientFor, MakeClub, account_id, apply, decide


async def test_a_leader_edits_their_club_but_not_its_leader_or_capacity(
        make_club: MakeClub, client_for: ClientFor, platform) -> None:  # type: ignore[no-untyped-def]
    club = await make_club()
    teacher = await client_for("teacher_a")

    edited = await teacher.patch(f"/api/v1/clubs/clubs/{club['id']}",
                                 json={"meets": "每周四 16:00"})
    refused = await teacher.patch(f"/api/v1/clubs/clubs/{club['id']}", json={
        "leader_account_id": await account_id(platform, "head_a")})

    assert edited.json()["club"]["meets"] == "每周四 16:00"
    assert refused.status_code == 403


async def test_news_posted_by_the_leader_shows_on_the_club_page(
        make_club: MakeClub, client_for: ClientFor) -> None:
    club = await make_club()
    teacher = await client_for("teacher_a")

    posted = await teacher.post(f"/api/v1/clubs/clubs/{club['id']}/posts",
                                json={"title": "下周停课一次",
                                      "body": "因场地检修，3 月 12 日停课。"})
    page = await (await client_for(None)).get(f"/clubs/{club['id']}")

    assert posted.status_code == 201
    assert "下周停课一次" in page.text and "因场地检修" in page.text


async def test_a_post_without_a_title_is_refused(make_club: MakeClub,
                                                 staff: httpx.AsyncClient) -> None:
    club = await make_club()

    response = await staff.post(f"/api/v1/clubs/clubs/{club['id']}/posts",
                                json={"title": "  "})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "请填写标题"


async def test_a_member_cannot_apply_in_a_later_round(make_club: MakeClub,
                                                      client_for: ClientFor,
                                                      staff: httpx.AsyncClient) -> None:
    club = await make_club()
    parent = await client_for("parent")
    await decide(staff, (await apply(parent, club)).json()["application"]["id"])
    now = dt.datetime.now(dt.UTC)
    await staff.post(f"/api/v1/clubs/clubs/{club['id']}/rounds", json={
        "title": "补招", "opens_at": now.isoformat(),
        "closes_at": (now + dt.timedelta(days=30)).isoformat(), "questions": []})

    response = await apply(parent, club, [])

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "孩子已经是该社团的成员"


async def test_an_inactive_club_is_gone_for_families(make_club: MakeClub,
                                                     client_for: ClientFor,
                                                     staff: httpx.AsyncClient) -> None:
    club = await make_club()
    await staff.patch(f"/api/v1/clubs/clubs/{club['id']}", json={"active": False})
    parent = await client_for("parent")

    assert (await parent.get(f"/clubs/{club['id']}")).status_code == 404
    assert (await apply(parent, club)).status_code == 404
    assert (await parent.get("/api/v1/clubs/clubs")).json() == {"clubs": []}


async def test_reading_applications_is_audited(make_club: MakeClub, client_for: ClientFor,
                                               staff: httpx.AsyncClient,
                                               platform) -> None:  # type: ignore[no-untyped-def]
    from bangyaer.identity import AuditEntry
    from sqlalchemy import select

    club = await make_club()
    await apply(await client_for("parent"), club)

    await staff.get(f"/api/v1/clubs/clubs/{club['id']}/applications")

    async with platform.db.session() as session:
        entries = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "clubs.applications_read")))
    assert [(e.target_id, e.detail) for e in entries] == [(str(club["id"]), {"count": 1})]


async def test_a_leader_account_that_does_not_exist_is_refused(
        staff: httpx.AsyncClient) -> None:
    response = await staff.post("/api/v1/clubs/clubs", json={
        "name": "围棋社", "category": "棋类", "leader_account_id": 99999})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "账号 99999 不存在"
