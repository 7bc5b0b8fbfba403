"""Applying, admitting, leaving: each one transaction, each safe to retry.

Admission locks the club's row (PostgreSQL; SQLite writes one at a time
anyway), so two staff admitting at once cannot take the club past its
capacity or give a child two open memberships.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import Actor, Person, audit
from bangyaer.identity.years import span_name, year_of
from bangyaer.web import ApiError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import STATUS_TITLES, Application, Club, Membership, Round, Status

log = logging.getLogger("bangyaer.clubs")
MAX_ANSWER = 500


async def open_round(session: AsyncSession, club_id: int, at: dt.datetime) -> Round | None:
    return await session.scalar(
        select(Round).where(Round.club_id == club_id, Round.opens_at <= at,
                            Round.closes_at > at).order_by(Round.opens_at.desc()).limit(1))


async def active_membership(session: AsyncSession, club_id: int,
                            child_id: int) -> Membership | None:
    return await session.scalar(select(Membership).where(
        Membership.club_id == club_id, Membership.child_id == child_id,
        Membership.left_at.is_(None)))


async def member_count(session: AsyncSession, club_id: int) -> int:
    return int(await session.scalar(select(func.count(Membership.id)).where(
        Membership.club_id == club_id, Membership.left_at.is_(None))) or 0)


def check_answers(questions: list[Any], answers: list[Any]) -> list[str]:
    if len(answers) != len(questions):
        raise ApiError(422, "invalid_answers",
                       f"请回答全部 {len(questions)} 个问题", detail={"field": "answers"})
    cleaned = []
    for number, answer in enumerate(answers, start=1):
        text = answer.strip() if isinstance(answer, str) else ""
        if not text:
            raise ApiError(422, "invalid_answers", f"请回答第 {number} 个问题",
                           detail={"field": "answers", "question": number})
        if len(text) > MAX_ANSWER:
            raise ApiError(422, "invalid_answers",
                           f"第 {number} 个问题的回答过长（最多 {MAX_ANSWER} 字）",
                           detail={"field": "answers", "question": number})
        cleaned.append(text)
    return cleaned


async def apply(session: AsyncSession, actor: Actor, club: Club, child: Person,
                answers: list[Any]) -> tuple[Application, bool]:
    """The child's application to the open round, and whether it is new (not a repeat)."""
    if not club.active:
        raise ApiError(404, "not_found", "社团不存在或已停办")
    found = await open_round(session, club.id, utcnow())
    if found is None:
        raise ApiError(409, "not_recruiting", "该社团目前没有在招新")
    earlier = await session.scalar(select(Application).where(
        Application.round_id == found.id, Application.child_id == child.id))
    if earlier is not None:
        return earlier, False  # a retried submit: the first application stands
    if await active_membership(session, club.id, child.id) is not None:
        raise ApiError(409, "already_member", "孩子已经是该社团的成员")
    year = year_of(child)
    if year is None or not club.year_min <= year <= club.year_max:
        raise ApiError(409, "wrong_grade",
                       f"该社团面向{span_name(club.year_min, club.year_max)}的学生")
    application = Application(
        round_id=found.id, club_id=club.id, child_id=child.id,
        guardian_id=actor.person.id if actor.person else None,
        answers=check_answers(list(found.questions), answers), status=Status.pending,
        created_at=utcnow())
    session.add(application)
    await session.flush()
    log.info("application %s to club %s", application.id, club.id)
    return application, True


def _event(club: Club, **extra: Any) -> dict[str, Any]:
    return {"category": club.category, "url": f"/clubs/{club.id}", "club_id": club.id,
            **extra}


async def decide(session: AsyncSession, actor: Actor, application: Application, *,
                 admit: bool, audition_result: str = "") -> Application:
    """Admit or decline; deciding the same way twice changes nothing."""
    club = (await session.execute(select(Club).where(Club.id == application.club_id)
                                  .with_for_update())).scalar_one()
    wanted = Status.admitted if admit else Status.declined
    if application.status == wanted:
        return application
    if application.status != Status.pending:
        raise ApiError(409, "already_decided",
                       f"该申请已处理（{STATUS_TITLES[application.status]}）")
    child = await session.get(Person, application.child_id)
    if child is None:
        raise ApiError(404, "not_found", "学生不存在")
    if admit:
        if await active_membership(session, club.id, child.id) is not None:
            raise ApiError(409, "already_member", "孩子已经是该社团的成员")
        if await member_count(session, club.id) >= club.capacity:
            raise ApiError(409, "club_full", f"社团已满员（{club.capacity} 人）")
        now = utcnow()
        session.add(Membership(club_id=club.id, child_id=child.id, joined_at=now,
                               application_id=application.id, org_path=child.org_path,
                               school_id=child.school_id))
        await emit(session, "clubs.joined", subject_id=child.id,
                   actor_account_id=actor.account_id,
                   **_event(club, title=f"加入{club.name}", occurred_at=now.isoformat()))
    application.status = wanted
    application.audition_result = audition_result.strip()[:200]
    application.decided_by, application.decided_at = actor.account_id, utcnow()
    await audit(session, actor, "clubs.application_decided", "clubs_application",
                application.id, outcome=str(wanted))
    return application


async def leave(session: AsyncSession, actor: Actor, membership: Membership,
                reason: str) -> Membership:
    if membership.left_at is not None:
        return membership  # already left: a retried request
    reason = reason.strip()
    if not reason:
        raise ApiError(422, "missing_field", "请填写退出原因", detail={"field": "reason"})
    club = await session.get(Club, membership.club_id)
    if club is None:
        raise ApiError(404, "not_found", "社团不存在")
    membership.left_at, membership.leave_reason = utcnow(), reason[:200]
    await emit(session, "clubs.left", subject_id=membership.child_id,
               actor_account_id=actor.account_id,
               **_event(club, title=f"退出{club.name}",
                        occurred_at=membership.left_at.isoformat()))
    await audit(session, actor, "clubs.member_left", "clubs_membership", membership.id)
    return membership


async def members(session: AsyncSession, club_id: int) -> list[tuple[Membership, Person]]:
    rows = await session.execute(
        select(Membership, Person).join(Person, Person.id == Membership.child_id)
        .where(Membership.club_id == club_id, Membership.left_at.is_(None))
        .order_by(Person.name, Person.id))
    return [(m, p) for m, p in rows]
