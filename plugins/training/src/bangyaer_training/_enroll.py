"""A family's request for a class: first come first served, or a lottery application."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Person
from bangyaer.web import N_, ApiError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import _rules
from ._seats import (
    SHANGHAI,
    clash_with,
    locked_in_term,
    move,
    next_waitlist_position,
    seat_granted,
    take_seat,
)
from .models import ACTIVE, Course, Enrollment, Mode, State, Term, TrainingClass

STATE_TITLES = {
    State.applied: N_("已报名，待摇号"), State.waitlisted: N_("候补中"),
    State.admitted: N_("已录取"), State.awaiting_payment: N_("已录取，待缴费"),
    State.confirmed: N_("已确认"), State.expired: N_("已失效"), State.withdrawn: N_("已退出"),
    State.refunded: N_("已退费"),
}


@dataclass(frozen=True)
class Limits:
    payment_hours: int
    max_applications: int


def limits_from(config: Mapping[str, Any]) -> Limits:
    """The plugin's settings as limits: hours to pay, lottery applications a child."""
    return Limits(payment_hours=int(config.get("payment_hours", 48)),
                  max_applications=int(config.get("max_applications", 3)))


def enrollment_json(e: Enrollment, klass: TrainingClass) -> dict[str, Any]:
    return {
        "id": e.id, "class_id": klass.id, "class_name": klass.name, "term_id": e.term_id,
        "child_id": e.child_id, "state": str(e.state), "state_title": STATE_TITLES[e.state],
        "tier": e.tier, "waitlist_position": e.waitlist_position,
        "deadline_at": e.deadline_at.isoformat() if e.deadline_at else None,
        "fee_fen": klass.fee_fen, "schedule": _rules.schedule_text(klass),
        "order_no": e.order_no, "refunded_fen": e.refunded_fen,
    }


async def is_continuing(session: AsyncSession, child_id: int, klass: TrainingClass,
                        term: Term) -> bool:
    """老生: confirmed last term in the course this class's course follows."""
    if term.previous_term_id is None:
        return False
    course = await session.get(Course, klass.course_id)
    if course is None or course.follows_id is None:
        return False
    found = await session.scalar(
        select(Enrollment.id)
        .join(TrainingClass, TrainingClass.id == Enrollment.class_id)
        .where(Enrollment.child_id == child_id, Enrollment.term_id == term.previous_term_id,
               TrainingClass.course_id == course.follows_id,
               Enrollment.state == State.confirmed)
        .limit(1)
    )
    return found is not None


def _window_error(term: Term, phase: str) -> ApiError:
    def at(value: dt.datetime) -> str:
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")

    if phase == "not_open":
        return ApiError(409, "enrollment_not_open",
                        f"报名尚未开始，老生续报 {at(term.continuing_opens_at)} 开始")
    if phase == "between":
        return ApiError(409, "enrollment_not_open",
                        f"老生续报已结束，新生报名 {at(term.opens_at)} 开始")
    return ApiError(409, "enrollment_closed", "报名已结束")


async def _checked(session: AsyncSession, loaded: Loaded, child: Person, now: dt.datetime,
                   waitlist: bool) -> Checked:
    """Every refusal a request can meet, in the order a family would want to hear it."""
    klass, term = loaded.klass, loaded.term
    phase = _rules.phase(term, now)
    if phase not in ("continuing", "open"):
        raise _window_error(term, phase)
    if klass.completed_at is not None:
        raise ApiError(409, "enrollment_closed", "该班已结课")
    continuing = await is_continuing(session, child.id, klass, term)
    if phase == "continuing" and not continuing:
        raise ApiError(409, "continuing_only",
                       "现在是老生续报时段，仅限上学期在读的学员；新生报名 "
                       f"{term.opens_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 开始")
    reason = _rules.ineligible_reason(klass, term, child)
    if reason is not None:
        raise ApiError(422, "not_eligible", reason)
    if klass.mode == Mode.first_come and klass.taken >= klass.capacity and not waitlist:
        # The rush's common answer, given without locking the child's rows.
        _refuse_duplicate(loaded.existing)
        raise _full(loaded.waiting)
    mine = await locked_in_term(session, child.id, term.id)
    existing = next((e for e, k in mine if k.id == klass.id), None)
    _refuse_duplicate(existing)
    other = clash_with(klass, [(e, k) for e, k in mine if e.state in ACTIVE])
    if other is not None:
        raise ApiError(409, "schedule_clash",
                       f"与已报名的“{other.name}”（{_rules.schedule_text(other)}）时间冲突")
    applied = sum(1 for e, k in mine if e.state == State.applied and k.mode == Mode.lottery)
    return Checked("continuing" if continuing else "general", existing, applied)


@dataclass(frozen=True)
class Checked:
    tier: str
    existing: Enrollment | None
    applications: int  # the child's open lottery applications this term


def _refuse_duplicate(existing: Enrollment | None) -> None:
    if existing is not None and existing.state in ACTIVE:
        raise ApiError(409, "already_enrolled", "孩子已报名该班",
                       detail={"enrollment_id": existing.id, "state": str(existing.state)})


def _full(ahead: int) -> ApiError:
    return ApiError(409, "class_full", "该班名额已满，可以加入候补，有空位时按顺序递补",
                    detail={"waitlist": {"available": True, "ahead": ahead,
                                         "how": 'POST again with {"waitlist": true}'}})


def _row(session: AsyncSession, existing: Enrollment | None, klass: TrainingClass,
         child: Person, guardian_id: int | None, tier: str) -> Enrollment:
    # A child who withdrew (or whose seat expired) may come back: the same
    # row is reused, because (class, child) is unique.
    # A new row has no state until its first move sets one (and records it);
    # it is inserted with that state by the flush that follows the move.
    row = existing
    if row is None:
        row = Enrollment(class_id=klass.id, term_id=klass.term_id, child_id=child.id,
                         state="")
        session.add(row)
    row.guardian_id = guardian_id
    row.tier = tier
    row.deadline_at = None
    row.waitlist_position = None
    return row


async def _load(session: AsyncSession, class_id: int, child_id: int) -> Loaded:
    """The class, its term, the child's row in it and the queue length: one query."""
    ahead = (select(func.count(Enrollment.id))
             .where(Enrollment.class_id == TrainingClass.id,
                    Enrollment.state == State.waitlisted)
             .correlate(TrainingClass).scalar_subquery())
    row = (await session.execute(
        select(TrainingClass, Term, Enrollment, ahead)
        .join(Term, Term.id == TrainingClass.term_id)
        .outerjoin(Enrollment, (Enrollment.class_id == TrainingClass.id)
                   & (Enrollment.child_id == child_id))
        .where(TrainingClass.id == class_id)
    )).first()
    if row is None:
        raise ApiError(404, "not_found", "没有这个班级")
    return Loaded(row[0], row[1], row[2], int(row[3] or 0))


@dataclass(frozen=True)
class Loaded:
    klass: TrainingClass
    term: Term
    existing: Enrollment | None
    waiting: int


async def request_place(
    session: AsyncSession, *, class_id: int, child: Person, guardian_id: int | None,
    account_id: int | None, waitlist: bool, limits: Limits, now: dt.datetime | None = None,
) -> tuple[Enrollment, TrainingClass]:
    """Enroll, apply or join the waiting list; raises ApiError with the reason if refused."""
    now = now or utcnow()
    loaded = await _load(session, class_id, child.id)
    klass, term = loaded.klass, loaded.term
    checked = await _checked(session, loaded, child, now, waitlist)
    tier, existing = checked.tier, checked.existing
    if klass.mode == Mode.lottery:
        row = await _apply(session, klass, term, child, guardian_id, account_id, checked,
                           limits)
        return row, klass
    # Not yet: Core inserts on this path; acceptable because it never oversells and holds
    # 0.32 of a bare driver's throughput spread over classes (docs/benchmarks.md).
    if await take_seat(session, klass.id):
        row = _row(session, existing, klass, child, guardian_id, tier)
        await seat_granted(session, row, klass, payment_hours=limits.payment_hours,
                           reason="enrolled", account_id=account_id, now=now)
        return row, klass
    if not waitlist:
        raise _full(loaded.waiting)
    row = _row(session, existing, klass, child, guardian_id, tier)
    row.waitlist_position = await next_waitlist_position(session, klass.id)
    move(session, row, State.waitlisted, "waitlist_joined", account_id)
    await session.flush()
    return row, klass


async def _apply(session: AsyncSession, klass: TrainingClass, term: Term, child: Person,
                 guardian_id: int | None, account_id: int | None, checked: Checked,
                 limits: Limits) -> Enrollment:
    if term.frozen_at is not None:
        raise ApiError(409, "enrollment_closed", "摇号名单已封存，不再接受申请")
    existing = checked.existing
    if checked.applications >= limits.max_applications:
        raise ApiError(409, "too_many_applications",
                       f"每个孩子本学期最多申请 {limits.max_applications} 个摇号班")
    row = _row(session, existing, klass, child, guardian_id, checked.tier)
    move(session, row, State.applied, "applied", account_id)
    await session.flush()
    return row
