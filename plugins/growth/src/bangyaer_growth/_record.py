"""``on_event``: turn an event about a student into one record, exactly once."""

from __future__ import annotations

import logging

from bangyaer.events import Event
from bangyaer.identity import Person, PersonKind
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ._mapping import cancelled_ref, describe
from .models import Record

log = logging.getLogger("bangyaer.growth")


async def record_event(session: AsyncSession, event: Event) -> None:
    if event.subject_id is None:
        return
    student = await session.get(Person, event.subject_id)
    if student is None or student.kind != PersonKind.student:
        return
    ref = cancelled_ref(event)
    # Not yet: a cancellation delivered before its registration (a retried
    # delivery) leaves the registration shown; acceptable because deliveries
    # run in event order unless one fails, and re-registering is rare.
    if ref is not None:
        await session.execute(update(Record).where(
            Record.student_id == student.id, Record.ref == ref).values(withdrawn=True))
        return
    described = describe(event)
    if described is None:
        return
    values = {
        "event_id": event.id, "event_type": event.type, "student_id": student.id,
        "school_id": student.school_id, "org_path": student.org_path,
        "source": event.type.split(".", 1)[0], "kind": described.kind,
        "title": described.title, "category": described.category,
        "occurred_at": described.occurred_at, "url": described.url,
        "minutes": described.minutes, "award": described.award,
        "certificate_id": described.certificate_id, "ref": described.ref,
        "withdrawn": False, "detail": {},
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else \
        sqlite.insert
    # Delivered twice (at least once is the promise), recorded once.
    await session.execute(
        insert(Record).values(**values).on_conflict_do_nothing(index_elements=["event_id"]))
    log.info("event %s (%s) recorded for a student", event.id, event.type)
