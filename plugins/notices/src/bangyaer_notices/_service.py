"""Changing items: every change is checked here and written to the audit trail.

The trail is the core's ``identity.audit`` (table core_audit, target_type
``notices_item``): each entry names the account (None when another plugin
acted through ``bangyaer_notices.api``) and the fields that changed with
their old and new values, so what a notice said on any day can be read back.

``editor`` is the signed-in actor making the change, whose rights are
checked; None means a plugin acting through the Python API, which is trusted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import Actor, Organisation, OrgKind, Person, audit, authorize, district_of
from bangyaer.web import ApiError
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ._access import PUBLISH, PUBLISH_SCHOOL, school_of
from ._input import invalid
from ._markdown import plain_text
from .models import Attachment, Audience, Column, Item, Read, Status

log = logging.getLogger("bangyaer.notices")

TARGET = "notices_item"
_TRACKED = (
    "column", "title", "body", "status", "publish_at", "unpublish_at", "pinned", "public",
    "whole_district", "org_path", "period_start", "period_end", "objection_contact",
    "objection_url", "cover_sha256",
)
_PUBLICITY_ONLY = ("period_start", "period_end", "objection_contact", "objection_url")
SCHOOL_ONLY = "学校管理员只能面向本校发布通知"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


async def audience_of(session: AsyncSession, item_id: int) -> list[int]:
    rows = await session.scalars(
        select(Audience.school_id).where(Audience.item_id == item_id).order_by(Audience.school_id)
    )
    return list(rows)


async def _snapshot(session: AsyncSession, item: Item | None) -> dict[str, Any]:
    if item is None or item.id is None:
        return {}
    values = {name: _plain(getattr(item, name)) for name in _TRACKED}
    values["school_ids"] = await audience_of(session, item.id)
    return values


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items()
            if before.get(name) != value}


async def _resolve_audience(
    session: AsyncSession, editor: Actor | None, school_ids: list[int], owner: str | None
) -> str:
    """Check the chosen schools; the path of the organisation that will own the item.

    ``owner`` is the item's owner so far: a school's item that district
    staff edit stays the school's while it is still for that school alone.
    """
    found = {o.id: o for o in await session.scalars(
        select(Organisation).where(Organisation.id.in_(school_ids),
                                   Organisation.kind == OrgKind.school))}
    missing = [str(i) for i in school_ids if i not in found]
    if missing:
        raise invalid("school_ids", f"学校不存在：{', '.join(missing)}")
    district = await district_of(session)
    if district is None:
        raise ApiError(409, "no_district", "尚未建立区级组织，无法发布通知")
    if editor is None or authorize(editor, PUBLISH, district.path):
        keep = owner is not None and [school_of(owner)] == school_ids
        return owner if keep and owner else district.path
    if len(school_ids) != 1 or not authorize(editor, PUBLISH_SCHOOL, found[school_ids[0]]):
        raise ApiError(403, "school_only", SCHOOL_ONLY, detail={"field": "school_ids"})
    return found[school_ids[0]].path


def _own_school(editor: Actor) -> list[int]:
    """A school admin's own school, the audience when they choose none."""
    schools = sorted({s for p in editor.scopes(PUBLISH_SCHOOL) if (s := school_of(p))})
    if len(schools) != 1:
        raise invalid("school_ids", "请选择要面向的学校")
    return schools


def _check(item: Item) -> None:
    """Rules across fields, checked after every change."""
    if item.publish_at and item.unpublish_at and item.unpublish_at <= item.publish_at:
        raise invalid("unpublish_at", "下线时间应晚于发布时间")
    if item.period_start and item.period_end and item.period_end <= item.period_start:
        raise invalid("period_end", "公示结束时间应晚于开始时间")
    if item.status == Status.published and item.column == Column.publicity:
        if not (item.period_start and item.period_end):
            raise invalid("period_start", "公示须填写公示期（开始与结束时间）", "period_required")
        if not (item.objection_contact or item.objection_url):
            raise invalid("objection_contact", "公示须写明异议方式：联系方式或链接",
                          "objection_required")


async def save_item(
    session: AsyncSession,
    editor: Actor | None,
    item: Item | None,
    fields: Mapping[str, Any],
    *,
    source: tuple[str, str] | None = None,
) -> Item:
    """Create (``item`` None) or change an item from checked ``fields``."""
    before = await _snapshot(session, item)
    creating = item is None
    if item is None:
        item = Item(status=Status.draft, public=True, pinned=False, body="")
        if source is not None:
            item.source_plugin, item.source_key = source
    school_ids: list[int] | None = fields.get("school_ids")
    if school_ids is None and creating:
        school_ids = []
    if school_ids is not None:
        if not school_ids and editor is not None and not authorize(editor, PUBLISH):
            school_ids = _own_school(editor)
        item.org_path = await _resolve_audience(session, editor, school_ids,
                                                None if creating else item.org_path)
        item.whole_district = not school_ids
    for name, value in fields.items():
        if name != "school_ids":
            setattr(item, name, value)
    if item.column != Column.publicity:
        for name in _PUBLICITY_ONLY:
            setattr(item, name, "" if name.startswith("objection") else None)
    item.excerpt = plain_text(item.body)
    _check(item)
    account = editor.account_id if editor else None
    if creating:
        item.created_by = account
        session.add(item)
    item.updated_by = account
    await session.flush()
    if school_ids is not None:
        await _set_audience(session, item.id, [] if item.whole_district else school_ids)
    await _audit_change(session, editor, item, before, "created" if creating else "updated",
                        source=source)
    return item


async def _set_audience(session: AsyncSession, item_id: int, school_ids: list[int]) -> None:
    await session.execute(delete(Audience).where(Audience.item_id == item_id))
    session.add_all(Audience(item_id=item_id, school_id=s) for s in school_ids)
    await session.flush()


async def _audit_change(
    session: AsyncSession, editor: Actor | None, item: Item, before: Mapping[str, Any],
    what: str, **extra: Any,
) -> bool:
    changes = _changes(before, await _snapshot(session, item))
    if not changes:
        return False  # a retry with the same content leaves no trace
    detail = {k: list(v) if isinstance(v, tuple) else v for k, v in extra.items() if v}
    await audit(session, editor, f"notices.item.{what}", TARGET, item.id,
                changes=changes, **detail)
    log.info("notices item %s %s (%s)", item.id, what, ", ".join(sorted(changes)))
    return True


async def publish(
    session: AsyncSession,
    editor: Actor | None,
    item: Item,
    *,
    publish_at: dt.datetime | None = None,
    unpublish_at: dt.datetime | object | None = ...,
) -> Item:
    """Make an item visible from ``publish_at`` (default: now, or its scheduled time)."""
    before = await _snapshot(session, item)
    now = utcnow()
    if publish_at is None:
        if item.status == Status.published and item.publish_at:
            publish_at = item.publish_at  # already published: a repeat keeps its date
        elif item.publish_at and item.publish_at > now:
            publish_at = item.publish_at  # the time scheduled on the form
        else:
            publish_at = now
    item.status = Status.published
    item.publish_at = publish_at
    if unpublish_at is not ...:
        item.unpublish_at = unpublish_at  # type: ignore[assignment]
    _check(item)
    item.updated_by = editor.account_id if editor else None
    await session.flush()
    if await _audit_change(session, editor, item, before, "published"):
        await emit(session, "notices.item_published",
                   actor_account_id=editor.account_id if editor else None,
                   item_id=item.id, column=str(item.column), title=item.title,
                   public=item.public, publish_at=item.publish_at.isoformat())
    return item


async def unpublish(session: AsyncSession, editor: Actor | None, item: Item) -> Item:
    """Take an item back to draft: readers no longer see it."""
    before = await _snapshot(session, item)
    item.status = Status.draft
    item.updated_by = editor.account_id if editor else None
    await session.flush()
    await _audit_change(session, editor, item, before, "unpublished")
    return item


async def delete_item(session: AsyncSession, editor: Actor | None, item: Item) -> None:
    """Remove an item with its files and reads; the audit entry keeps what it said."""
    before = await _snapshot(session, item)
    names = list(await session.scalars(
        select(Attachment.name).where(Attachment.item_id == item.id)))
    for table in (Attachment, Audience, Read):
        await session.execute(delete(table).where(table.item_id == item.id))
    item_id = item.id
    await session.delete(item)
    await session.flush()
    await audit(session, editor, "notices.item.deleted", TARGET, item_id,
                changes={k: [v, None] for k, v in before.items()}, attachments=names)
    log.info("notices item %s deleted", item_id)


async def has_read(session: AsyncSession, item: Item, person: Person) -> bool:
    found = await session.scalar(
        select(Read.id).where(Read.item_id == item.id, Read.person_id == person.id))
    return found is not None


async def record_read(session: AsyncSession, item: Item, person: Person) -> None:
    """Count a signed-in person's first reading of an item (later ones change nothing)."""
    values = {"item_id": item.id, "person_id": person.id, "org_path": person.org_path,
              "read_at": utcnow()}
    # Two tabs opening the same notice at once must not fail one of them.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(insert(Read).values(**values).on_conflict_do_nothing(
        index_elements=["item_id", "person_id"]))
