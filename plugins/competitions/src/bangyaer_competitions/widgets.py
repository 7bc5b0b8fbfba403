"""Cockpit widgets: entries by school and by category, within the cockpit's scope."""

from __future__ import annotations

from bangyaer.contrib import Scope, Widget, WidgetData
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Activity, Entry


async def entries_by_school(session: AsyncSession, scope: Scope) -> WidgetData:
    rows = await session.execute(
        select(Entry.school_name, func.count(Entry.id))
        .where(Entry.status != "cancelled", Entry.org_path.startswith(scope.org_path))
        .group_by(Entry.school_name).order_by(func.count(Entry.id).desc(), Entry.school_name))
    return WidgetData(columns=("学校", "报名数"), rows=[(n or "—", c) for n, c in rows])


async def entries_by_category(session: AsyncSession, scope: Scope) -> WidgetData:
    rows = await session.execute(
        select(Activity.category, func.count(Entry.id))
        .join(Activity, Activity.id == Entry.activity_id)
        .where(Entry.status != "cancelled", Entry.org_path.startswith(scope.org_path))
        .group_by(Activity.category).order_by(Activity.category))
    return WidgetData(columns=("类别", "报名数"), rows=[tuple(r) for r in rows])


def widgets() -> list[Widget]:
    return [
        Widget("competitions.entries_by_school", "竞赛报名（按学校）", "Entries by school",
               "table", entries_by_school, order=40),
        Widget("competitions.entries_by_category", "竞赛报名（按类别）", "Entries by category",
               "bars", entries_by_category, order=41),
    ]
