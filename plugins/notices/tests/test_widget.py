"""The cockpit widget: items published and read this month, per column."""

from __future__ import annotations

import datetime as dt

from bangyaer import Scope
from bangyaer.db import utcnow
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_notices._widgets import month_start, this_month
from bangyaer_notices.models import Column

from .conftest import ClientFor, MakeItem


async def rows(platform: Platform, scope: Scope) -> list[tuple[object, ...]]:
    async with platform.db.session() as session:
        data = await this_month(session, scope)
    return [tuple(r) for r in data.rows]


def district_scope(district: TinyDistrict) -> Scope:
    return Scope("district", district.ids["district"], district.paths["district"])


def school_scope(district: TinyDistrict, key: str) -> Scope:
    return Scope("school", district.ids[key], district.paths[key])


async def test_counts_items_published_this_month_and_not_before(
        platform: Platform, district: TinyDistrict, make_item: MakeItem) -> None:
    start = month_start(utcnow())
    await make_item("本月通知", publish_at=start)
    await make_item("本月新闻", column=Column.news, publish_at=start)
    await make_item("上月通知", publish_at=start - dt.timedelta(days=1))

    assert await rows(platform, district_scope(district)) == [
        ("通知", 1, 0), ("公示", 0, 0), ("新闻", 1, 0)]


async def test_counts_each_signed_in_reader_once(
        platform: Platform, district: TinyDistrict, client_for: ClientFor,
        make_item: MakeItem) -> None:
    item = await make_item("本月通知", publish_at=month_start(utcnow()))
    parent = await client_for("parent")
    for _ in range(3):
        await parent.get(f"/notices/{item.id}")
    await (await client_for(None)).get(f"/notices/{item.id}")

    assert (await rows(platform, district_scope(district)))[0] == ("通知", 1, 1)


async def test_a_school_counts_only_its_own_readers_and_what_reached_it(
        platform: Platform, district: TinyDistrict, client_for: ClientFor,
        make_item: MakeItem) -> None:
    start = month_start(utcnow())
    item = await make_item("全区通知", publish_at=start)
    await make_item("乙校通知", publish_at=start, schools=("school_b",))
    await (await client_for("parent")).get(f"/notices/{item.id}")

    assert (await rows(platform, school_scope(district, "school_a")))[0] == ("通知", 1, 1)
    assert (await rows(platform, school_scope(district, "school_b")))[0] == ("通知", 2, 0)


async def test_widget_is_on_the_district_cockpit(client_for: ClientFor) -> None:
    staff = await client_for("staff")

    response = await staff.get("/api/v1/dashboard")

    widgets = {w["id"]: w for w in response.json()["widgets"]}
    assert widgets["notices.this_month"]["data"]["columns"] == [
        "栏目", "本月发布", "本月阅读人次（登录用户，每人每条计一次）"]
