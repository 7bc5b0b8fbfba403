"""Fixtures for the notices tests: the plugin's platform, clients per user, items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import bangyaer_notices.plugin
import httpx
import pytest
from bangyaer.db import utcnow
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_notices import _service
from bangyaer_notices.models import Column, Item

ClientFor = Callable[[str], Awaitable[httpx.AsyncClient]]
MakeItem = Callable[..., Awaitable[Item]]

HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # TinyDistrict hashes eight passwords per test; with production argon2
    # cost that dominates the suite. These tests are about notices, not hashing.
    from argon2 import PasswordHasher
    from bangyaer.identity import _passwords

    monkeypatch.setattr(_passwords, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def notices_settings() -> dict[str, Any]:
    """[plugins.notices] for the test's platform; override it in a test module."""
    return {}


@pytest.fixture
async def platform(make_platform: Any, bangyaer_settings: Any,
                   notices_settings: dict[str, Any]) -> Platform:
    plugin_settings = {**bangyaer_settings.plugin_settings, "notices": notices_settings}
    platform: Platform = await make_platform(plugins=[bangyaer_notices.plugin],
                                             plugin_settings=plugin_settings)
    return platform




@pytest.fixture
async def make_item(platform: Platform, district: TinyDistrict) -> MakeItem:
    """An item written straight through the service (as a plugin would), published by default.

    ``schools`` names TinyDistrict schools ("school_a"); ``publish_at`` may
    be in the past or the future; ``draft=True`` leaves it unpublished.
    """

    async def factory(title: str = "测试通知", *, column: Column = Column.notice,
                      body: str = "正文", schools: tuple[str, ...] = (), public: bool = True,
                      draft: bool = False, publish_at: dt.datetime | None = None,
                      unpublish_at: dt.datetime | None = None, **fields: Any) -> Item:
        values = {"column": column, "title": title, "body": body, "public": public,
                  "school_ids": [district.ids[s] for s in schools], **fields}
        if column == Column.publicity:
            values.setdefault("period_start", utcnow() - HOUR)
            values.setdefault("period_end", utcnow() + 72 * HOUR)
            values.setdefault("objection_contact", "竞赛部 302 室")
        async with platform.db.transaction() as session:
            item = await _service.save_item(session, None, None, values)
            if not draft:
                await _service.publish(session, None, item,
                                       publish_at=publish_at or utcnow() - HOUR,
                                       unpublish_at=unpublish_at)
        return item

    return factory
