"""Fixtures for the competitions tests: the plugin's platform, signed-in clients, activities."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import bangyaer_competitions.plugin
import httpx
import pytest
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict, login
from bangyaer_competitions.testing import act_for

ClientFor = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def platform(make_platform: Any) -> Platform:
    platform: Platform = await make_platform(plugins=[bangyaer_competitions.plugin])
    return platform


@pytest.fixture
async def client_for(platform: Platform, make_client: Any, district: TinyDistrict
                     ) -> AsyncIterator[ClientFor]:
    """A signed-in client per username; guardians act for their first child."""
    opened: list[httpx.AsyncClient] = []

    async def factory(username: str) -> httpx.AsyncClient:
        client = make_client(platform)
        opened.append(client)
        await login(client, username, TinyDistrict.PASSWORD)
        return client

    yield factory
    for client in opened:
        await client.aclose()


@pytest.fixture
async def staff(client_for: ClientFor) -> httpx.AsyncClient:
    return await client_for("staff")


@pytest.fixture
async def parent(client_for: ClientFor, district: TinyDistrict) -> httpx.AsyncClient:
    client = await client_for("parent")
    await act_for(client, district.ids["child_1"])
    return client
