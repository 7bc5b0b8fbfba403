"""bangyaer_notices.api: how other plugins publish, idempotent by their source key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from bangyaer.db import utcnow
from bangyaer.identity import AuditEntry
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_notices import api
from bangyaer_notices.models import Item
from sqlalchemy import func, select

from .conftest import ClientFor

DAY = dt.timedelta(days=1)
NOW = utcnow()


async def publish(platform: Platform, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "column": "公示", "title": "第十二届科技创新大赛获奖名单公示",
        "body": "| 姓名 | 奖项 |\n|---|---|\n| 王*明 | 一等奖 |",
        "source": ("competitions", 12), "period": (NOW - DAY, NOW + 5 * DAY),
        "objection_url": "/competitions/12/appeal", **overrides,
    }
    async with platform.db.transaction() as session:
        return await api.publish_notice(session, **values)


async def test_publish_notice_returns_the_id_of_a_readable_item(
        platform: Platform, client_for: ClientFor, district: TinyDistrict) -> None:
    item_id = await publish(platform)
    anonymous = await client_for(None)

    response = await anonymous.get(f"/api/v1/notices/items/{item_id}")

    item = response.json()["item"]
    assert (item["column"], item["state"], item["period"]["state"]) == (
        "publicity", "live", "open")
    assert item["source"] == {"plugin": "competitions", "key": "12"}
    assert "<td>王*明</td>" in item["body_html"]
    assert api.notice_url(item_id) == f"/notices/{item_id}"


async def test_publishing_the_same_source_twice_keeps_one_item(
        platform: Platform, district: TinyDistrict) -> None:
    first = await publish(platform)
    second = await publish(platform)

    async with platform.db.session() as session:
        items = await session.scalar(select(func.count(Item.id)))
        entries = await session.scalar(select(func.count(AuditEntry.id)))
    assert first == second
    assert items == 1
    assert entries == 2  # created, published; the repeat changed nothing


async def test_publishing_the_same_source_again_updates_its_item(
        platform: Platform, district: TinyDistrict) -> None:
    item_id = await publish(platform)

    await publish(platform, title="获奖名单公示（更正）")

    async with platform.db.session() as session:
        item = await session.get(Item, item_id)
    assert item is not None and item.title == "获奖名单公示（更正）"


async def test_withdraw_notice_takes_the_item_back_to_draft(
        platform: Platform, client_for: ClientFor, district: TinyDistrict) -> None:
    item_id = await publish(platform)

    async with platform.db.transaction() as session:
        assert await api.withdraw_notice(session, source=("competitions", 12)) is True
        assert await api.withdraw_notice(session, source=("competitions", 13)) is False
    anonymous = await client_for(None)

    assert (await anonymous.get(f"/notices/{item_id}")).status_code == 404


@pytest.mark.parametrize(("overrides", "message"), [
    pytest.param({"column": "广告"}, "column '广告': expected one of", id="unknown-column"),
    pytest.param({"period": None}, "period_required: 公示须填写公示期", id="publicity-no-period"),
    pytest.param({"period": (dt.datetime(2026, 12, 1), dt.datetime(2026, 12, 8))},
                 "period: expected a timezone-aware datetime", id="naive-period"),
    pytest.param({"title": ""}, "title: expected 1 to 200 characters, found 0", id="no-title"),
    pytest.param({"source": ("competitions", "")}, "source ('competitions', '')",
                 id="empty-source-key"),
])
async def test_broken_rules_raise_notice_error_with_the_reason(
        platform: Platform, district: TinyDistrict, overrides: dict[str, Any],
        message: str) -> None:
    with pytest.raises(api.NoticeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        await publish(platform, **overrides)


async def test_a_plugin_skips_notices_when_it_is_disabled(
        make_platform: Any, make_client: Any) -> None:
    import bangyaer_notices.plugin

    platform = await make_platform(plugins=[bangyaer_notices.plugin],
                                   disabled_plugins=("notices",))

    # The documented pattern: ask the host before importing the API.
    published = None
    if platform.host.is_enabled("notices"):
        published = await publish(platform)

    assert published is None
    async with make_client(platform) as client:
        assert (await client.get("/notices/")).status_code == 404
