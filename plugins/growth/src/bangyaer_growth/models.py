"""One row per event about a student: the growth record's timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bangyaer.db import Base, utcnow
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column


class Record(Base):
    __tablename__ = "growth_record"
    __table_args__ = (Index("ix_growth_record_student_at", "student_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: an event delivered twice (delivery is at least once) is one record.
    event_id: Mapped[int] = mapped_column(ForeignKey("core_event.id"), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    student_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"))
    # Where the student was when it happened: school admins see their
    # school's records, and the cockpit counts by school, without a join.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True, default="")
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), index=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    url: Mapped[str] = mapped_column(String(500), default="")
    minutes: Mapped[int] = mapped_column(default=0)
    award: Mapped[str | None] = mapped_column(String(100))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("core_certificate.id"))
    # Ties a registration to its later cancellation ("competitions:entry:<code>").
    ref: Mapped[str | None] = mapped_column(String(100), index=True)
    withdrawn: Mapped[bool] = mapped_column(default=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
