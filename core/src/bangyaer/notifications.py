"""Notifications: every message lands in the in-app inbox; channels reach further.

``notify`` writes the inbox rows and one job per channel in the caller's
transaction. A channel (``notification_channels`` hook) receives the whole
batch at once, so a gateway that takes 100 recipients a call can batch.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ForeignKey, Index, String, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, utcnow
from .jobs import enqueue

if TYPE_CHECKING:
    from .jobs import JobContext

__all__ = [
    "SEND_JOB",
    "Message",
    "NotificationChannel",
    "mark_read",
    "notify",
    "unread_count",
]

SEND_JOB = "core.send_notification"


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
    """A way to reach people beyond the inbox, e.g. DingTalk work notices."""

    id: str

    async def send(self, ctx: JobContext, messages: Sequence[Message]) -> None: ...


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

    With ``key`` the same notification is sent at most once however often
    this is called (retried requests, re-run jobs). Returns the batch id, or
    None when ``key`` was already used.
    """
    batch = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bangyaer:{key}")) if key else str(uuid.uuid4())
    if key is not None:
        seen = await session.scalar(select(Message.id).where(Message.batch == batch).limit(1))
        if seen is not None:
            return None
    now = utcnow()
    rows = [
        {"person_id": pid, "batch": batch, "source": source, "topic": topic,
         "title": title, "body": body, "url": url, "created_at": now}
        for pid in dict.fromkeys(person_ids)
    ]
    if not rows:
        return batch
    await session.execute(Message.__table__.insert(), rows)
    for channel in channels:
        await enqueue(session, SEND_JOB, {"batch": batch, "channel": channel},
                      key=f"notify:{batch}:{channel}")
    return batch


async def unread_count(session: AsyncSession, person_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Message)
        .where(Message.person_id == person_id, Message.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(session: AsyncSession, person_id: int, message_ids: Iterable[int]) -> int:
    result: Any = await session.execute(
        update(Message)
        .where(Message.person_id == person_id, Message.id.in_(list(message_ids)),
               Message.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)
