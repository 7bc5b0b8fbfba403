"""Fixtures for the clubs tests: the plugin's platform, clients per user, clubs."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import bangyaer_clubs.plugin
import httpx
import pytest
from bangyaer.identity import Account
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict, login
from sqlalchemy import select

ClientFor = Callable[[str | None], Awaitable[httpx.AsyncClient]]
MakeClub = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def clubs_settings() -> dict[str, Any]:
    """[plugins.clubs] for the test's platform; override it with parametrize."""
    return {}


@pytest.fixture
async def platform(make_platform: Any, bangyaer_settings: Any,
                   clubs_settings: dict[str, Any]) -> Platform:
    plugin_settings = {**bangyaer_settings.plugin_settings, "clubs": clubs_settings}
    made: Platform = await make_platform(plugins=[bangyaer_clubs.plugin],
                                         plugin_settings=plugin_settings)
    return made


@pytest.fixture
async def client_for(platform: Platform, make_client: Any, district: TinyDistrict
                     ) -> AsyncIterator[ClientFor]:
    """A client signed in as ``username`` (anonymous for None); ``parent`` acts for child_1."""
    opened: list[httpx.AsyncClient] = []

    async def factory(username: str | None) -> httpx.AsyncClient:
        client = make_client(platform)
        opened.append(client)
        if username is not None:
            await login(client, username, TinyDistrict.PASSWORD)
        if username == "parent":
            chosen = await client.post("/api/v1/me/acting-child",
                                       json={"child_id": district.ids["child_1"]})
            chosen.raise_for_status()
        return client

    yield factory
    for client in opened:
        await client.aclose()


@pytest.fixture
async def staff(client_for: ClientFor) -> httpx.AsyncClient:
    return await client_for("staff")


async def account_id(platform: Platform, username: str) -> int:
    async with platform.db.session() as session:
        found = await session.scalar(select(Account.id).where(Account.username == username))
    assert found is not None
    return int(found)


@pytest.fixture
def make_club(staff: httpx.AsyncClient, platform: Platform) -> MakeClub:
    """A club made through the staff API, led by ``leader``, with an open round by default."""

    async def factory(name: str = "合唱团", *, leader: str | None = "teacher_a",
                      questions: list[str] | None = None, recruiting: bool = True,
                      **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "category": "艺术", "year_min": 1,
                                "year_max": 9, **fields}
        if leader:
            body["leader_account_id"] = await account_id(platform, leader)
        created = await staff.post("/api/v1/clubs/clubs", json=body)
        assert created.status_code == 201, created.text
        club = created.json()["club"]
        if recruiting:
            now = dt.datetime.now(dt.UTC)
            opened = await staff.post(f"/api/v1/clubs/clubs/{club['id']}/rounds", json={
                "title": "春季招新", "opens_at": (now - dt.timedelta(days=1)).isoformat(),
                "closes_at": (now + dt.timedelta(days=7)).isoformat(),
                "questions": ["孩子学过唱歌吗？"] if questions is None else questions})
            assert opened.status_code == 201, opened.text
        return club  # type: ignore[no-any-return]

    return factory


async def apply(client: httpx.AsyncClient, club: dict[str, Any],
                answers: list[str] | None = None) -> httpx.Response:
    return await client.post(f"/api/v1/clubs/clubs/{club['id']}/applications",
                             json={"answers": ["学过两年"] if answers is None else answers})


async def decide(client: httpx.AsyncClient, application_id: int, admit: bool = True,
                 **extra: Any) -> httpx.Response:
    return await client.post(f"/api/v1/clubs/applications/{application_id}/decision",
                             json={"admit": admit, **extra})
