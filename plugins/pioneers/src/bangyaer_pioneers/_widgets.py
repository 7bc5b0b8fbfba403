"""Cockpit widgets: participation by school and by activity, within the cockpit's scope."""

from __future__ import annotations

from bangyaer import Scope, Widget, WidgetData
from bangyaer.identity import Organisation, Person
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Activity, Award, State, Submission

RECENT_ACTIVITIES = 10


def _approved() -> object:
    return func.sum(case((Submission.state == State.approved, 1), else_=0))


async def by_school(session: AsyncSession, scope: Scope) -> WidgetData:
    inside = Submission.org_path.startswith(scope.org_path, autoescape=True)
    rows = await session.execute(
        select(Organisation.name, func.count(Submission.id), _approved(),
               func.count(func.distinct(Submission.child_id)))
        .join(Person, Person.id == Submission.child_id)
        .join(Organisation, Organisation.id == Person.school_id)
        .where(inside).group_by(Organisation.id, Organisation.name).order_by(Organisation.name))
    badges = dict((await session.execute(
        select(Organisation.name, func.count(Award.id))
        .join(Person, Person.id == Award.child_id)
        .join(Organisation, Organisation.id == Person.school_id)
        .where(Award.org_path.startswith(scope.org_path, autoescape=True))
        .group_by(Organisation.name))).all())
    table = [(name, int(total), int(ok or 0), int(people), int(badges.get(name, 0)))
             for name, total, ok, people in rows]
    return WidgetData(columns=("学校", "提交人次", "通过", "参与队员", "获章"), rows=table,
                      note="按队员当前所在学校统计")


async def by_activity(session: AsyncSession, scope: Scope) -> WidgetData:
    inside = Submission.org_path.startswith(scope.org_path, autoescape=True)
    rows = await session.execute(
        select(Activity.title, func.count(Submission.id), _approved())
        .join(Submission, Submission.activity_id == Activity.id)
        .where(inside).group_by(Activity.id, Activity.title, Activity.closes_at)
        .order_by(Activity.closes_at.desc(), Activity.id.desc()).limit(RECENT_ACTIVITIES))
    table = [(title, int(total), int(ok or 0)) for title, total, ok in rows]
    return WidgetData(columns=("活动", "提交人次", "通过"), rows=table,
                      note=f"最近 {RECENT_ACTIVITIES} 个有提交的活动")


def widgets() -> list[Widget]:
    return [
        Widget("pioneers.by_school", "少先队活动参与（按学校）",
               "Young Pioneers participation by school", "table", by_school, order=60),
        Widget("pioneers.by_activity", "少先队活动参与（按活动）",
               "Young Pioneers participation by activity", "table", by_activity, order=61),
    ]
