"""Reading clubs for the catalogue, a club's page, a family's records and staff lists."""

from __future__ import annotations

from dataclasses import dataclass, field

from bangyaer.db import utcnow
from bangyaer.identity import Actor, Person
from bangyaer.identity.years import year_of
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ._access import can_manage
from ._service import open_round
from .models import Application, Club, Membership, Photo, Post, Round, Status


async def catalogue(session: AsyncSession, category: str,
                    child: Person | None) -> list[tuple[Club, int, bool]]:
    """Active clubs with their member counts; those suited to the child's year first."""
    counts = (select(Membership.club_id, func.count(Membership.id).label("n"))
              .where(Membership.left_at.is_(None)).group_by(Membership.club_id).subquery())
    stmt = (select(Club, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.club_id == Club.id).where(Club.active.is_(True)))
    if category.strip():
        stmt = stmt.where(Club.category == category.strip()[:32])
    year = year_of(child)
    rows = (await session.execute(stmt.order_by(Club.category, Club.name))).all()
    found = [(c, int(n), year is not None and c.year_min <= year <= c.year_max)
             for c, n in rows]
    return sorted(found, key=lambda row: not row[2])


async def categories(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(Club.category).where(Club.active.is_(True))
                                      .distinct().order_by(Club.category)))


@dataclass
class Detail:
    members: int
    round: Round | None
    photos: list[Photo] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)


async def club_detail(session: AsyncSession, club: Club) -> Detail:
    members = await session.scalar(select(func.count(Membership.id)).where(
        Membership.club_id == club.id, Membership.left_at.is_(None)))
    photos = list(await session.scalars(select(Photo).where(Photo.club_id == club.id)
                                        .order_by(Photo.id)))
    posts = list(await session.scalars(select(Post).where(Post.club_id == club.id)
                                       .order_by(Post.created_at.desc()).limit(10)))
    return Detail(int(members or 0), await open_round(session, club.id, utcnow()), photos,
                  posts)


@dataclass
class Mine:
    applied: list[tuple[Application, Club]]
    memberships: list[tuple[Membership, Club]]


async def mine(session: AsyncSession, child_id: int) -> Mine:
    applied = (await session.execute(
        select(Application, Club).join(Club, Club.id == Application.club_id)
        .where(Application.child_id == child_id)
        .order_by(Application.created_at.desc()))).all()
    memberships = (await session.execute(
        select(Membership, Club).join(Club, Club.id == Membership.club_id)
        .where(Membership.child_id == child_id)
        .order_by(Membership.joined_at.desc()))).all()
    return Mine([(a, c) for a, c in applied], [(m, c) for m, c in memberships])


async def applications(session: AsyncSession, club_id: int,
                       status: str) -> list[tuple[Application, Person]]:
    stmt = (select(Application, Person).join(Person, Person.id == Application.child_id)
            .where(Application.club_id == club_id))
    if status in set(Status):
        stmt = stmt.where(Application.status == status)
    rows = await session.execute(stmt.order_by(Application.created_at, Application.id))
    return [(a, p) for a, p in rows]


async def run_by(session: AsyncSession, actor: Actor) -> list[Club]:
    """The clubs this actor runs: all for district staff, their own for a leader."""
    stmt = select(Club).order_by(Club.category, Club.name)
    if not can_manage(actor):
        stmt = stmt.where(Club.leader_account_id == actor.account_id)
    return list(await session.scalars(stmt))
