"""Domain events: written in the caller's transaction, delivered to ``on_event``.

``emit`` adds the event and a dispatch job to the session, so an event exists
exactly when the change that caused it was committed. The worker then fans
the event out into one delivery job per subscribing plugin, so a subscriber
that fails is retried on its own without holding up the others. Delivery is
at least once: subscribers make their effect idempotent (keyed by event id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, utcnow
from .jobs import enqueue

__all__ = ["Event", "EventRecord", "emit"]

DISPATCH_JOB = "core.dispatch_event"
DELIVER_JOB = "core.deliver_event"


class EventRecord(Base):
    __tablename__ = "core_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The student (or other person) the event is about, for subscribers that
    # keep per-person records such as the growth record.
    subject_id: Mapped[int | None] = mapped_column(index=True)
    actor_account_id: Mapped[int | None]
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Event:
    """What a subscriber receives."""

    id: int
    type: str
    payload: dict[str, Any]
    subject_id: int | None
    actor_account_id: int | None
    occurred_at: dt.datetime

    @classmethod
    def from_record(cls, record: EventRecord) -> Event:
        return cls(
            id=record.id, type=record.type, payload=dict(record.payload),
            subject_id=record.subject_id, actor_account_id=record.actor_account_id,
            occurred_at=record.occurred_at,
        )


async def emit(
    session: AsyncSession,
    type: str,
    *,
    subject_id: int | None = None,
    actor_account_id: int | None = None,
    **payload: Any,
) -> EventRecord:
    """Record a domain event such as ``competitions.entry_registered``.

    ``type`` is ``<plugin id>.<what happened>``; ``payload`` must be JSON-able.
    """
    if "." not in type:
        raise ValueError(f"event type {type!r}: expected '<plugin id>.<what happened>'")
    record = EventRecord(
        type=type, payload=payload, subject_id=subject_id,
        actor_account_id=actor_account_id, occurred_at=utcnow(),
    )
    session.add(record)
    await session.flush()
    await enqueue(session, DISPATCH_JOB, {"event_id": record.id}, key=f"event:{record.id}")
    return record
