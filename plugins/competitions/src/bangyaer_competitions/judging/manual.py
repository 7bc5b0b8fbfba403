"""Staff's rare steps after the draw, for the API and the desk alike: drop a judge, move
one entry to another judge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bangyaer.identity import Actor
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Activity, Entry
from ..staff import managed_activity
from . import service
from .models import Assignment, JudgeInvite


async def invite_of(session: AsyncSession, activity: Activity, invite_id: int) -> JudgeInvite:
    invite = await session.get(JudgeInvite, invite_id)
    if invite is None or invite.activity_id != activity.id:
        raise ApiError(404, "judge_not_found", _("找不到该评委"))
    return invite


async def unscored(session: AsyncSession, invite: JudgeInvite) -> int:
    """How many entries dropping this judge would hand to others."""
    found = await session.scalar(select(func.count(Assignment.id)).where(
        Assignment.activity_id == invite.activity_id, Assignment.group_id == invite.group_id,
        Assignment.judge_account_id == invite.account_id, Assignment.status == "assigned"))
    return int(found or 0)


async def drop(session: AsyncSession, actor: Actor, activity: Activity, invite_id: int,
               note: str) -> tuple[JudgeInvite, int]:
    """Drop the judge; (their invite, how many entries went to others)."""
    invite = await invite_of(session, activity, invite_id)
    moved = await service.drop_judge(session, actor, activity, invite, note)
    return invite, moved


@dataclass(frozen=True)
class Moved:
    code: str
    judge_account_id: int
    round: str


async def move(db: Any, actor: Actor, activity_id: int, *, code: str, from_judge: int,
               to_judge: int, note: str) -> Moved:
    """Move one entry in its own transaction; a refusal the rules make is rolled back and
    then logged, so that staff tried it is kept."""
    try:
        async with db.transaction() as session:
            activity = await managed_activity(session, actor, activity_id, organiser=True)
            entry = (await session.scalars(select(Entry).where(
                Entry.activity_id == activity.id, Entry.code == code.strip()))).first()
            if entry is None:
                raise ApiError(404, "entry_not_found", _("找不到该报名"),
                               detail={"field": "code"})
            row = await service.change_judge(session, actor, activity, entry,
                                             from_judge=from_judge, to_judge=to_judge,
                                             note=note)
            return Moved(entry.code, row.judge_account_id, row.round)
    except service.ChangeRefused as refused:
        async with db.transaction() as session:
            await service.log_refusal(session, actor, activity_id, refused)
        raise
