"""Fixtures for the pioneers tests: the plugin's platform, clients per user, activities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import bangyaer_pioneers.plugin
import httpx
import pytest
from bangyaer.db import utcnow
from bangyaer.identity import Account, Organisation
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_pioneers.models import Activity, Badge, Counsellor, Kind
from sqlalchemy import select

ClientFor = Callable[..., Awaitable[httpx.AsyncClient]]
MakeActivity = Callable[..., Awaitable[int]]
Appoint = Callable[[str, str], Awaitable[None]]

DAY = dt.timedelta(days=1)


@pytest.fixture
def pioneers_settings() -> dict[str, Any]:
    """[plugins.pioneers] for the test's platform; override it in a test module."""
    return {}


@pytest.fixture
async def platform(make_platform: Any, bangyaer_settings: Any,
                   pioneers_settings: dict[str, Any]) -> Platform:
    plugin_settings = {**bangyaer_settings.plugin_settings, "pioneers": pioneers_settings}
    platform: Platform = await make_platform(plugins=[bangyaer_pioneers.plugin],
                                             plugin_settings=plugin_settings)
    return platform




async def account_of(session: Any, district: TinyDistrict, username: str) -> Account:
    account: Account | None = await session.scalar(
        select(Account).where(Account.username == username))
    assert account is not None
    return account


@pytest.fixture
def appoint(platform: Platform, district: TinyDistrict) -> Appoint:
    """Make ``username`` counsellor of a TinyDistrict school or class, straight in the table."""

    async def factory(username: str, org: str) -> None:
        async with platform.db.transaction() as session:
            account = await account_of(session, district, username)
            target = await session.get(Organisation, district.ids[org])
            assert target is not None
            session.add(Counsellor(account_id=account.id, org_id=target.id,
                                   org_path=target.path))

    return factory


@pytest.fixture
def make_activity(platform: Platform, district: TinyDistrict) -> MakeActivity:
    """An activity for a TinyDistrict organisation, open now unless the window says otherwise."""

    async def factory(org: str = "school_a", *, kind: Kind = Kind.text,
                      title: str = "红领巾读书月", opens_in: dt.timedelta = -DAY,
                      closes_in: dt.timedelta = 7 * DAY) -> int:
        now = utcnow()
        async with platform.db.transaction() as session:
            activity = Activity(title=title, theme="写写你最喜欢的书", kind=kind,
                                org_path=district.paths[org], opens_at=now + opens_in,
                                closes_at=now + closes_in)
            session.add(activity)
            await session.flush()
            return activity.id

    return factory


@pytest.fixture
async def badge(platform: Platform, district: TinyDistrict) -> int:
    async with platform.db.transaction() as session:
        row = Badge(code="reading", name="阅读章", criteria="一学期读完 4 本课外书")
        session.add(row)
        await session.flush()
        return row.id
