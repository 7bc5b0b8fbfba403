"""Statistics: applications, admissions, 中签率 and unfilled seats, for the cockpit and XLSX."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import openpyxl
from bangyaer import Scope, Widget, WidgetData
from bangyaer.identity import Person
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ._catalogue import MODE_TITLES
from ._rules import band
from .models import SEATED, Campus, Course, Enrollment, TrainingClass

FEE_BANDS = ((0, "免费"), (1, "500 元以下"), (50_000, "500–999 元"), (100_000, "1000–1999 元"),
             (200_000, "2000 元及以上"))


@dataclass
class ClassFigures:
    klass: TrainingClass
    course: Course
    campus: Campus
    applications: int
    admitted: int

    @property
    def unfilled(self) -> int:
        return max(self.klass.capacity - self.klass.taken, 0)


def fee_band(fen: int) -> str:
    label = FEE_BANDS[0][1]
    for low, name in FEE_BANDS:
        if fen >= low:
            label = name
    return label


def rate(admitted: int, applications: int) -> str:
    return f"{100 * admitted / applications:.1f}%" if applications else "—"


async def figures(session: AsyncSession, org_path: str = "/", term_id: int | None = None,
                  ) -> list[ClassFigures]:
    """Per class: applications (every request ever made) and children holding a seat."""
    seated = [str(s) for s in SEATED]
    counts = (
        select(Enrollment.class_id.label("class_id"),
               func.count(Enrollment.id).label("applications"),
               func.sum(case((Enrollment.state.in_(seated), 1), else_=0)).label("admitted"))
        .join(Person, Person.id == Enrollment.child_id)
        .where(Person.org_path.startswith(org_path))
        .group_by(Enrollment.class_id).subquery()
    )
    query = (
        select(TrainingClass, Course, Campus, counts.c.applications, counts.c.admitted)
        .join(Course, Course.id == TrainingClass.course_id)
        .join(Campus, Campus.id == TrainingClass.campus_id)
        .outerjoin(counts, counts.c.class_id == TrainingClass.id)
        .order_by(TrainingClass.term_id, TrainingClass.code)
    )
    if term_id is not None:
        query = query.where(TrainingClass.term_id == term_id)
    rows = (await session.execute(query))
    return [ClassFigures(k, c, p, int(a or 0), int(d or 0)) for k, c, p, a, d in rows]


Dimension = Callable[[ClassFigures], str]
DIMENSIONS: dict[str, Dimension] = {
    "课程": lambda f: f.course.name,
    "类别": lambda f: f.course.category,
    "年龄段": lambda f: band(f.klass.age_min, f.klass.age_max, "岁"),
    "学费段": lambda f: fee_band(f.klass.fee_fen),
    "校区": lambda f: f.campus.name,
    "招生方式": lambda f: MODE_TITLES[f.klass.mode],
}


def grouped(rows: Iterable[ClassFigures], key: Dimension) -> list[tuple[Any, ...]]:
    """(label, applications, seats, admitted, 中签率, unfilled) per value of the dimension."""
    sums: dict[str, list[int]] = {}
    for f in rows:
        acc = sums.setdefault(key(f), [0, 0, 0, 0])
        acc[0] += f.applications
        acc[1] += f.klass.capacity
        acc[2] += f.admitted
        acc[3] += f.unfilled
    return [(label, a, s, d, rate(d, a), u)
            for label, (a, s, d, u) in sorted(sums.items(), key=lambda kv: -kv[1][0])]


GROUP_COLUMNS = ("", "申请人次", "名额", "录取", "中签率", "空余名额")
CLASS_COLUMNS = ("班级编号", "班级", "课程", "类别", "校区", "招生方式", "年龄段", "学费（元）",
                 "名额", "申请人次", "录取", "中签率", "空余名额")


def class_row(f: ClassFigures) -> tuple[Any, ...]:
    k = f.klass
    return (k.code, k.name, f.course.name, f.course.category, f.campus.name,
            MODE_TITLES[k.mode], band(k.age_min, k.age_max, "岁"), k.fee_fen / 100,
            k.capacity, f.applications, f.admitted, rate(f.admitted, f.applications),
            f.unfilled)


def workbook(rows: list[ClassFigures]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "按班级"
    sheet.append(CLASS_COLUMNS)
    for f in rows:
        sheet.append(class_row(f))
    for name, key in DIMENSIONS.items():
        extra = book.create_sheet(f"按{name}")
        extra.append((name, *GROUP_COLUMNS[1:]))
        for line in grouped(rows, key):
            extra.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _by_class(session: AsyncSession, scope: Scope) -> WidgetData:
    rows = await figures(session, scope.org_path)
    busiest = sorted(rows, key=lambda f: -f.applications)[:10]
    return WidgetData(columns=("班级", "申请", "录取", "中签率", "空余"), rows=[
        (f.klass.name, f.applications, f.admitted, rate(f.admitted, f.applications),
         f.unfilled) for f in busiest])


async def _by_category(session: AsyncSession, scope: Scope) -> WidgetData:
    rows = grouped(await figures(session, scope.org_path), DIMENSIONS["类别"])
    return WidgetData(columns=("类别", "申请", "名额", "录取", "中签率", "空余"), rows=rows)


async def _unfilled(session: AsyncSession, scope: Scope) -> WidgetData:
    total = await session.scalar(
        select(func.sum(TrainingClass.capacity - TrainingClass.taken))
        .where(TrainingClass.completed_at.is_(None)))
    return WidgetData(value=int(total or 0), note="未结课班级的空余名额")


def widgets(scope: Scope) -> list[Widget]:
    found = [
        Widget("training.by_class", "培训班报名热度（前 10 班）", "Training: busiest classes",
               "table", _by_class, order=300),
        Widget("training.by_category", "培训班需求（按类别）", "Training demand by category",
               "table", _by_category, order=310),
    ]
    if scope.kind == "district":
        found.append(Widget("training.unfilled", "培训班空余名额", "Training: unfilled seats",
                            "number", _unfilled, order=305))
    return found
