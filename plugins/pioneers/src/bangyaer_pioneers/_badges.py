"""The badge programme (争章): badges, their criteria, and awards to single pioneers."""

from __future__ import annotations

import logging
import re
from typing import Any

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import Actor, Person, audit
from bangyaer.web import ApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ._access import Reach
from ._activities import CATEGORY
from ._common import iso
from .models import Award, Badge

log = logging.getLogger("bangyaer.pioneers")

CODE = re.compile(r"[a-z0-9_-]{1,32}")


def badge_json(badge: Badge) -> dict[str, Any]:
    return {"id": badge.id, "code": badge.code, "name": badge.name, "criteria": badge.criteria}


async def all_badges(session: AsyncSession) -> list[Badge]:
    return list(await session.scalars(select(Badge).order_by(Badge.id)))


async def create_badge(session: AsyncSession, actor: Actor, *, code: str, name: str,
                       criteria: str) -> Badge:
    if not CODE.fullmatch(code):
        raise ApiError(422, "invalid_field", "code 只能用小写字母、数字、- 和 _，最多 32 个",
                       detail={"field": "code"})
    if await session.scalar(select(Badge.id).where(Badge.code == code)):
        raise ApiError(409, "duplicate_badge", f"已有代码为 {code} 的奖章")
    badge = Badge(code=code, name=name, criteria=criteria)
    session.add(badge)
    await session.flush()
    await audit(session, actor, "pioneers.badge_created", "pioneers_badge", badge.id)
    return badge


async def awards_of(session: AsyncSession, child_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Award, Badge).join(Badge, Badge.id == Award.badge_id)
        .where(Award.child_id == child_id).order_by(Award.awarded_at.desc(), Award.id.desc()))
    return [{**badge_json(b), "award_id": a.id, "note": a.note, "awarded_at": iso(a.awarded_at)}
            for a, b in rows]


async def award(session: AsyncSession, actor: Actor, reach: Reach, badge: Badge,
                child: Person, note: str) -> Award:
    """Award ``badge`` to one pioneer in the counsellor's own brigade or squadron."""
    if not reach.covers(child.org_path):
        raise ApiError(403, "not_your_pioneers", "只能为本人担任辅导员的大队或中队的队员颁章")
    now = utcnow()
    row = Award(badge_id=badge.id, child_id=child.id, org_path=child.org_path, note=note,
                awarded_by=actor.account_id, awarded_at=now)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise ApiError(409, "already_awarded", f"这名队员已获得“{badge.name}”") from None
    await emit(session, "pioneers.badge_earned", subject_id=child.id,
               actor_account_id=actor.account_id, title=f"获得“{badge.name}”",
               category=CATEGORY, occurred_at=now.isoformat(), url="/pioneers/me",
               badge_id=badge.id, badge=badge.name)
    await audit(session, actor, "pioneers.badge_awarded", "person", child.id, badge_id=badge.id)
    log.info("badge %s awarded to child %s", badge.id, child.id)
    return row
