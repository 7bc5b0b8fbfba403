"""Courses as guardians see them: recommended by their children's stages, with progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bangyaer.web import ApiError
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ._guardian import Learner
from .models import STAGE_TITLES, Completion, Course, Lesson, LessonDone, Question


@dataclass(frozen=True)
class Progress:
    lessons: int
    done: int
    completion: Completion | None

    @property
    def finished_lessons(self) -> bool:
        return self.done >= self.lessons

    def json(self) -> dict[str, Any]:
        return {"lessons": self.lessons, "done": self.done,
                "completed": self.completion is not None,
                "score": self.completion.score if self.completion else None,
                "certificate_serial": (self.completion.certificate_serial
                                       if self.completion else None)}


def course_json(course: Course) -> dict[str, Any]:
    return {"id": course.id, "code": course.code, "title": course.title,
            "summary": course.summary, "stage": course.stage,
            "stage_title": STAGE_TITLES.get(course.stage, course.stage),
            "pass_mark": course.pass_mark, "url": f"/parent_school/courses/{course.id}"}


def lesson_json(lesson: Lesson, done: bool) -> dict[str, Any]:
    return {"id": lesson.id, "position": lesson.position, "title": lesson.title,
            "kind": str(lesson.kind), "done": done,
            "url": f"/parent_school/lessons/{lesson.id}"}


async def load_course(session: AsyncSession, course_id: int) -> Course:
    course = await session.get(Course, course_id)
    if course is None or not course.published:
        raise ApiError(404, "not_found", "没有这门课程")
    return course


async def load_lesson(session: AsyncSession, lesson_id: int) -> tuple[Lesson, Course]:
    lesson = await session.get(Lesson, lesson_id)
    if lesson is None:
        raise ApiError(404, "not_found", "没有这节课")
    return lesson, await load_course(session, lesson.course_id)


async def catalogue(session: AsyncSession, learner: Learner) -> tuple[list[Course], list[Course]]:
    """(recommended for the children's stages, every other published course)."""
    courses = list(await session.scalars(
        select(Course).where(Course.published.is_(True)).order_by(Course.stage, Course.id)))
    stages = learner.stages
    return ([c for c in courses if c.stage in stages],
            [c for c in courses if c.stage not in stages])


async def lessons(session: AsyncSession, course_id: int) -> list[Lesson]:
    return list(await session.scalars(
        select(Lesson).where(Lesson.course_id == course_id)
        .order_by(Lesson.position, Lesson.id)))


async def done_lessons(session: AsyncSession, guardian_id: int, course_id: int) -> set[int]:
    return set(await session.scalars(select(LessonDone.lesson_id).where(
        LessonDone.guardian_id == guardian_id, LessonDone.course_id == course_id)))


async def progress(session: AsyncSession, guardian_id: int, course_id: int) -> Progress:
    total = await session.scalar(
        select(func.count(Lesson.id)).where(Lesson.course_id == course_id))
    done = await done_lessons(session, guardian_id, course_id)
    completion = await session.scalar(select(Completion).where(
        Completion.course_id == course_id, Completion.guardian_id == guardian_id))
    return Progress(int(total or 0), len(done), completion)


async def questions(session: AsyncSession, course_id: int) -> list[Question]:
    return list(await session.scalars(
        select(Question).where(Question.course_id == course_id)
        .order_by(Question.position, Question.id)))


async def mark_done(session: AsyncSession, learner: Learner, lesson: Lesson) -> None:
    """Record the lesson finished; finishing it again changes nothing."""
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)
    await session.execute(insert(LessonDone).values(
        guardian_id=learner.person.id, lesson_id=lesson.id, course_id=lesson.course_id,
        org_path=learner.org_path,
    ).on_conflict_do_nothing(index_elements=["guardian_id", "lesson_id"]))
