"""What the handlers share: the platform's pieces, ids from paths, time parsing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bangyaer.identity import Organisation, Person, PersonKind
from bangyaer.web import ApiError, get_platform
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

PLUGIN = "pioneers"


def config(request: Request) -> dict[str, Any]:
    return dict(get_platform(request).config(PLUGIN))


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def parse_time(name: str, raw: str) -> dt.datetime:
    """An ISO 8601 time with its zone (the form's Beijing time says +08:00)."""
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "invalid_field",
                       f"{name} 应为 ISO 8601 时间，如 2027-03-01T08:00+08:00",
                       detail={"field": name}) from None
    if value.tzinfo is None:
        raise ApiError(422, "invalid_field", f"{name} 须带时区，如 +08:00",
                       detail={"field": name})
    return value.astimezone(dt.UTC)


def clean_text(name: str, raw: str, limit: int, *, required: bool = True) -> str:
    text = raw.strip()
    if required and not text:
        raise ApiError(422, "missing_field", f"请填写{name}", detail={"field": name})
    if len(text) > limit:
        raise ApiError(422, "invalid_field", f"{name}最多 {limit} 字", detail={"field": name})
    return text


async def load_org(session: AsyncSession, org_id: int) -> Organisation:
    org = await session.get(Organisation, org_id)
    if org is None or not org.active:
        raise ApiError(404, "not_found", "没有这个组织")
    return org


async def load_pioneer(session: AsyncSession, child_id: int) -> Person:
    child = await session.get(Person, child_id)
    if child is None or child.kind != PersonKind.student or not child.active:
        raise ApiError(404, "not_found", "没有这名少先队员")
    return child
