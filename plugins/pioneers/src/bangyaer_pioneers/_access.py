"""Who is a counsellor where: the reach of an account over brigades and squadrons.

The core's roles are fixed, so a counsellor (辅导员) is an appointment kept
here (``pioneers_counsellor``: account → school or class) on top of the
teacher or school-admin role. An appointment counts only while the account
still holds such a role over that organisation: a teacher who moves school
loses the old brigade without anyone tidying this table. District staff
hold ``pioneers.manage`` and reach every brigade.
"""

from __future__ import annotations

from dataclasses import dataclass

from bangyaer.identity import Actor, Organisation, OrgKind, authorize
from bangyaer.web import ApiError
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Counsellor

MANAGE = "pioneers.manage"
APPOINT = "pioneers.appoint"
COUNSELLOR_ROLES = ("teacher", "school_admin")


@dataclass(frozen=True)
class Reach:
    """The organisation paths under which an actor acts as counsellor."""

    paths: tuple[str, ...] = ()

    def covers(self, path: str) -> bool:
        return bool(path) and any(path.startswith(p) for p in self.paths)

    def touches(self, path: str) -> bool:
        """``path`` is inside the reach or holds part of it (a squadron's brigade)."""
        return any(path.startswith(p) or p.startswith(path) for p in self.paths)

    def where(self, column: ColumnElement[str]) -> ColumnElement[bool]:
        if not self.paths:
            return false()
        return or_(*[column.startswith(p, autoescape=True) for p in self.paths])

    def __bool__(self) -> bool:
        return bool(self.paths)


def holds_staff_role(actor: Actor, path: str) -> bool:
    return any(g.role in COUNSELLOR_ROLES and path.startswith(g.org_path) for g in actor.grants)


async def reach_of(session: AsyncSession, actor: Actor) -> Reach:
    if not actor.is_authenticated:
        return Reach()
    paths = list(actor.scopes(MANAGE))
    appointed = await session.scalars(
        select(Counsellor.org_path).where(Counsellor.account_id == actor.account_id))
    paths += [p for p in appointed if holds_staff_role(actor, p)]
    return Reach(tuple(dict.fromkeys(paths)))


async def require_reach(session: AsyncSession, actor: Actor, path: str) -> Reach:
    """The actor's reach, if it covers ``path``; otherwise 403."""
    reach = await reach_of(session, actor)
    if not reach.covers(path):
        raise ApiError(403, "not_your_pioneers", "只能管理本人担任辅导员的大队或中队")
    return reach


def level_of(org: Organisation) -> str:
    """brigade (大队) for a school, squadron (中队) for a class."""
    if org.kind == OrgKind.school:
        return "brigade"
    if org.kind == OrgKind.klass:
        return "squadron"
    raise ApiError(422, "not_brigade_or_squadron", "辅导员只能任命到学校（大队）或班级（中队）")


def may_appoint(actor: Actor, org: Organisation) -> bool:
    return authorize(actor, APPOINT, org)
