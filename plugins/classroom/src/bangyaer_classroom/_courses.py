"""Finding courses and lessons, with the one visibility rule: unpublished is staff-only.

Families (and anyone without ``classroom.manage``) get 404 for an
unpublished course and for each of its lessons, files and video, exactly
as for one that does not exist, so drafts cannot be discovered by id.
"""

from __future__ import annotations

from dataclasses import dataclass

from bangyaer.identity import Actor, authorize
from bangyaer.web import ApiError
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Course, Document, Lesson

MANAGE = "classroom.manage"
COURSE_GONE = "课程不存在或尚未发布"
LESSON_GONE = "课时不存在或尚未发布"


def can_manage(actor: Actor) -> bool:
    return authorize(actor, MANAGE)


async def visible_course(session: AsyncSession, actor: Actor, course_id: int) -> Course:
    course = await session.get(Course, course_id)
    if course is None or not (course.published or can_manage(actor)):
        raise ApiError(404, "not_found", COURSE_GONE)
    return course


async def visible_lesson(session: AsyncSession, actor: Actor,
                         lesson_id: int) -> tuple[Lesson, Course]:
    lesson = await session.get(Lesson, lesson_id)
    course = await session.get(Course, lesson.course_id) if lesson else None
    if lesson is None or course is None or not (course.published or can_manage(actor)):
        raise ApiError(404, "not_found", LESSON_GONE)
    return lesson, course


async def lessons_of(session: AsyncSession, course_id: int) -> list[Lesson]:
    return list(await session.scalars(
        select(Lesson).where(Lesson.course_id == course_id)
        .order_by(Lesson.position, Lesson.id)))


async def documents_of(session: AsyncSession, lesson_id: int) -> list[Document]:
    return list(await session.scalars(
        select(Document).where(Document.lesson_id == lesson_id).order_by(Document.id)))


@dataclass(frozen=True)
class Listing:
    course: Course
    lesson_count: int
    suited: bool


async def browse(session: AsyncSession, *, query: str = "", category: str = "",
                 year: int | None = None, include_drafts: bool = False,
                 limit: int = 100) -> list[Listing]:
    """Published courses (all, for staff) matching ``query``; those suited to ``year`` first."""
    counts = (select(Lesson.course_id, func.count(Lesson.id).label("n"))
              .group_by(Lesson.course_id).subquery())
    stmt = (select(Course, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.course_id == Course.id))
    if not include_drafts:
        stmt = stmt.where(Course.published.is_(True))
    if category:
        stmt = stmt.where(Course.category == category)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(Course.title.like(like), Course.description.like(like),
                              Course.teacher.like(like)))
    rows = (await session.execute(stmt.order_by(Course.published_at.desc(), Course.id.desc())
                                  .limit(limit))).all()
    listings = [Listing(c, int(n), year is not None and c.year_min <= year <= c.year_max)
                for c, n in rows]
    # Stable: within each group the newest stay first.
    return sorted(listings, key=lambda item: not item.suited)


async def categories(session: AsyncSession) -> list[str]:
    return list(await session.scalars(
        select(Course.category).where(Course.published.is_(True)).distinct()
        .order_by(Course.category)))
