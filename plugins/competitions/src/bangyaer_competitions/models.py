"""The competitions tables: activities, groups, entries, works, files, uploads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bangyaer.db import Base, TimestampMixin, utcnow
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class Activity(Base, TimestampMixin):
    """A competition (竞赛活动), run by the district or by one school."""

    __tablename__ = "competitions_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The organisation running it: the district, or a school for school-level ones.
    org_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"))
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    type_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    # Entry codes start with this, e.g. "K2026" → "K2026-03-00017"; unique so
    # a code alone finds its entry.
    code_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    description: Mapped[str] = mapped_column(String(4000), default="")
    # Empty lists mean "anyone": {"stages": [...], "grades": [...], "school_ids": [...]}.
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    registration_opens_at: Mapped[dt.datetime]
    registration_closes_at: Mapped[dt.datetime]
    submission_deadline: Mapped[dt.datetime]
    judging_starts_at: Mapped[dt.datetime | None]
    results_at: Mapped[dt.datetime | None]
    online_submission: Mapped[bool] = mapped_column(default=True)
    entries_per_child: Mapped[int] = mapped_column(default=1)
    # Off (None) by default: most district activities take every eligible child.
    school_cap: Mapped[int | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))


class Group(Base):
    """A group (组别) of an activity, by school stage and grade range.

    ``last_seq`` is the entry-code counter of this (activity, group): it is
    incremented with one UPDATE in the registering transaction, so codes are
    unique and, because a rolled-back registration rolls the counter back
    too, gapless.
    """

    __tablename__ = "competitions_group"
    __table_args__ = (UniqueConstraint("activity_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("competitions_activity.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(16))
    grade_min: Mapped[int]
    grade_max: Mapped[int]
    last_seq: Mapped[int] = mapped_column(default=0)


class Transition(Base):
    """One move of an activity's lifecycle: who, when, from and to."""

    __tablename__ = "competitions_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("competitions_activity.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Entry(Base, TimestampMixin):
    """A child's registration (报名) in an activity, with its entry code."""

    __tablename__ = "competitions_entry"
    __table_args__ = (
        # slot is 1..entries_per_child while active and NULL once cancelled;
        # NULLs never collide, so a cancelled entry frees its slot.
        UniqueConstraint("activity_id", "student_id", "slot"),
        UniqueConstraint("activity_id", "idempotency_key"),
        Index("ix_competitions_entry_activity_school", "activity_id", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("competitions_activity.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("competitions_group.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    seq: Mapped[int]
    slot: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="registered")
    student_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    # Copied from the roster at registration, never typed by the guardian.
    student_name: Mapped[str] = mapped_column(String(100))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"))
    school_name: Mapped[str] = mapped_column(String(200), default="")
    class_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"))
    class_name: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[str | None] = mapped_column(String(16))
    grade: Mapped[int | None]
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]


class Work(Base):
    """One submitted version of an entry's work; earlier versions stay for staff."""

    __tablename__ = "competitions_work"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("competitions_entry.id"), index=True)
    version: Mapped[int]
    current: Mapped[bool] = mapped_column(default=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WorkFile(Base):
    """A checked file of an entry: staged after upload, then part of one work."""

    __tablename__ = "competitions_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("competitions_entry.id"), index=True)
    work_id: Mapped[int | None] = mapped_column(ForeignKey("competitions_work.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(ForeignKey("core_blob.sha256"))
    size: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    thumb_sha256: Mapped[str | None] = mapped_column(ForeignKey("core_blob.sha256"))
    # Kept for staff only; judges in part 2 see neither names nor metadata.
    original_name: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Upload(Base):
    """A resumable (tus) upload in progress; its bytes live in a temporary file."""

    __tablename__ = "competitions_upload"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("competitions_entry.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    length: Mapped[int]
    offset: Mapped[int] = mapped_column(default=0)
    original_name: Mapped[str] = mapped_column(String(200), default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("competitions_file.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
