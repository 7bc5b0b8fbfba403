"""Reading items: the columns, search, pages, and one item with its files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bangyaer.identity import Organisation
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ._access import Readership, live, readable
from .models import Attachment, Audience, Column, Item

MAX_TERMS = 5


@dataclass
class Page:
    items: list[Item]
    total: int
    page: int
    per_page: int
    attachments: dict[int, int] = field(default_factory=dict)  # item id -> count

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search_terms(query: str) -> list[str]:
    return [t for t in query.split() if t][:MAX_TERMS]


def _matches(terms: Sequence[str]) -> ColumnElement[bool]:
    # Every word must appear in the title or the text. autoescape keeps a
    # typed % or _ literal instead of a wildcard.
    # Not yet: full-text search; LIKE is enough for a district's thousands of notices.
    return and_(*[or_(Item.title.contains(t, autoescape=True),
                      Item.body.contains(t, autoescape=True)) for t in terms])


PINNED_FIRST = (Item.pinned.desc(), Item.publish_at.desc(), Item.id.desc())
NEWEST_FIRST = (Item.publish_at.desc(), Item.id.desc())
CHANGED_FIRST = (Item.updated_at.desc(), Item.id.desc())


async def _paged(session: AsyncSession, where: list[ColumnElement[bool]], page: int,
                 per_page: int, order: tuple[Any, ...]) -> Page:
    total = await session.scalar(select(func.count(Item.id)).where(*where)) or 0
    rows = list(await session.scalars(
        select(Item).where(*where).order_by(*order)
        .offset((page - 1) * per_page).limit(per_page)))
    counts = await attachment_counts(session, [i.id for i in rows])
    return Page(rows, int(total), page, per_page, counts)


async def published(
    session: AsyncSession, who: Readership, now: dt.datetime, *,
    column: Column | None = None, query: str = "", page: int = 1, per_page: int = 20,
    newest_first: bool = False,
) -> Page:
    """What ``who`` may read now: pinned first (unless ``newest_first``), then newest."""
    where = [live(now), readable(who)]
    if column is not None:
        where.append(Item.column == column)
    terms = search_terms(query)
    if terms:
        where.append(_matches(terms))
    return await _paged(session, where, page, per_page,
                        NEWEST_FIRST if newest_first else PINNED_FIRST)


async def managed(
    session: AsyncSession, editable: ColumnElement[bool], *, column: Column | None = None,
    query: str = "", page: int = 1, per_page: int = 20,
) -> Page:
    """Every item an editor may change, drafts included, last changed first."""
    where = [editable]
    if column is not None:
        where.append(Item.column == column)
    terms = search_terms(query)
    if terms:
        where.append(_matches(terms))
    return await _paged(session, where, page, per_page, CHANGED_FIRST)


async def attachment_counts(session: AsyncSession, item_ids: list[int]) -> dict[int, int]:
    if not item_ids:
        return {}
    rows = await session.execute(
        select(Attachment.item_id, func.count(Attachment.id))
        .where(Attachment.item_id.in_(item_ids)).group_by(Attachment.item_id))
    return {item_id: int(n) for item_id, n in rows}


async def attachments(session: AsyncSession, item_id: int) -> list[Attachment]:
    return list(await session.scalars(
        select(Attachment).where(Attachment.item_id == item_id).order_by(Attachment.id)))


async def audience_schools(session: AsyncSession, item_id: int) -> list[Organisation]:
    return list(await session.scalars(
        select(Organisation).join(Audience, Audience.school_id == Organisation.id)
        .where(Audience.item_id == item_id).order_by(Organisation.code)))


async def by_source(session: AsyncSession, plugin: str, key: str) -> Item | None:
    found: Item | None = await session.scalar(
        select(Item).where(Item.source_plugin == plugin, Item.source_key == key))
    return found
