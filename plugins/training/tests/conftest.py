"""Fixtures for the training plugin: a platform with it, terms and classes made directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import bangyaer_training.plugin
import pytest
from bangyaer.db import utcnow
from bangyaer.platform import Platform
from bangyaer_training._lottery import new_seed
from bangyaer_training.models import Campus, Course, Mode, Term, TrainingClass


@pytest.fixture
async def platform(make_platform: Callable[..., Awaitable[Platform]]) -> Platform:
    return await make_platform(plugins=[bangyaer_training.plugin])


def window(phase: str) -> dict[str, dt.datetime]:
    """Term windows placed so that now falls in ``phase``."""
    now = utcnow()
    hour = dt.timedelta(hours=1)
    starts = {"continuing": now - hour, "open": now - 3 * hour, "closed": now - 5 * hour,
              "not_open": now + hour}[phase]
    return {"continuing_opens_at": starts, "continuing_closes_at": starts + 2 * hour,
            "opens_at": starts + 2 * hour, "closes_at": starts + 4 * hour}


MakeTerm = Callable[..., Awaitable[Term]]
MakeClass = Callable[..., Awaitable[TrainingClass]]


@pytest.fixture
def make_term(platform: Platform) -> MakeTerm:
    async def factory(code: str = "2027S", phase: str = "open", **kw: Any) -> Term:
        seed, commitment = new_seed()
        async with platform.db.transaction() as s:
            term = Term(code=code, name=kw.pop("name", f"{code} 学期"),
                        starts_on=kw.pop("starts_on", dt.date(2027, 3, 1)),
                        seed=seed, seed_sha256=commitment, **{**window(phase), **kw})
            s.add(term)
        return term

    return factory


@pytest.fixture
def make_class(platform: Platform) -> MakeClass:
    counter = iter(range(1, 10_000))

    async def factory(term: Term, **kw: Any) -> TrainingClass:
        n = next(counter)
        async with platform.db.transaction() as s:
            course_code = kw.pop("course_code", f"C{n}")
            course = await s.scalar(Course.__table__.select().where(Course.code == course_code))
            if course is None:
                c = Course(code=course_code, name=kw.pop("course_name", "少儿美术"),
                           category=kw.pop("category", "美术"), level=kw.pop("level", 1),
                           follows_id=kw.pop("follows_id", None))
                s.add(c)
                await s.flush()
                course_id = c.id
            else:
                course_id = course
            campus = Campus(code=f"P{n}", name=kw.pop("campus_name", "少年宫本部"))
            s.add(campus)
            await s.flush()
            values: dict[str, Any] = {
                "code": f"K{n}", "name": f"美术{n}班", "mode": Mode.first_come,
                "fee_fen": 120_000, "lessons": 16, "weekday": 6,
                "start_time": dt.time(9, 0), "end_time": dt.time(10, 30), "capacity": 10,
                "teacher": "张老师", "room": "201",
            }
            values.update(kw)
            klass = TrainingClass(term_id=term.id, course_id=course_id, campus_id=campus.id,
                                  taken=0, **values)
            s.add(klass)
        return klass

    return factory
