"""What the page, download and JSON handlers share."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.db import utcnow
from bangyaer.web import ApiError, get_actor, get_platform, require_actor
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from .._access import can_edit, can_read, is_live, readership
from .._input import COLUMN_NAMES
from .._service import audience_of
from ..models import COLUMN_TITLES, Attachment, Column, Item, Status

PLUGIN = "notices"
STATE_TITLES = {"draft": "草稿", "scheduled": "待发布", "live": "已发布", "expired": "已下线"}
PERIOD_TITLES = {"upcoming": "未开始", "open": "公示中", "closed": "已结束"}


def config(request: Request) -> dict[str, Any]:
    return dict(get_platform(request).config(PLUGIN))


def zone(request: Request) -> ZoneInfo:
    return ZoneInfo(get_platform(request).settings.timezone)


def now() -> dt.datetime:
    return utcnow()


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or int(raw) > 10_000:
        raise ApiError(422, "invalid_parameter", "page 应为 1 到 10000 之间的整数")
    return int(raw)


def column_param(value: str | None) -> Column | None:
    """An optional ?column= filter."""
    return column_in_path(value) if value else None


def column_in_path(value: str) -> Column:
    column = COLUMN_NAMES.get(value)
    if column is None:
        raise ApiError(404, "not_found", f"栏目“{value}”不存在")
    return column


async def load_item(session: AsyncSession, item_id: int) -> Item:
    item = await session.get(Item, item_id)
    if item is None:
        raise ApiError(404, "not_found", "通知不存在或已删除")
    return item


def state(item: Item, at: dt.datetime) -> str:
    if item.status == Status.draft:
        return "draft"
    if item.publish_at is not None and item.publish_at > at:
        return "scheduled"
    if item.unpublish_at is not None and item.unpublish_at <= at:
        return "expired"
    return "live"


def period_state(item: Item, at: dt.datetime) -> str | None:
    if item.column != Column.publicity or not (item.period_start and item.period_end):
        return None
    if at < item.period_start:
        return "upcoming"
    return "open" if at < item.period_end else "closed"


def column_title(column: Column, locale: str) -> str:
    zh, en = COLUMN_TITLES[column]
    return en if locale.startswith("en") else zh


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def item_json(item: Item, *, at: dt.datetime, school_ids: list[int] | None = None,
              files: list[Attachment] | None = None, body_html: str | None = None
              ) -> dict[str, Any]:
    """An item as the JSON API shows it; the list leaves out body and files."""
    out: dict[str, Any] = {
        "id": item.id, "column": str(item.column), "title": item.title,
        "excerpt": item.excerpt, "state": state(item, at), "pinned": item.pinned,
        "public": item.public, "publish_at": _iso(item.publish_at),
        "unpublish_at": _iso(item.unpublish_at), "url": f"/notices/{item.id}",
        "cover_url": f"/notices/{item.id}/cover" if item.cover_sha256 else None,
        "period": None, "objection": None,
        "source": ({"plugin": item.source_plugin, "key": item.source_key}
                   if item.source_plugin else None),
    }
    if item.column == Column.publicity:
        out["period"] = {"start": _iso(item.period_start), "end": _iso(item.period_end),
                         "state": period_state(item, at)}
        out["objection"] = {"contact": item.objection_contact, "url": item.objection_url}
    if school_ids is not None:
        out["audience"] = {"whole_district": item.whole_district, "school_ids": school_ids}
    if body_html is not None:
        out["body"] = item.body
        out["body_html"] = body_html
    if files is not None:
        out["attachments"] = [{
            "id": f.id, "name": f.name, "size": f.size, "content_type": f.content_type,
            "url": f"/notices/{item.id}/files/{f.id}"} for f in files]
    return out


async def readable_item(request: Request, session: AsyncSession) -> tuple[Item, bool]:
    """The item in the path if the actor may read it, and whether they edit it.

    Editors see their items in any state (that is the preview); others see
    live items meant for them. Anonymous visitors are sent to sign in first.
    """
    actor = await get_actor(request)
    item = await load_item(session, int(request.path_params["item_id"]))
    if can_edit(actor, item):
        return item, True
    if not is_live(item, now()):
        raise ApiError(404, "not_found", "通知不存在或已下线")
    if not can_read(item, set(await audience_of(session, item.id)), readership(actor)):
        await require_actor(request)  # anonymous: sign in, then come back
        raise ApiError(403, "not_for_you", "此通知仅面向部分学校的家长和老师")
    return item, False
