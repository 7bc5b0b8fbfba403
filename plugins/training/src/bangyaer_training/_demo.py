"""Believable demo content: a spring term whose new registration is open, eight classes,
and one demo family's seat waiting to be paid, so the demo has an order to pay."""

from __future__ import annotations

import datetime as dt

from bangyaer.db import utcnow
from bangyaer.identity import Account, Guardianship, Person
from bangyaer.web import ApiError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ._enroll import Limits, request_place
from ._lottery import new_seed
from .models import Campus, Course, Mode, Term, TrainingClass

# The demo guardian whose child already holds a seat to pay for.
PAYING_PARENT = "parent2"

# (course code, name, category, class name, mode, ages, fee in yuan, weekday, start, seats)
CLASSES = (
    ("MS1", "少儿美术", "美术", "少儿美术启蒙班", Mode.first_come, (5, 7), 1280, 6, "09:00", 20),
    ("MS2", "少儿美术", "美术", "创意水彩班", Mode.lottery, (8, 12), 1480, 6, "14:00", 16),
    ("WD1", "中国舞", "舞蹈", "中国舞考级一级班", Mode.lottery, (6, 9), 1600, 7, "09:00", 18),
    ("WD2", "街舞", "舞蹈", "少儿街舞班", Mode.first_come, (7, 12), 1500, 5, "18:30", 24),
    ("YY1", "钢琴", "音乐", "钢琴集体课", Mode.first_come, (6, 10), 2200, 3, "18:30", 8),
    ("KJ1", "机器人编程", "科技", "乐高机器人编程班", Mode.lottery, (8, 13), 2400, 6, "09:00", 12),
    ("WG1", "围棋", "棋类", "围棋入门班", Mode.first_come, (5, 9), 1200, 7, "14:00", 20),
    ("SF1", "书法", "书法", "硬笔书法班", Mode.first_come, (7, 12), 980, 2, "18:30", 25),
)


async def add_demo_term(session: AsyncSession) -> Term | None:
    if await session.scalar(select(Term.id).where(Term.code == "2027S")):
        return None
    now = utcnow()
    seed, commitment = new_seed()
    term = Term(code="2027S", name="2027 年春季班", starts_on=dt.date(2027, 3, 1),
                continuing_opens_at=now - dt.timedelta(days=7),
                continuing_closes_at=now - dt.timedelta(days=1),
                opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=6),
                seed=seed, seed_sha256=commitment)
    main = Campus(code="BB", name="少年宫本部")
    east = Campus(code="DQ", name="东城分校")
    session.add_all([term, main, east])
    await session.flush()
    courses: dict[str, Course] = {}
    for n, (code, course_name, category, name, mode, ages, fee, weekday, start, seats) in \
            enumerate(CLASSES):
        course = courses.get(code)
        if course is None:
            course = Course(code=code, name=course_name, category=category)
            session.add(course)
            await session.flush()
            courses[code] = course
        begins = dt.time.fromisoformat(start)
        ends = (dt.datetime.combine(dt.date(2027, 1, 1), begins) + dt.timedelta(minutes=90))
        session.add(TrainingClass(
            term_id=term.id, course_id=course.id, campus_id=(main, east)[n % 2].id,
            code=f"{code}-{n + 1:02}", name=name, mode=mode, age_min=ages[0],
            age_max=ages[1], fee_fen=fee * 100, lessons=16, weekday=weekday,
            start_time=begins, end_time=ends.time(), teacher="少年宫教师", room=f"{201 + n}",
            capacity=seats, taken=0))
    await session.flush()
    return term


async def add_demo_seat(session: AsyncSession, term: Term, limits: Limits) -> None:
    """Give the paying parent's child a first-come seat, as the family's own tap would."""
    found = (await session.execute(
        select(Account, Person).join(Guardianship, Guardianship.guardian_id == Account.person_id)
        .join(Person, Person.id == Guardianship.student_id)
        .where(Account.username == PAYING_PARENT).order_by(Person.id).limit(1))).first()
    if found is None:
        return  # a demo without that family (a plugin's own tests) has no seat to give
    account, child = found
    classes = await session.scalars(select(TrainingClass).where(
        TrainingClass.term_id == term.id, TrainingClass.mode == Mode.first_come)
        .order_by(TrainingClass.id))
    for klass in classes:
        try:
            await request_place(session, class_id=klass.id, child=child,
                                guardian_id=account.person_id, account_id=account.id,
                                waitlist=False, limits=limits)
        except ApiError:
            continue  # not for this child's age; the checks refuse before writing
        return
