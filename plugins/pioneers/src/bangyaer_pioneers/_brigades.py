"""Brigades, squadrons and counsellors as counsellors and school admins see them."""

from __future__ import annotations

import logging

from bangyaer.identity import (
    Account,
    Actor,
    Organisation,
    OrgKind,
    Person,
    PersonKind,
    RoleGrant,
    audit,
)
from bangyaer.web import ApiError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ._access import COUNSELLOR_ROLES, Reach, level_of
from .models import Award, Counsellor

log = logging.getLogger("bangyaer.pioneers")


def school_path(path: str) -> str:
    """The brigade (school) part of a path: /district/school/."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:2]) + "/" if len(parts) >= 2 else path


async def brigades(session: AsyncSession, reach: Reach) -> list[Organisation]:
    """The schools whose brigade the reach covers wholly or in part."""
    schools = await session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.school,
                                   Organisation.active.is_(True))
        .order_by(Organisation.code))
    return [s for s in schools if reach.touches(s.path)]


async def squadrons(session: AsyncSession, school: Organisation,
                    reach: Reach) -> list[Organisation]:
    classes = await session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.klass,
                                   Organisation.active.is_(True),
                                   Organisation.path.startswith(school.path, autoescape=True))
        .order_by(Organisation.grade, Organisation.code))
    return [c for c in classes if reach.covers(c.path)]


async def counsellors(session: AsyncSession, school: Organisation) -> list[dict[str, object]]:
    rows = await session.execute(
        select(Counsellor, Person.name, Organisation.name, Organisation.kind)
        .join(Account, Account.id == Counsellor.account_id)
        .join(Person, Person.id == Account.person_id)
        .join(Organisation, Organisation.id == Counsellor.org_id)
        .where(Counsellor.org_path.startswith(school.path, autoescape=True))
        .order_by(Counsellor.org_path, Counsellor.id))
    return [{"id": c.id, "account_id": c.account_id, "name": name, "org_id": c.org_id,
             "org_name": org_name,
             "level": "brigade" if kind == OrgKind.school else "squadron"}
            for c, name, org_name, kind in rows]


async def members(session: AsyncSession, squadron: Organisation) -> list[dict[str, object]]:
    """The squadron's pioneers with how many badges each has earned."""
    badges = (select(func.count(Award.id)).where(Award.child_id == Person.id)
              .scalar_subquery())
    rows = await session.execute(
        select(Person.id, Person.name, badges)
        .where(Person.kind == PersonKind.student, Person.active.is_(True),
               Person.class_id == squadron.id)
        .order_by(Person.name, Person.id))
    return [{"id": pid, "name": name, "badges": int(count or 0)} for pid, name, count in rows]


async def appoint(session: AsyncSession, actor: Actor, org: Organisation,
                  account_id: int) -> Counsellor:
    """Make ``account_id`` counsellor of a brigade or squadron; idempotent."""
    level = level_of(org)
    account = await session.get(Account, account_id)
    if account is None or not account.active:
        raise ApiError(404, "not_found", "没有这个账号")
    grants = await session.execute(
        select(RoleGrant.role, Organisation.path)
        .join(Organisation, Organisation.id == RoleGrant.org_id)
        .where(RoleGrant.account_id == account_id))
    if not any(role in COUNSELLOR_ROLES and org.path.startswith(path)
               for role, path in grants):
        raise ApiError(422, "not_school_staff",
                       "辅导员须是该校的教师或学校管理员，请先在平台中为其授予教师角色")
    existing = await session.scalar(select(Counsellor).where(
        Counsellor.account_id == account_id, Counsellor.org_id == org.id))
    if existing is not None:
        return existing
    counsellor = Counsellor(account_id=account_id, org_id=org.id, org_path=org.path,
                            appointed_by=actor.account_id)
    session.add(counsellor)
    await session.flush()
    await audit(session, actor, "pioneers.counsellor_appointed", "organisation", org.id,
                account_id=account_id, level=level)
    log.info("account %s appointed %s counsellor of org %s", account_id, level, org.id)
    return counsellor
