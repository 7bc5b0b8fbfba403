"""Fixtures for the competitions tests: the plugin's platform, signed-in clients, activities."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import bangyaer_competitions.plugin
import httpx
import pytest
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_competitions.testing import act_for

ClientFor = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def platform(make_platform: Any) -> Platform:
    platform: Platform = await make_platform(plugins=[bangyaer_competitions.plugin])
    return platform




@pytest.fixture
async def staff(client_for: ClientFor) -> httpx.AsyncClient:
    return await client_for("staff")


@pytest.fixture
async def parent(client_for: ClientFor, district: TinyDistrict) -> httpx.AsyncClient:
    client = await client_for("parent")
    await act_for(client, district.ids["child_1"])
    return client
