"""Domain events: written in the caller's transaction, delivered to ``on_event``.

``emit`` adds the event and a dispatch job to the session, so an event exists
exactly when the change that caused it was committed. The worker then fans
the event out into one delivery job per subscribing plugin, so a subscriber
that fails is retried on its own without holding up the others. Delivery is
at least once: subscribers make their effect idempotent (keyed by event id).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, utcnow
from .jobs import JobContext, PermanentJobError, enqueue

__all__ = ["Event", "EventRecord", "deliver", "dispatch", "emit"]

log = logging.getLogger("bangyaer.events")

DISPATCH_JOB = "core.dispatch_event"
DELIVER_JOB = "core.deliver_event"
# "<plugin id>.<what happened>", e.g. "competitions.entry_registered".
EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]{1,30}\.[a-z][a-z0-9_.]{0,68}")


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
    Call it inside the ``platform.db.transaction()`` that makes the change.
    """
    if not isinstance(type, str) or not EVENT_TYPE.fullmatch(type):
        raise ValueError(f"event type {type!r}: expected '<plugin id>.<what happened>', "
                         "e.g. 'competitions.entry_registered'")
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        # Refused here, with the event's name, not as a driver error at commit.
        raise ValueError(f"event {type!r}: payload must be JSON-able: {exc}") from None
    record = EventRecord(
        type=type, payload=payload, subject_id=subject_id,
        actor_account_id=actor_account_id, occurred_at=utcnow(),
    )
    session.add(record)
    await session.flush()
    await enqueue(session, DISPATCH_JOB, {"event_id": record.id}, key=f"event:{record.id}")
    return record


def _event_id(payload: dict[str, Any]) -> int:
    event_id = payload.get("event_id")
    if not isinstance(event_id, int) or isinstance(event_id, bool):
        raise PermanentJobError(f"payload {payload!r}: expected an integer 'event_id'")
    return event_id


async def dispatch(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler: queue one delivery per enabled plugin that implements ``on_event``."""
    event_id = _event_id(payload)
    async with ctx.platform.db.transaction() as session:
        found = await session.scalar(select(EventRecord.id).where(EventRecord.id == event_id))
        if found is None:
            raise PermanentJobError(f"event {event_id} does not exist")
        # Keyed, so a dispatch that runs twice (its lease expired) queues
        # each delivery once.
        for plugin_id in ctx.platform.host.implementers("on_event"):
            await enqueue(session, DELIVER_JOB, {"event_id": event_id, "plugin": plugin_id},
                          key=f"deliver:{event_id}:{plugin_id}")


async def deliver(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler: hand one event to one plugin's ``on_event`` inside a transaction.

    The subscriber's writes commit with the delivery, or roll back with it
    when it raises and the delivery is retried.
    """
    event_id = _event_id(payload)
    plugin_id = payload.get("plugin")
    if not isinstance(plugin_id, str):
        raise PermanentJobError(f"payload {payload!r}: expected a string 'plugin'")
    if not ctx.platform.host.is_enabled(plugin_id):
        # Disabled (or removed) since dispatch: its hooks are not called.
        log.info("event %s not delivered to %r: the plugin is not enabled", event_id, plugin_id)
        return
    async with ctx.platform.db.transaction() as session:
        record = await session.get(EventRecord, event_id)
        if record is None:
            raise PermanentJobError(f"event {event_id} does not exist")
        result = ctx.platform.host.call_one(
            plugin_id, "on_event", event=Event.from_record(record), session=session
        )
        if inspect.isawaitable(result):
            await result
