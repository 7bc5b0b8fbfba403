"""Club sessions and attendance: the leader ticks who came, in one save.

Saving the same list twice changes nothing, and a child is reported as
having attended (``clubs.attended``) once per session, however often the
list is corrected: only a change from absent (or unmarked) to present emits.
"""

from __future__ import annotations

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ._service import members
from .models import Attendance, Club, Meeting


async def marks(session: AsyncSession, meeting_id: int) -> dict[int, bool]:
    rows = await session.execute(select(Attendance.child_id, Attendance.present)
                                 .where(Attendance.meeting_id == meeting_id))
    return {child: present for child, present in rows}


async def take_attendance(session: AsyncSession, actor: Actor, club: Club, meeting: Meeting,
                          present: set[int]) -> dict[int, bool]:
    """Mark every current member present or absent; returns the marks now stored."""
    roll = {m.child_id: (m, p) for m, p in await members(session, club.id)}
    strangers = present - set(roll)
    if strangers:
        raise ApiError(422, "not_members", "名单中有不是本社团成员的学生",
                       detail={"child_ids": sorted(strangers)})
    existing = {a.child_id: a for a in await session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id))}
    now = utcnow()
    for child_id, (_, person) in roll.items():
        here = child_id in present
        row = existing.get(child_id)
        was_here = row is not None and row.present
        if row is None:
            session.add(Attendance(meeting_id=meeting.id, child_id=child_id, present=here,
                                   org_path=person.org_path, marked_by=actor.account_id,
                                   marked_at=now))
        elif row.present != here:
            row.present, row.marked_by, row.marked_at = here, actor.account_id, now
        if here and not was_here:
            topic = f"：{meeting.topic}" if meeting.topic else ""
            await emit(session, "clubs.attended", subject_id=child_id,
                       actor_account_id=actor.account_id, title=f"参加{club.name}活动{topic}",
                       category=club.category, occurred_at=meeting.starts_at.isoformat(),
                       url=f"/clubs/{club.id}", club_id=club.id, meeting_id=meeting.id)
    await audit(session, actor, "clubs.attendance_taken", "clubs_meeting", meeting.id,
                present=len(present), members=len(roll))
    await session.flush()
    return await marks(session, meeting.id)
