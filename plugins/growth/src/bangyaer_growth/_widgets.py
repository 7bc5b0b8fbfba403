"""Cockpit widgets: participation per school and per category."""

from __future__ import annotations

from bangyaer import Scope, WidgetData
from bangyaer.identity import Organisation
from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Record


def _in_scope(scope: Scope):  # type: ignore[no-untyped-def]
    return (Record.withdrawn.is_(False)
            & Record.org_path.startswith(scope.org_path, autoescape=True))


async def by_school(session: AsyncSession, scope: Scope) -> WidgetData:
    rows = await session.execute(
        select(Organisation.name, func.count(distinct(Record.student_id)), func.count(Record.id))
        .join(Organisation, Organisation.id == Record.school_id)
        .where(_in_scope(scope))
        .group_by(Organisation.name)
        .order_by(func.count(distinct(Record.student_id)).desc(), Organisation.name))
    return WidgetData(columns=("学校", "参与学生", "记录数"),
                      rows=[(name, students, n) for name, students, n in rows])


async def by_category(session: AsyncSession, scope: Scope) -> WidgetData:
    rows = await session.execute(
        select(Record.category, func.count(distinct(Record.student_id)), func.count(Record.id))
        .where(_in_scope(scope))
        .group_by(Record.category)
        .order_by(func.count(Record.id).desc(), Record.category))
    return WidgetData(columns=("类别", "参与学生", "记录数"),
                      rows=[(category, students, n) for category, students, n in rows])
