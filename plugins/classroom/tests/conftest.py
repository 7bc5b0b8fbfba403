"""Fixtures for the second-classroom tests: the plugin's platform, clients, courses, media."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import bangyaer_classroom.plugin
import httpx
import pytest
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict, login

ClientFor = Callable[[str | None], Awaitable[httpx.AsyncClient]]
MakeCourse = Callable[..., Awaitable[dict[str, Any]]]


def wav_bytes(seconds: int = 2, rate: int = 8000) -> bytes:
    """A real, playable WAV file of silence (8-bit mono)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(b"\x80" * rate * seconds)
    return out.getvalue()


@pytest.fixture
def classroom_settings() -> dict[str, Any]:
    return {}


@pytest.fixture
async def platform(make_platform: Any, bangyaer_settings: Any,
                   classroom_settings: dict[str, Any]) -> Platform:
    plugin_settings = {**bangyaer_settings.plugin_settings, "classroom": classroom_settings}
    made: Platform = await make_platform(plugins=[bangyaer_classroom.plugin],
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


@pytest.fixture
def make_course(staff: httpx.AsyncClient) -> MakeCourse:
    """A course built through the staff API; ``lessons`` are dicts for POST …/lessons."""

    async def factory(title: str = "测试课程", *, lessons: list[dict[str, Any]] | None = None,
                      publish: bool = True, **fields: Any) -> dict[str, Any]:
        body = {"title": title, "category": "科技", **fields}
        created = await staff.post("/api/v1/classroom/courses", json=body)
        assert created.status_code == 201, created.text
        course = created.json()["course"]
        for lesson in lessons if lessons is not None else [
                {"title": "第一课", "kind": "text", "body": "读一读"}]:
            added = await staff.post(f"/api/v1/classroom/courses/{course['id']}/lessons",
                                     json=lesson)
            assert added.status_code == 201, added.text
        if publish:
            published = await staff.post(f"/api/v1/classroom/courses/{course['id']}/publish")
            assert published.status_code == 200, published.text
        got = await staff.get(f"/api/v1/classroom/courses/{course['id']}")
        return got.json()["course"]  # type: ignore[no-any-return]

    return factory


async def upload_video(staff: httpx.AsyncClient, lesson_id: int, data: bytes,
                       name: str = "lesson.wav") -> httpx.Response:
    return await staff.put(f"/api/v1/classroom/lessons/{lesson_id}/video",
                           files={"file": (name, data, "application/octet-stream")})
