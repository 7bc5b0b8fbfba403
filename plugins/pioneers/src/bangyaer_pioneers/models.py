"""The pioneers tables: counsellors, brigade news, activities, hand-ins, badges, awards.

Brigades and squadrons are not tables of their own: a brigade is a school
organisation and a squadron a class organisation of the core's tree, so a
roster import that adds a class adds its squadron too.
"""

from __future__ import annotations

import datetime as dt
import enum

from bangyaer.db import Base, utcnow
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class Kind(enum.StrEnum):
    """What a pioneer hands in for an activity."""

    photo = "photo"
    text = "text"
    checkin = "checkin"


KIND_TITLES: dict[Kind, str] = {Kind.photo: "照片", Kind.text: "短文", Kind.checkin: "打卡"}


class State(enum.StrEnum):
    submitted = "submitted"  # waiting for a counsellor
    approved = "approved"
    returned = "returned"    # sent back with a comment; may be handed in again


STATE_TITLES: dict[State, str] = {
    State.submitted: "待审核", State.approved: "已通过", State.returned: "已退回",
}


class Counsellor(Base):
    """A staff account appointed counsellor (辅导员) of a brigade (school) or squadron (class)."""

    __tablename__ = "pioneers_counsellor"
    __table_args__ = (UniqueConstraint("account_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("core_account.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"))
    # Copied from the organisation: reach checks are prefix tests, no join.
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    appointed_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    appointed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class News(Base):
    """A piece of brigade news (大队动态), read by the school's families."""

    __tablename__ = "pioneers_news"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Activity(Base):
    """An online activity (线上活动) for the pioneers under one organisation."""

    __tablename__ = "pioneers_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[Kind] = mapped_column(String(16))
    opens_at: Mapped[dt.datetime]
    closes_at: Mapped[dt.datetime]
    # The district, a brigade or a squadron: the activity is for the pioneers
    # whose class path starts with it.
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Submission(Base):
    """What one pioneer handed in for one activity, and how it was reviewed."""

    __tablename__ = "pioneers_submission"
    __table_args__ = (
        UniqueConstraint("activity_id", "child_id"),
        Index("ix_pioneers_submission_activity_state", "activity_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("pioneers_activity.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("core_person.id"))
    # The child's class path when they handed in: counsellors' reach and the
    # cockpit's schools are prefix tests on it.
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    state: Mapped[State] = mapped_column(String(16), default=State.submitted)
    text: Mapped[str] = mapped_column(Text, default="")
    photo_sha256: Mapped[str | None] = mapped_column(ForeignKey("core_blob.sha256"))
    photo_type: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    reviewed_at: Mapped[dt.datetime | None]


class Badge(Base):
    """A badge of the badge programme (争章) and what earns it."""

    __tablename__ = "pioneers_badge"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    criteria: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Award(Base):
    """A badge a counsellor awarded to one pioneer; once per badge and pioneer."""

    __tablename__ = "pioneers_award"
    __table_args__ = (UniqueConstraint("badge_id", "child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_id: Mapped[int] = mapped_column(ForeignKey("pioneers_badge.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    awarded_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    awarded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
