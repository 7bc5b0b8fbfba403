"""Results tables: measurements, computed results, 公示 publications and appeals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bangyaer.db import Base, utcnow
from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class Measurement(Base):
    """A measured result (time, distance) entered by staff for an entry."""

    __tablename__ = "competitions_measurement"

    entry_id: Mapped[int] = mapped_column(ForeignKey("competitions_entry.id"),
                                          primary_key=True)
    # A decimal string in the type's unit ("12.34" 秒), parsed with Decimal.
    value: Mapped[str] = mapped_column(String(32))
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Result(Base):
    """An entry's computed score, rank and award in one version of the results."""

    __tablename__ = "competitions_result"
    __table_args__ = (
        UniqueConstraint("activity_id", "version", "entry_id"),
        Index("ix_competitions_result_group", "activity_id", "version", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("competitions_activity.id"))
    # Each computation is a new version; published and final versions stay as they were.
    version: Mapped[int]
    entry_id: Mapped[int] = mapped_column(ForeignKey("competitions_entry.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("competitions_group.id"))
    # Display values only: ranking is computed from the judges' integer scores.
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None]
    award: Mapped[str | None] = mapped_column(String(16))
    flagged: Mapped[bool] = mapped_column(default=False)
    # How the score came about: judges' totals, dropped ones, median, tie-break values.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Publication(Base):
    """A version of the results shown to the public (公示) or made final."""

    __tablename__ = "competitions_publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("competitions_activity.id"),
                                             index=True)
    version: Mapped[int]
    # "publicised" | "final"
    kind: Mapped[str] = mapped_column(String(16))
    published_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    appeal_until: Mapped[dt.datetime | None]
    # The notices plugin's notice id when a 公示 notice was posted.
    notice_id: Mapped[int | None]


class Appeal(Base):
    """A guardian's appeal (申诉) against a publicised result, and its outcome."""

    __tablename__ = "competitions_appeal"
    __table_args__ = (UniqueConstraint("activity_id", "entry_id", "publication_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("competitions_activity.id"),
                                             index=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("competitions_publication.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("competitions_entry.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    reason: Mapped[str] = mapped_column(String(1000))
    # "submitted" | "rejected" | "accepted" (re-judging) | "resolved"
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    decision: Mapped[str] = mapped_column(String(1000), default="")
    decided_at: Mapped[dt.datetime | None]
    # Before and after the re-judging: {"score", "rank", "award"}.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
