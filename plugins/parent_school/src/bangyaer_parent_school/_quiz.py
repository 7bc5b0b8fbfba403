"""The end-of-course quiz: answers checked and scored on the server, completion on a pass.

The right answers never leave the server before a guardian submits; the
questions go out without them, and the result says only the score and, per
question, whether it was right.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.web import ApiError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from . import _certificate
from ._courses import progress, questions
from ._guardian import Learner
from .models import Attempt, Completion, Course, Question

if TYPE_CHECKING:
    from bangyaer.platform import Platform

log = logging.getLogger("bangyaer.parent_school")

CATEGORY = "家长学校"


@dataclass(frozen=True)
class Result:
    score: int
    passed: bool
    right: dict[int, bool]
    completion: Completion | None

    def json(self, course: Course) -> dict[str, Any]:
        serial = self.completion.certificate_serial if self.completion else None
        return {"score": self.score, "passed": self.passed, "pass_mark": course.pass_mark,
                "right": {str(k): v for k, v in self.right.items()},
                "certificate_serial": serial,
                "certificate_url": (f"/parent_school/courses/{course.id}/certificate"
                                    if serial else None)}


def question_json(question: Question) -> dict[str, Any]:
    """A question as a guardian sees it before answering: no ``answer``."""
    return {"id": question.id, "text": question.text, "multiple": question.multiple,
            "options": list(question.options)}


def checked_answers(asked: list[Question], raw: dict[str, Any]) -> dict[int, list[int]]:
    """Every question answered with valid option numbers, or a 422 naming the question."""
    by_id = {str(q.id): q for q in asked}
    unknown = sorted(set(raw) - set(by_id))
    if unknown:
        raise ApiError(422, "unknown_question", f"没有这些题目：{', '.join(unknown)}")
    out: dict[int, list[int]] = {}
    for n, question in enumerate(asked, start=1):
        chosen = raw.get(str(question.id))
        if isinstance(chosen, int) and not isinstance(chosen, bool):
            chosen = [chosen]
        valid = isinstance(chosen, list) and chosen and all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(question.options)
            for i in chosen)
        if not valid:
            raise ApiError(422, "unanswered", f"第 {n} 题还没有作答",
                           detail={"question_id": question.id})
        if not question.multiple and len(chosen) != 1:
            raise ApiError(422, "single_choice", f"第 {n} 题是单选题，只能选一项",
                           detail={"question_id": question.id})
        out[question.id] = sorted(set(chosen))
    return out


def score(asked: list[Question], answers: dict[int, list[int]]) -> tuple[int, dict[int, bool]]:
    """Percent right, each question all or nothing (a multiple choice needs every option)."""
    right = {q.id: sorted(set(q.answer)) == answers[q.id] for q in asked}
    return round(100 * sum(right.values()) / len(asked)), right


async def _complete(session: AsyncSession, platform: Platform, learner: Learner,
                    course: Course, points: int) -> Completion:
    existing = (await progress(session, learner.person.id, course.id)).completion
    if existing is not None:
        return existing
    completion = Completion(course_id=course.id, guardian_id=learner.person.id,
                            org_path=learner.org_path, score=points, completed_at=utcnow())
    try:
        async with session.begin_nested():
            session.add(completion)
            await session.flush()
    except IntegrityError:  # a second tab's pass won; theirs stands
        winner = (await progress(session, learner.person.id, course.id)).completion
        if winner is None:
            raise
        return winner
    completion.certificate_serial = await _certificate.issue(session, platform, course,
                                                             completion)
    await emit(session, "parent_school.course_completed", subject_id=learner.person.id,
               actor_account_id=learner.actor.account_id, title=course.title,
               category=CATEGORY, occurred_at=completion.completed_at.isoformat(),
               url=f"/parent_school/courses/{course.id}", course_id=course.id, score=points,
               certificate_serial=completion.certificate_serial)
    log.info("course %s completed by guardian %s", course.id, learner.person.id)
    return completion


async def submit(session: AsyncSession, platform: Platform, learner: Learner, course: Course,
                 raw: dict[str, Any]) -> Result:
    """Score one attempt; a pass completes the course (once) and issues its certificate."""
    asked = await questions(session, course.id)
    if not asked:
        raise ApiError(409, "no_quiz", "这门课程没有结业测验")
    done = await progress(session, learner.person.id, course.id)
    if not done.finished_lessons:
        raise ApiError(409, "lessons_unfinished",
                       f"请先学完全部 {done.lessons} 节课（已学 {done.done} 节）再参加测验")
    answers = checked_answers(asked, raw)
    points, right = score(asked, answers)
    passed = points >= course.pass_mark
    session.add(Attempt(course_id=course.id, guardian_id=learner.person.id, score=points,
                        passed=passed, answers={str(k): v for k, v in answers.items()},
                        submitted_at=utcnow()))
    completion = None
    if passed:
        completion = await _complete(session, platform, learner, course, points)
    return Result(points, passed, right, completion)
