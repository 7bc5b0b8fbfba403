"""The Python API other plugins use to publish notices.

A plugin must keep working where notices is not installed or is disabled,
so it asks the host first and imports this module only then::

    if platform.host.is_enabled("notices"):
        from bangyaer_notices import api as notices  # lazily: may not be installed

        item_id = await notices.publish_notice(
            session, column="公示", title="第十二届科技创新大赛获奖名单公示",
            body=award_table_markdown, source=("competitions", activity.id),
            period=(opens_at, closes_at), objection_url=f"/competitions/{activity.id}/appeal",
        )

Calls are idempotent by ``source``: calling again with the same source
updates that item (and changes nothing when nothing differs), so a job that
is retried publishes once. Everything happens in the caller's ``session``,
so the notice commits together with the caller's own change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bangyaer.web import ApiError
from sqlalchemy.ext.asyncio import AsyncSession

from . import _service
from ._input import COLUMN_NAMES, MAX_BODY, check_objection_url
from ._queries import by_source

__all__ = ["NoticeError", "notice_url", "publish_notice", "withdraw_notice"]


class NoticeError(ValueError):
    """The notice could not be published as asked; the message says which rule failed."""


def notice_url(item_id: int) -> str:
    """The page of an item, to link to from messages and other modules."""
    return f"/notices/{item_id}"


def _aware(name: str, value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
        raise NoticeError(f"{name}: expected a timezone-aware datetime, found {value!r}")
    return value.astimezone(dt.UTC) if value else None


def _source(source: tuple[str, object]) -> tuple[str, str]:
    plugin, key = source
    if not isinstance(plugin, str) or not plugin or len(str(key)) > 64 or not str(key):
        raise NoticeError(f"source {source!r}: expected (plugin id, key of at most 64 chars)")
    return plugin, str(key)


def _fields(column: str, title: str, body: str, **values: Any) -> dict[str, Any]:
    found = COLUMN_NAMES.get(column)
    if found is None:
        raise NoticeError(f"column {column!r}: expected one of {sorted(COLUMN_NAMES)}")
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise NoticeError(f"title: expected 1 to 200 characters, found {len(title)}")
    if len(body) > MAX_BODY:
        raise NoticeError(f"body: expected at most {MAX_BODY} characters, found {len(body)}")
    return {"column": found, "title": title, "body": body, **values}


async def publish_notice(
    session: AsyncSession,
    *,
    column: str,
    title: str,
    source: tuple[str, object],
    body: str = "",
    period: tuple[dt.datetime, dt.datetime] | None = None,
    objection_contact: str = "",
    objection_url: str = "",
    public: bool = True,
    school_ids: Sequence[int] = (),
    pinned: bool = False,
    publish_at: dt.datetime | None = None,
    unpublish_at: dt.datetime | None = None,
) -> int:
    """Publish (or update) the notice for ``source``; returns its id.

    ``column`` is notice/publicity/news or 通知/公示/新闻; ``body`` is
    Markdown. A 公示 needs ``period`` and an objection contact or URL.
    ``school_ids`` empty means the whole district.
    """
    start, end = period if period else (None, None)
    key = _source(source)
    try:
        fields = _fields(
            column, title, body, public=public, pinned=pinned,
            school_ids=sorted(set(school_ids)), period_start=_aware("period", start),
            period_end=_aware("period", end),
            objection_contact=" ".join(objection_contact.split()),
            objection_url=check_objection_url(objection_url),
        )
        item = await by_source(session, *key)
        item = await _service.save_item(session, None, item, fields, source=key)
        await _service.publish(session, None, item, publish_at=_aware("publish_at", publish_at),
                               unpublish_at=_aware("unpublish_at", unpublish_at))
    except ApiError as exc:  # a rule of the service, said in the plugin author's terms
        raise NoticeError(f"{exc.code}: {exc.message}") from None
    return item.id


async def withdraw_notice(session: AsyncSession, *, source: tuple[str, object]) -> bool:
    """Take the notice for ``source`` back to draft; False if there is none."""
    item = await by_source(session, *_source(source))
    if item is None:
        return False
    await _service.unpublish(session, None, item)
    return True
