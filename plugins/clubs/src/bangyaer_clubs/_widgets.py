"""Cockpit widgets: members by school and category, and the attendance rate."""

from __future__ import annotations

import datetime as dt

from bangyaer import Scope, WidgetData
from bangyaer.db import utcnow
from bangyaer.identity import Organisation
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Attendance, Club, Meeting, Membership

RATE_DAYS = 90


async def members_by_school(session: AsyncSession, scope: Scope) -> WidgetData:
    rows = (await session.execute(
        select(Organisation.name, Club.category, func.count(Membership.id))
        .join(Club, Club.id == Membership.club_id)
        .outerjoin(Organisation, Organisation.id == Membership.school_id)
        .where(Membership.left_at.is_(None),
               Membership.org_path.startswith(scope.org_path, autoescape=True))
        .group_by(Organisation.name, Club.category)
        .order_by(Organisation.name, Club.category))).all()
    return WidgetData(columns=("学校", "社团类别", "在册成员"),
                      rows=[(school or "未分校", category, int(n))
                            for school, category, n in rows])


async def attendance_rate(session: AsyncSession, scope: Scope) -> WidgetData:
    since = utcnow() - dt.timedelta(days=RATE_DAYS)
    marked, present = (await session.execute(
        select(func.count(Attendance.id),
               func.coalesce(func.sum(case((Attendance.present.is_(True), 1), else_=0)), 0))
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.starts_at >= since,
               Attendance.org_path.startswith(scope.org_path, autoescape=True)))).one()
    if not marked:
        return WidgetData(value=None, note=f"近 {RATE_DAYS} 天还没有点名记录")
    return WidgetData(value=round(100 * int(present) / int(marked), 1),
                      note=f"近 {RATE_DAYS} 天到场人次 / 点名人次（%），共点名 {int(marked)} 人次")
