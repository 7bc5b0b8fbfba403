"""Live lectures: announced with a seat limit, registered for without ever overselling.

A seat is taken by one conditional UPDATE (``seats_taken < seats``) in the
same transaction, and the same savepoint, as the registration row, which is
unique per guardian and lecture. PostgreSQL re-checks the condition after a
competing transaction commits; SQLite runs writers one at a time. Either
way the counter never passes the limit and never counts a row that is not
there.
"""

from __future__ import annotations

import logging
from typing import Any

from bangyaer.db import utcnow
from bangyaer.web import ApiError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ._guardian import Learner
from .models import STAGE_TITLES, Lecture, Registration

log = logging.getLogger("bangyaer.parent_school")


def lecture_json(lecture: Lecture, registered: bool | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": lecture.id, "title": lecture.title, "speaker": lecture.speaker,
        "summary": lecture.summary, "place": lecture.place,
        "starts_at": lecture.starts_at.isoformat(), "seats": lecture.seats,
        "seats_left": max(lecture.seats - lecture.seats_taken, 0),
        "stage_title": STAGE_TITLES.get(lecture.stage or "", "不限"),
        "url": f"/parent_school/lectures/{lecture.id}",
    }
    if registered is not None:
        out["registered"] = registered
    return out


async def upcoming(session: AsyncSession) -> list[Lecture]:
    return list(await session.scalars(
        select(Lecture).where(Lecture.starts_at > utcnow()).order_by(Lecture.starts_at)))


async def load_lecture(session: AsyncSession, lecture_id: int) -> Lecture:
    lecture = await session.get(Lecture, lecture_id)
    if lecture is None:
        raise ApiError(404, "not_found", "没有这场讲座")
    return lecture


async def registration_of(session: AsyncSession, lecture_id: int,
                          guardian_id: int) -> Registration | None:
    found: Registration | None = await session.scalar(select(Registration).where(
        Registration.lecture_id == lecture_id, Registration.guardian_id == guardian_id))
    return found


async def register(session: AsyncSession, learner: Learner,
                   lecture: Lecture) -> tuple[Registration, bool]:
    """The guardian's registration and whether it is new; 409 when full or started.

    Asking again returns the first registration and takes no second seat, so
    a retried request is harmless.
    """
    existing = await registration_of(session, lecture.id, learner.person.id)
    if existing is not None:
        return existing, False
    if lecture.starts_at <= utcnow():
        raise ApiError(409, "lecture_started", "讲座已开始，不能再报名")
    row = Registration(lecture_id=lecture.id, guardian_id=learner.person.id,
                       org_path=learner.org_path, created_at=utcnow())
    try:
        async with session.begin_nested():
            taken: Any = await session.execute(
                update(Lecture)
                .where(Lecture.id == lecture.id, Lecture.seats_taken < Lecture.seats)
                .values(seats_taken=Lecture.seats_taken + 1)
                .execution_options(synchronize_session=False))
            if taken.rowcount != 1:
                raise ApiError(409, "lecture_full", "名额已满，请关注下一场讲座")
            session.add(row)
            await session.flush()
    except IntegrityError:
        # The same guardian registered in another request meanwhile: the
        # savepoint gave this seat back; theirs is the registration.
        winner = await registration_of(session, lecture.id, learner.person.id)
        if winner is None:
            raise
        return winner, False
    await session.refresh(lecture)
    log.info("lecture %s: registration %s (%s/%s seats)", lecture.id, row.id,
             lecture.seats_taken, lecture.seats)
    return row, True


async def cancel(session: AsyncSession, learner: Learner, lecture: Lecture) -> bool:
    """Give the seat back; False when the guardian was not registered."""
    row = await registration_of(session, lecture.id, learner.person.id)
    if row is None:
        return False
    if lecture.starts_at <= utcnow():
        raise ApiError(409, "lecture_started", "讲座已开始，不能取消报名")
    await session.delete(row)
    await session.execute(
        update(Lecture).where(Lecture.id == lecture.id, Lecture.seats_taken > 0)
        .values(seats_taken=Lecture.seats_taken - 1)
        .execution_options(synchronize_session=False))
    await session.refresh(lecture)
    return True
