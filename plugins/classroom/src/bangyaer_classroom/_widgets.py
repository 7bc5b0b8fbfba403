"""Cockpit widgets: learners and completions by course, and by school and grade.

A learner is a child with progress in at least one lesson of the course
(opening a lesson page alone does not count; the first progress report does).
"""

from __future__ import annotations

from bangyaer import Scope, WidgetData
from bangyaer.identity import Organisation
from bangyaer.identity.years import year_name
from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Completion, Course, Progress


def _in(column, scope: Scope):  # type: ignore[no-untyped-def]
    return column.startswith(scope.org_path, autoescape=True)


async def by_course(session: AsyncSession, scope: Scope) -> WidgetData:
    learners = dict((await session.execute(
        select(Progress.course_id, func.count(distinct(Progress.child_id)))
        .where(_in(Progress.org_path, scope)).group_by(Progress.course_id))).all())
    done = dict((await session.execute(
        select(Completion.course_id, func.count(Completion.id))
        .where(_in(Completion.org_path, scope)).group_by(Completion.course_id))).all())
    courses = (await session.execute(
        select(Course.id, Course.title).where(Course.id.in_(set(learners) | set(done)))
        .order_by(Course.id))).all()
    rows = sorted(((title, int(learners.get(cid, 0)), int(done.get(cid, 0)))
                   for cid, title in courses), key=lambda r: (-r[1], r[0]))
    return WidgetData(columns=("课程", "学习人数", "学完人数"), rows=rows[:20],
                      note="学习人数：至少有一个课时的学习记录的孩子")


async def by_school_and_grade(session: AsyncSession, scope: Scope) -> WidgetData:
    learners = (await session.execute(
        select(Progress.school_id, Progress.year, func.count(distinct(Progress.child_id)))
        .where(_in(Progress.org_path, scope))
        .group_by(Progress.school_id, Progress.year))).all()
    done = {(s, y): int(n) for s, y, n in (await session.execute(
        select(Completion.school_id, Completion.year, func.count(Completion.id))
        .where(_in(Completion.org_path, scope))
        .group_by(Completion.school_id, Completion.year))).all()}
    ids = {s for s, _, _ in learners if s is not None}
    names: dict[int, str] = dict((await session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))).all())
    def school(s: int | None) -> str:
        return names.get(s, "未分校") if s is not None else "未分校"

    rows = sorted(((school(s), year_name(y) if y is not None else "未知", int(n),
                    done.get((s, y), 0)) for s, y, n in learners), key=lambda r: (r[0], r[1]))
    return WidgetData(columns=("学校", "年级", "学习人数", "学完课程人次"), rows=rows[:50])
