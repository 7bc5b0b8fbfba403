from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class JobStatus(enum.StrEnum):
    queued = "queued"  # waiting for run_at
    running = "running"  # claimed; locked_until is the lease
    # Not yet: pruning old done jobs; acceptable because rows are small and
    # claims go through ix_core_job_ready, which done rows do not slow.
    done = "done"
    dead = "dead"  # out of attempts, or a permanent error; an operator looks


class Job(Base):
    __tablename__ = "core_job"
    __table_args__ = (Index("ix_core_job_ready", "status", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A job with a key is enqueued once however often enqueue() is called,
    # which makes "send this notice" safe to retry from a request handler.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    run_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
