"""Cockpit widgets: members by school and category, and the attendance rate."""

from __future__ import annotations

import datetime as dt

import httpx
from bangyaer import Scope
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_clubs._widgets import attendance_rate, members_by_school

from .conftest import ClientFor, MakeClub, apply, decide


async def test_members_are_counted_by_school_and_category(
        make_club: MakeClub, client_for: ClientFor, staff: httpx.AsyncClient,
        platform: Platform, district: TinyDistrict) -> None:
    club = await make_club()
    for username in ("parent", "parent_b"):
        family = await client_for(username)
        await decide(staff, (await apply(family, club)).json()["application"]["id"])

    whole = Scope("district", district.ids["district"], district.paths["district"])
    school_b = Scope("school", district.ids["school_b"], district.paths["school_b"])
    async with platform.db.session() as session:
        everyone = await members_by_school(session, whole)
        only_b = await members_by_school(session, school_b)

    assert list(everyone.rows) == [("乙中学", "艺术", 1), ("甲小学", "艺术", 1)]
    assert list(only_b.rows) == [("乙中学", "艺术", 1)]


async def test_attendance_rate_is_present_over_marked(
        make_club: MakeClub, client_for: ClientFor, staff: httpx.AsyncClient,
        platform: Platform, district: TinyDistrict) -> None:
    club = await make_club()
    parent = await client_for("parent")
    for child in ("child_1", "child_2"):
        await parent.post("/api/v1/me/acting-child", json={"child_id": district.ids[child]})
        await decide(staff, (await apply(parent, club)).json()["application"]["id"])
    when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    meeting = (await staff.post(f"/api/v1/clubs/clubs/{club['id']}/meetings",
                                json={"starts_at": when})).json()["meeting"]
    await staff.put(f"/api/v1/clubs/meetings/{meeting['id']}/attendance",
                    json={"present": [district.ids["child_1"]]})

    scope = Scope("district", district.ids["district"], district.paths["district"])
    async with platform.db.session() as session:
        data = await attendance_rate(session, scope)

    assert data.value == 50.0


async def test_attendance_rate_without_marks_says_so(platform: Platform,
                                                     district: TinyDistrict) -> None:
    scope = Scope("district", district.ids["district"], district.paths["district"])
    async with platform.db.session() as session:
        data = await attendance_rate(session, scope)

    assert data.value is None
    assert data.note == "近 90 天还没有点名记录"
