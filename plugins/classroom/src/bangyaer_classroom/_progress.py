"""Progress per child and lesson, and completion of lessons and courses.

Every report is applied as "at least this far": the stored position only
grows, so reports that arrive late, twice, or out of order (a phone that
was offline sends its queue) never move a child backwards. Completion is
recorded once, when it first happens; a replayed report changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import Person
from bangyaer.identity.years import year_of
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ._certificates import queue_certificate
from .models import Completion, Course, Lesson, LessonKind, Progress

log = logging.getLogger("bangyaer.classroom")

# Watching nine tenths counts: the credits at the end need not be sat through.
COMPLETE_SHARE = 0.9
# A report may not claim more than this beyond the lesson's known length.
MAX_POSITION = 24 * 3600


@dataclass(frozen=True)
class Outcome:
    position: int
    duration: int
    lesson_completed: bool
    course_completed: bool


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def _ensure_row(session: AsyncSession, child: Person, lesson: Lesson) -> None:
    now = utcnow()
    stmt = _insert(session)(Progress).values(
        child_id=child.id, lesson_id=lesson.id, course_id=lesson.course_id, position=0,
        duration=0, org_path=child.org_path, school_id=child.school_id, year=year_of(child),
        started_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["child_id", "lesson_id"])
    await session.execute(stmt)


def _greatest(column, value: int):  # type: ignore[no-untyped-def]
    # CASE rather than GREATEST/MAX(a, b): the same SQL on SQLite and PostgreSQL,
    # and evaluated against the row as it is when the UPDATE runs.
    return case((column < value, value), else_=column)


async def report(session: AsyncSession, child: Person, lesson: Lesson, course: Course, *,
                 position: int, duration: int = 0, finished: bool = False) -> Outcome:
    """Record that ``child`` got to ``position`` of ``duration`` seconds (or finished)."""
    await _ensure_row(session, child, lesson)
    length = lesson.duration or 0
    cap = length if length else MAX_POSITION
    position = max(0, min(position, cap))
    duration = max(0, min(duration, MAX_POSITION))
    where = and_(Progress.child_id == child.id, Progress.lesson_id == lesson.id)
    await session.execute(update(Progress).where(where).values(
        position=_greatest(Progress.position, position),
        duration=_greatest(Progress.duration, duration), updated_at=utcnow()))
    row = (await session.execute(select(Progress).where(where)
                                 .execution_options(populate_existing=True))).scalar_one()
    newly = False
    if row.completed_at is None and _done(lesson, row, finished):
        result = await session.execute(update(Progress).where(
            where, Progress.completed_at.is_(None)).values(completed_at=utcnow()))
        newly = result.rowcount == 1  # type: ignore[attr-defined]
    course_done = False
    if row.completed_at is not None or newly:
        course_done = await _complete_course(session, child, course)
    return Outcome(row.position, row.duration, row.completed_at is not None or newly,
                   course_done)


def _done(lesson: Lesson, row: Progress, finished: bool) -> bool:
    if lesson.kind != LessonKind.video:
        return finished
    length = lesson.duration or row.duration
    return length > 0 and row.position >= COMPLETE_SHARE * length


async def _complete_course(session: AsyncSession, child: Person, course: Course) -> bool:
    """Record the course as completed once all its lessons are; True if it is."""
    total = await session.scalar(select(func.count(Lesson.id))
                                 .where(Lesson.course_id == course.id))
    done = await session.scalar(select(func.count(Progress.id)).where(
        Progress.child_id == child.id, Progress.course_id == course.id,
        Progress.completed_at.is_not(None)))
    if not total or (done or 0) < total:
        # Not yet: two last lessons finished at the same instant on PostgreSQL
        # may each miss the other's; acceptable because the next report of
        # either (the player sends several) records the completion.
        return False
    # Not yet: a lesson added after a child completed the course leaves the
    # completion standing; acceptable because the child did finish it as it was.
    inserted = await session.execute(_insert(session)(Completion).values(
        child_id=child.id, course_id=course.id, org_path=child.org_path,
        school_id=child.school_id, year=year_of(child), completed_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["child_id", "course_id"])
        .returning(Completion.id))
    completion_id = inserted.scalar_one_or_none()
    if completion_id is not None:
        await emit(session, "classroom.course_completed", subject_id=child.id,
                   title=course.title, category=course.category,
                   occurred_at=utcnow().isoformat(), url=f"/classroom/courses/{course.id}",
                   course_id=course.id, certificate=course.certificate)
        if course.certificate:
            completion = await session.get(Completion, completion_id)
            if completion is not None:
                await queue_certificate(session, completion)
        log.info("course %s completed by child %s", course.id, child.id)
    return True


async def progress_of(session: AsyncSession, child_id: int,
                      course_id: int) -> dict[int, Progress]:
    rows = await session.scalars(select(Progress).where(
        Progress.child_id == child_id, Progress.course_id == course_id))
    return {p.lesson_id: p for p in rows}


async def completed(session: AsyncSession, child_id: int, course_id: int) -> bool:
    found = await session.scalar(select(Completion.id).where(
        Completion.child_id == child_id, Completion.course_id == course_id))
    return found is not None
