"""Notifications: every message lands in the in-app inbox; channels reach further.

``notify`` writes the inbox rows and one job per channel in the caller's
transaction. A channel (``notification_channels`` hook) receives the whole
batch at once, so a gateway that takes 100 recipients a call can batch.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import ForeignKey, Index, String, Text, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, utcnow
from .identity import Person
from .jobs import JobContext, PermanentJobError, enqueue

__all__ = [
    "SEND_JOB",
    "Message",
    "NotificationChannel",
    "mark_read",
    "notify",
    "send",
    "unread_count",
]

SEND_JOB = "core.send_notification"
# Ids are checked this many at a time: both databases cap bound parameters.
_ID_CHUNK = 1000
_LIMITS = {"source": 32, "topic": 64, "title": 200, "url": 500}

log = logging.getLogger("bangyaer.notifications")


class Message(Base):
    __tablename__ = "core_message"
    __table_args__ = (Index("ix_core_message_person_read", "person_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"))
    batch: Mapped[str] = mapped_column(String(36), index=True)
    # Which plugin sent it and about what, e.g. ("competitions", "result").
    source: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]


class NotificationChannel(Protocol):
    """A way to reach people beyond the inbox, e.g. DingTalk work notices.

    ``send`` gets every message of one batch (one per person). It runs as a
    job: raising retries the whole batch later, ``PermanentJobError`` gives
    up. A gateway that may have taken part of a batch before failing should
    pass ``ctx.idempotency_key`` on, so a retry does not reach anyone twice.
    """

    id: str

    async def send(self, ctx: JobContext, messages: Sequence[Message]) -> None: ...


def _check_fields(fields: dict[str, str], channels: Sequence[str]) -> None:
    for name, limit in _LIMITS.items():
        if len(fields[name]) > limit:
            raise ValueError(f"notification {name} is {len(fields[name])} characters; "
                             f"at most {limit} fit")
    if not fields["source"]:
        raise ValueError("notification source is empty: pass the sending plugin's id")
    if not fields["title"].strip():
        raise ValueError("notification title is empty")
    for channel in channels:
        if not isinstance(channel, str) or not channel:
            raise ValueError(f"notification channel {channel!r}: expected a channel id")


async def _check_people(session: AsyncSession, person_ids: list[int]) -> None:
    found: set[int] = set()
    for start in range(0, len(person_ids), _ID_CHUNK):
        chunk = person_ids[start:start + _ID_CHUNK]
        found.update(await session.scalars(select(Person.id).where(Person.id.in_(chunk))))
    missing = [pid for pid in person_ids if pid not in found]
    if missing:
        raise ValueError(f"cannot notify unknown person id(s) {missing[:10]}")


async def _batch_taken(session: AsyncSession, batch: str) -> bool:
    if session.get_bind().dialect.name == "postgresql":
        # Two transactions notifying with one key would both find no rows and
        # both insert; the lock makes the second wait and then see the first's.
        # (On SQLite write transactions already run one at a time.)
        lock_id = int.from_bytes(uuid.UUID(batch).bytes[:8], "big", signed=True)
        await session.execute(select(func.pg_advisory_xact_lock(lock_id)))
    seen = await session.scalar(select(Message.id).where(Message.batch == batch).limit(1))
    return seen is not None


async def notify(
    session: AsyncSession,
    person_ids: Iterable[int],
    *,
    source: str,
    title: str,
    body: str = "",
    url: str = "",
    topic: str = "",
    channels: Sequence[str] = (),
    key: str | None = None,
) -> str | None:
    """Put a message in each person's inbox and queue it for ``channels``.

    Each person gets one message however often they appear in
    ``person_ids``. With ``key`` the same notification is sent at most once
    however often this is called (retried requests, re-run jobs). Returns
    the batch id, or None when ``key`` was already used.
    """
    _check_fields({"source": source, "topic": topic, "title": title, "url": url}, channels)
    people = list(dict.fromkeys(person_ids))
    batch = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bangyaer:{key}")) if key else str(uuid.uuid4())
    if key is not None and await _batch_taken(session, batch):
        return None
    if not people:
        return batch
    await _check_people(session, people)
    now = utcnow()
    rows = [
        {"person_id": pid, "batch": batch, "source": source, "topic": topic,
         "title": title, "body": body, "url": url, "created_at": now}
        for pid in people
    ]
    await session.execute(insert(Message), rows)
    for channel in dict.fromkeys(channels):
        await enqueue(session, SEND_JOB, {"batch": batch, "channel": channel},
                      key=f"notify:{batch}:{channel}")
    return batch


async def send(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler: give one batch to one channel from ``notification_channels``."""
    batch, channel_id = payload.get("batch"), payload.get("channel")
    if not isinstance(batch, str) or not isinstance(channel_id, str):
        raise PermanentJobError(f"payload {payload!r}: expected string 'batch' and 'channel'")
    channels = ctx.platform.host.collect_by_id("notification_channels")
    channel = channels.get(channel_id)
    if channel is None:
        # Dead at once: retrying will not install the plugin.
        raise PermanentJobError(
            f"no enabled plugin provides notification channel {channel_id!r} "
            f"(enabled channels: {sorted(channels) or 'none'})"
        )
    async with ctx.platform.db.session() as session:
        messages = list(await session.scalars(
            select(Message).where(Message.batch == batch).order_by(Message.id)
        ))
    if not messages:
        log.info("notification batch %s has no messages; nothing to send", batch)
        return
    await channel.send(ctx, messages)
    log.info("notification batch %s: %d message(s) sent through %r",
             batch, len(messages), channel_id)


async def unread_count(session: AsyncSession, person_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Message)
        .where(Message.person_id == person_id, Message.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(session: AsyncSession, person_id: int, message_ids: Iterable[int]) -> int:
    """Mark the person's own unread messages among ``message_ids`` read; how many changed."""
    ids = list(message_ids)
    changed = 0
    for start in range(0, len(ids), _ID_CHUNK):
        result: Any = await session.execute(
            update(Message)
            .where(Message.person_id == person_id, Message.id.in_(ids[start:start + _ID_CHUNK]),
                   Message.read_at.is_(None))
            .values(read_at=utcnow())
        )
        changed += int(result.rowcount or 0)
    return changed
