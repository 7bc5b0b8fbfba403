"""Terms, campuses, courses, classes, enrollments and every move of an enrollment."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from bangyaer.db import Base, TimestampMixin, utcnow
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Mode(enum.StrEnum):
    first_come = "first_come"  # 先到先得: a seat is taken at once
    lottery = "lottery"  # 报名摇号: apply in the window, seats given by the draw


class State(enum.StrEnum):
    """An enrollment's life; see README.md for the allowed moves."""

    applied = "applied"  # lottery application, before the draw
    waitlisted = "waitlisted"  # 候补: no seat yet, ordered by waitlist_position
    admitted = "admitted"  # has a seat, payment not yet asked for (free classes skip it)
    awaiting_payment = "awaiting_payment"  # has a seat until deadline_at
    confirmed = "confirmed"  # paid (or free): the seat is the child's
    expired = "expired"  # not paid in time, or not drawn
    withdrawn = "withdrawn"  # the family gave the seat or application up
    refunded = "refunded"  # paid, then refunded by the payments ledger


# States that hold one of the class's `taken` seats.
SEATED = (State.admitted, State.awaiting_payment, State.confirmed)
# States that still count against the child (clash and application limits).
ACTIVE = (State.applied, State.waitlisted, *SEATED)


class Term(Base, TimestampMixin):
    """A term (学期) with its two windows and its lottery's published data."""

    __tablename__ = "training_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[dt.date]
    previous_term_id: Mapped[int | None] = mapped_column(ForeignKey("training_term.id"))
    continuing_opens_at: Mapped[dt.datetime]
    continuing_closes_at: Mapped[dt.datetime]
    opens_at: Mapped[dt.datetime]
    closes_at: Mapped[dt.datetime]
    # The lottery: the seed is secret until drawn_at; its SHA-256 is public
    # from the moment the term exists, so the seed cannot be chosen later.
    seed: Mapped[str] = mapped_column(String(64))
    seed_sha256: Mapped[str] = mapped_column(String(64))
    frozen_at: Mapped[dt.datetime | None]
    frozen_list: Mapped[str | None] = mapped_column(Text)  # canonical JSON, see _draw.py
    list_sha256: Mapped[str | None] = mapped_column(String(64))
    drawn_at: Mapped[dt.datetime | None]
    result: Mapped[str | None] = mapped_column(Text)  # canonical JSON of the draw's result


class Campus(Base, TimestampMixin):
    """A branch of the youth palace (少年宫校区)."""

    __tablename__ = "training_campus"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class Course(Base, TimestampMixin):
    """A course at one level; ``follows_id`` is the level its continuing students come from."""

    __tablename__ = "training_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32), index=True)
    level: Mapped[int] = mapped_column(default=1)
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("training_course.id"))


class TrainingClass(Base, TimestampMixin):
    """One class of a course in a term: when, where, who teaches, how many seats."""

    __tablename__ = "training_class"
    __table_args__ = (
        UniqueConstraint("term_id", "code"),
        # The seat counter can never pass capacity, whatever a bug elsewhere does.
        CheckConstraint("taken >= 0 AND taken <= capacity", name="seats"),
        CheckConstraint("fee_fen >= 0", name="fee"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("training_term.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    campus_id: Mapped[int] = mapped_column(ForeignKey("training_campus.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[Mode] = mapped_column(String(16))
    # Eligibility: age in whole years on the term's first day, and/or a
    # grade level (kindergarten 小/中/大班 = -2/-1/0, primary 1–6, middle 7–9).
    age_min: Mapped[int | None]
    age_max: Mapped[int | None]
    grade_min: Mapped[int | None]
    grade_max: Mapped[int | None]
    fee_fen: Mapped[int]
    lessons: Mapped[int]
    weekday: Mapped[int]  # ISO weekday, 1 = Monday
    start_time: Mapped[dt.time]
    end_time: Mapped[dt.time]
    teacher: Mapped[str] = mapped_column(String(100), default="")
    room: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[dt.datetime | None]


class Enrollment(Base, TimestampMixin):
    """A child's place (or wish for one) in a class; one row per (class, child)."""

    __tablename__ = "training_enrollment"
    __table_args__ = (
        UniqueConstraint("class_id", "child_id"),
        Index("ix_training_enrollment_child_term", "child_id", "term_id"),
        Index("ix_training_enrollment_wait", "class_id", "state", "waitlist_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id"))
    term_id: Mapped[int] = mapped_column(ForeignKey("training_term.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"))
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("core_person.id"))
    state: Mapped[State] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(16), default="general")
    waitlist_position: Mapped[int | None]
    deadline_at: Mapped[dt.datetime | None]
    payment_ref: Mapped[str | None] = mapped_column(String(100))
    # The payments ledger's order for the seat now held (None for a free
    # class, or a seat granted before online payment existed).
    order_no: Mapped[str | None] = mapped_column(String(32), index=True)
    # A server default too, so rows written by plain SQL (imports, tools) need not know it.
    refunded_fen: Mapped[int] = mapped_column(default=0, server_default="0")


class Move(Base):
    """Every change of an enrollment's state: who or what moved it, and why."""

    __tablename__ = "training_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("training_enrollment.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int | None]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrollment: Mapped[Enrollment] = relationship(lazy="raise")


class IdempotentAnswer(Base):
    """The answer given to a request with an Idempotency-Key, replayed on retries."""

    __tablename__ = "training_idempotent_answer"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int]
    key: Mapped[str] = mapped_column(String(100))
    request: Mapped[str] = mapped_column(String(200))  # method and path it answered
    status: Mapped[int]
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
