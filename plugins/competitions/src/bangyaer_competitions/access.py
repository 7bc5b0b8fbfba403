"""Who may see or change an entry: the child's guardian, or staff over the child's school."""

from __future__ import annotations

from bangyaer.identity import Actor, authorize
from bangyaer.web import ApiError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Entry

MANAGE = "competitions.manage"


def may_see(actor: Actor, entry: Entry) -> bool:
    return actor.is_guardian_of(entry.student_id) or authorize(actor, MANAGE, entry.org_path)


async def entry_by_code(session: AsyncSession, actor: Actor, code: str, *,
                        guardian_only: bool = False) -> Entry:
    """The entry, if this actor may see it; otherwise the same 404 as a missing one."""
    entry = (await session.scalars(select(Entry).where(Entry.code == code))).first()
    allowed = entry is not None and (
        actor.is_guardian_of(entry.student_id) if guardian_only else may_see(actor, entry))
    if entry is None or not allowed:
        # The same answer for "no such code" and "not yours": codes reveal nothing.
        raise ApiError(404, "entry_not_found", "找不到该报名")
    return entry
