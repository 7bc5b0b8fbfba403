"""Fixtures for the parent school tests: the plugin's platform, clients, a course, lectures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import bangyaer_parent_school.plugin
import httpx
import pytest
from bangyaer.db import utcnow
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_parent_school.models import Course, Lecture, Lesson, LessonKind, Question

ClientFor = Callable[[str], Awaitable[httpx.AsyncClient]]
MakeLecture = Callable[..., Awaitable[int]]


@pytest.fixture
async def platform(make_platform: Any) -> Platform:
    platform: Platform = await make_platform(plugins=[bangyaer_parent_school.plugin])
    return platform




@pytest.fixture
async def course(platform: Platform, district: TinyDistrict) -> dict[str, Any]:
    """A primary-school course: two lessons, three questions (the third multiple choice)."""
    async with platform.db.transaction() as session:
        row = Course(code="P-T1", stage="primary", title="陪孩子写作业", summary="不吼不叫",
                     pass_mark=60)
        session.add(row)
        await session.flush()
        lessons = [Lesson(course_id=row.id, position=1, title="定规矩", kind=LessonKind.article,
                          body="先定**规矩**"),
                   Lesson(course_id=row.id, position=2, title="少唠叨", kind=LessonKind.video,
                          body="", video_url="https://video.example.org/2.mp4")]
        questions = [
            Question(course_id=row.id, position=1, text="作业规矩由谁定？",
                     options=["家长", "孩子", "一起商量"], answer=[2]),
            Question(course_id=row.id, position=2, text="拖拉时怎么办？",
                     options=["一直催", "拆成小段"], answer=[1]),
            Question(course_id=row.id, position=3, text="哪些是好办法？", multiple=True,
                     options=["具体表扬", "替孩子写", "约定时间"], answer=[0, 2]),
        ]
        session.add_all([*lessons, *questions])
        await session.flush()
        return {"id": row.id, "lessons": [x.id for x in lessons],
                "questions": [q.id for q in questions]}


def answers(course: dict[str, Any], *picked: list[int]) -> dict[str, Any]:
    return {"answers": {str(q): p for q, p in zip(course["questions"], picked, strict=True)}}


RIGHT = ([2], [1], [0, 2])


async def finish_lessons(client: httpx.AsyncClient, course: dict[str, Any]) -> None:
    for lesson in course["lessons"]:
        response = await client.post(f"/api/v1/parent_school/lessons/{lesson}/done")
        assert response.status_code == 204


@pytest.fixture
def make_lecture(platform: Platform) -> MakeLecture:
    async def factory(seats: int = 2, *, starts_in: dt.timedelta = dt.timedelta(days=3),
                      title: str = "读懂孩子的情绪") -> int:
        async with platform.db.transaction() as session:
            row = Lecture(title=title, speaker="林老师", starts_at=utcnow() + starts_in,
                          seats=seats)
            session.add(row)
            await session.flush()
            return row.id

    return factory
