"""Cockpit widgets (per school, per category) and the home tile and 我的 link."""

from __future__ import annotations

from bangyaer import Scope
from bangyaer_growth._widgets import by_category, by_school


async def test_participation_per_school_counts_students_and_records(feed, platform, district):
    await feed("pioneers.took_part", student="child_1", title="植树", category="实践")
    await feed("pioneers.took_part", student="child_2", title="植树", category="实践")
    await feed("pioneers.badge_earned", student="child_2", title="环保章", category="德育")
    await feed("pioneers.took_part", student="child_b", title="植树", category="实践")
    scope = Scope("district", district.ids["district"], district.paths["district"])

    async with platform.db.session() as session:
        data = await by_school(session, scope)

    assert [tuple(r) for r in data.rows] == [("甲小学", 2, 3), ("乙中学", 1, 1)]


async def test_participation_per_category_stays_inside_the_schools_scope(feed, platform,
                                                                         district):
    await feed("pioneers.took_part", student="child_1", title="植树", category="实践")
    await feed("pioneers.badge_earned", student="child_1", title="环保章", category="德育")
    await feed("pioneers.took_part", student="child_b", title="植树", category="实践")
    scope = Scope("school", district.ids["school_a"], district.paths["school_a"])

    async with platform.db.session() as session:
        data = await by_category(session, scope)

    assert [tuple(r) for r in data.rows] == [("实践", 1, 1), ("德育", 1, 1)]


async def test_widgets_appear_on_the_district_cockpit(client_for, feed):
    await feed("pioneers.took_part", title="植树", category="实践")
    admin = await client_for("admin")

    page = await admin.get("/dashboard")

    assert "各校参与情况" in page.text and "各类别参与情况" in page.text


async def test_guardian_sees_the_home_tile_and_the_me_link(client_for):
    parent = await client_for("parent")

    home = await parent.get("/")
    me = await parent.get("/me")

    assert 'href="/growth/"' in home.text and "成长记录" in home.text
    assert "成长记录与证书" in me.text


async def test_judge_sees_no_growth_tile(client_for):
    judge = await client_for("judge")

    home = await judge.get("/")

    assert 'href="/growth/"' not in home.text


async def test_school_admin_lists_only_their_schools_students(client_for):
    head = await client_for("head_b")

    page = await head.get("/growth/")

    assert "李小华" in page.text and "王小明" not in page.text
