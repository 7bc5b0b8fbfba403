"""Cockpit widgets: guardians learning lately, and completions by school."""

from __future__ import annotations

import datetime as dt

from bangyaer import Scope, Widget, WidgetData
from bangyaer.db import utcnow
from bangyaer.identity import Organisation, OrgKind
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Completion, LessonDone

LATELY = dt.timedelta(days=30)


async def guardians_learning(session: AsyncSession, scope: Scope) -> WidgetData:
    count = await session.scalar(
        select(func.count(func.distinct(LessonDone.guardian_id)))
        .where(LessonDone.done_at >= utcnow() - LATELY,
               LessonDone.org_path.startswith(scope.org_path, autoescape=True)))
    return WidgetData(value=int(count or 0), note="近 30 天学过至少一节课的家长")


async def completions_by_school(session: AsyncSession, scope: Scope) -> WidgetData:
    schools = list(await session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.school,
                                   Organisation.path.startswith(scope.org_path, autoescape=True))
        .order_by(Organisation.code)))
    rows = []
    for school in schools:
        inside = Completion.org_path.startswith(school.path, autoescape=True)
        done, guardians = (await session.execute(
            select(func.count(Completion.id), func.count(func.distinct(Completion.guardian_id)))
            .where(inside))).one()
        rows.append((school.name, int(done), int(guardians)))
    return WidgetData(columns=("学校", "结业人次", "结业家长"), rows=rows,
                      note="按家长所在学校统计（未登记学校的按孩子所在学校）")


def widgets() -> list[Widget]:
    return [
        Widget("parent_school.learning", "家长学校：在学家长", "Guardians learning", "number",
               guardians_learning, order=70),
        Widget("parent_school.completions", "家长学校：结业（按学校）",
               "Parent school completions by school", "table", completions_by_school,
               order=71),
    ]
