"""Browsing the catalogue: filters, eligibility for the acting child, seats left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Person
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import _rules
from .models import Campus, Course, Mode, Term, TrainingClass

MODE_TITLES = {Mode.first_come: "先到先得", Mode.lottery: "报名摇号"}
PHASE_TITLES = {"not_open": "未开始", "continuing": "老生续报中", "between": "新生报名未开始",
                "open": "报名中", "closed": "已截止"}


@dataclass(frozen=True)
class Filters:
    term_id: int | None = None
    category: str | None = None
    campus_id: int | None = None
    age: int | None = None
    eligible_only: bool = False


def _query(filters: Filters) -> Select[TrainingClass, Course, Campus, Term]:
    query = (
        select(TrainingClass, Course, Campus, Term)
        .join(Course, Course.id == TrainingClass.course_id)
        .join(Campus, Campus.id == TrainingClass.campus_id)
        .join(Term, Term.id == TrainingClass.term_id)
        .order_by(Course.category, TrainingClass.weekday, TrainingClass.start_time,
                  TrainingClass.id)
    )
    if filters.term_id is not None:
        query = query.where(TrainingClass.term_id == filters.term_id)
    if filters.category:
        query = query.where(Course.category == filters.category)
    if filters.campus_id is not None:
        query = query.where(TrainingClass.campus_id == filters.campus_id)
    if filters.age is not None:
        query = query.where(
            (TrainingClass.age_min.is_(None)) | (TrainingClass.age_min <= filters.age),
            (TrainingClass.age_max.is_(None)) | (TrainingClass.age_max >= filters.age),
        )
    return query


def class_json(klass: TrainingClass, course: Course, campus: Campus, term: Term,
               now: dt.datetime, child: Person | None) -> dict[str, Any]:
    phase = _rules.phase(term, now)
    out: dict[str, Any] = {
        "id": klass.id, "code": klass.code, "name": klass.name,
        "term": {"id": term.id, "name": term.name}, "phase": phase,
        "phase_title": PHASE_TITLES[phase],
        "course": {"id": course.id, "name": course.name, "level": course.level},
        "category": course.category, "campus": {"id": campus.id, "name": campus.name},
        "mode": str(klass.mode), "mode_title": MODE_TITLES[klass.mode],
        "age_band": _rules.band(klass.age_min, klass.age_max, "岁"),
        "grade_band": _rules.grade_band(klass.grade_min, klass.grade_max),
        "fee_fen": klass.fee_fen, "lessons": klass.lessons,
        "weekday": klass.weekday, "start_time": klass.start_time.strftime("%H:%M"),
        "end_time": klass.end_time.strftime("%H:%M"), "schedule": _rules.schedule_text(klass),
        "teacher": klass.teacher, "room": klass.room, "capacity": klass.capacity,
        "seats_left": max(klass.capacity - klass.taken, 0),
    }
    if child is not None:
        reason = _rules.ineligible_reason(klass, term, child)
        out["eligible"] = reason is None
        out["ineligible_reason"] = reason
    return out


async def list_classes(session: AsyncSession, filters: Filters, child: Person | None,
                       ) -> list[dict[str, Any]]:
    now = utcnow()
    rows = (await session.execute(_query(filters)))
    found = [class_json(k, c, p, t, now, child) for k, c, p, t in rows]
    if filters.eligible_only and child is not None:
        found = [c for c in found if c["eligible"]]
    return found


async def one_class(session: AsyncSession, class_id: int
                    ) -> tuple[TrainingClass, Course, Campus, Term] | None:
    row = (await session.execute(_query(Filters()).where(TrainingClass.id == class_id))).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def categories(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(Course.category).distinct().order_by(
        Course.category)))


async def campuses(session: AsyncSession) -> list[Campus]:
    return list(await session.scalars(select(Campus).order_by(Campus.code)))
