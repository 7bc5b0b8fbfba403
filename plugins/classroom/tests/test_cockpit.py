"""Cockpit widgets count learners and completions, within the scope asked for."""

from __future__ import annotations

import httpx
from bangyaer import Scope
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_classroom._widgets import by_course, by_school_and_grade

from .conftest import ClientFor, MakeCourse


async def learn(make_course: MakeCourse, parent: httpx.AsyncClient, title: str,
                finish: bool) -> None:
    course = await make_course(title)
    lesson = course["lessons"][0]["id"]
    if finish:
        await parent.post(f"/api/v1/classroom/lessons/{lesson}/finish")
    else:
        await parent.post(f"/api/v1/classroom/lessons/{lesson}/progress", json={"position": 0})


async def test_by_course_counts_learners_and_completions(
        make_course: MakeCourse, client_for: ClientFor, platform: Platform,
        district: TinyDistrict) -> None:
    parent, parent_b = await client_for("parent"), await client_for("parent_b")
    await learn(make_course, parent, "围棋", finish=True)
    course = (await parent.get("/api/v1/classroom/courses")).json()["courses"][0]
    detail = (await parent_b.get(f"/api/v1/classroom/courses/{course['id']}")).json()
    await parent_b.post(f"/api/v1/classroom/lessons/{detail['course']['lessons'][0]['id']}"
                        "/progress", json={"position": 0})

    scope = Scope("district", district.ids["district"], district.paths["district"])
    async with platform.db.session() as session:
        data = await by_course(session, scope)

    assert list(data.rows) == [("围棋", 2, 1)]


async def test_a_school_sees_only_its_own_children(
        make_course: MakeCourse, client_for: ClientFor, platform: Platform,
        district: TinyDistrict) -> None:
    await learn(make_course, await client_for("parent_b"), "航模", finish=True)

    school_a = Scope("school", district.ids["school_a"], district.paths["school_a"])
    school_b = Scope("school", district.ids["school_b"], district.paths["school_b"])
    async with platform.db.session() as session:
        seen_by_a = await by_school_and_grade(session, school_a)
        seen_by_b = await by_school_and_grade(session, school_b)

    assert list(seen_by_a.rows) == []
    assert list(seen_by_b.rows) == [("乙中学", "初一", 1, 1)]
