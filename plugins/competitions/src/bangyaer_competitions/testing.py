"""Helpers for tests of this plugin and of plugins that build on it (activities, files)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import httpx
from bangyaer.platform import Platform
from PIL import Image
from sqlalchemy import update

from .models import Activity


async def act_for(client: httpx.AsyncClient, child_id: int) -> None:
    response = await client.post("/api/v1/me/acting-child", json={"child_id": child_id})
    response.raise_for_status()


def iso(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).isoformat()


def activity_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "区少儿书画比赛", "category": "艺术", "type": "artwork",
        "groups": [
            {"name": "小学低段", "stage": "primary", "grade_min": 1, "grade_max": 3},
            {"name": "小学高段", "stage": "primary", "grade_min": 4, "grade_max": 6},
            {"name": "初中组", "stage": "middle", "grade_min": 1, "grade_max": 3},
        ],
        "registration_opens_at": iso(dt.timedelta(hours=-1)),
        "registration_closes_at": iso(dt.timedelta(days=1)),
        "submission_deadline": iso(dt.timedelta(days=2)),
    }
    body.update(overrides)
    return body


async def create_activity(client: httpx.AsyncClient, *, open_it: bool = True,
                          **overrides: Any) -> int:
    response = await client.post("/api/v1/competitions/activities",
                                 json=activity_body(**overrides))
    assert response.status_code == 201, response.text
    activity_id = int(response.json()["id"])
    if open_it:
        moved = await client.post(f"/api/v1/competitions/activities/{activity_id}/transitions",
                                  json={"to": "open"})
        assert moved.status_code == 200, moved.text
    return activity_id


async def set_times(platform: Platform, activity_id: int, **times: dt.timedelta) -> None:
    """Move an activity's dates relative to now, as if the clock had run on."""
    now = dt.datetime.now(dt.UTC)
    async with platform.db.transaction() as session:
        await session.execute(update(Activity).where(Activity.id == activity_id)
                              .values(**{k: now + v for k, v in times.items()}))


async def register(client: httpx.AsyncClient, activity_id: int, **kwargs: Any
                   ) -> httpx.Response:
    return await client.post(f"/api/v1/competitions/activities/{activity_id}/entries",
                             **kwargs)


def jpeg(width: int = 800, height: int = 800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def mp4_bytes(size: int) -> bytes:
    """The start of an MP4 (an ftyp box) followed by filler, ``size`` bytes in all."""
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return head + b"\x00" * (size - len(head))


async def upload(client: httpx.AsyncClient, code: str, data: bytes, name: str = "a.jpg",
                 content_type: str = "image/jpeg") -> httpx.Response:
    return await client.post(f"/api/v1/competitions/entries/{code}/files", content=data,
                             headers={"Content-Type": content_type, "X-File-Name": name})
