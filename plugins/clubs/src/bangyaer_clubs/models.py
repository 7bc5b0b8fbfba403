"""The clubs tables: clubs and photos, recruitment rounds and applications, members,
sessions with attendance, and news posts."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from bangyaer.db import Base, TimestampMixin, utcnow
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class Club(Base, TimestampMixin):
    __tablename__ = "clubs_club"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(32), index=True)
    # School years on one scale (primary 1–6, middle 7–9), as in _grades.
    year_min: Mapped[int] = mapped_column(default=1)
    year_max: Mapped[int] = mapped_column(default=9)
    leader_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_account.id"), index=True)
    leader_name: Mapped[str] = mapped_column(String(60), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    meets: Mapped[str] = mapped_column(String(120), default="")  # e.g. 每周三 16:00–17:30
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(default=30)
    active: Mapped[bool] = mapped_column(default=True)


class Photo(Base):
    __tablename__ = "clubs_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs_club.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("core_blob.sha256"))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Round(Base):
    """A recruitment round (招新): when it is open and what applicants are asked."""

    __tablename__ = "clubs_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs_club.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    opens_at: Mapped[dt.datetime]
    closes_at: Mapped[dt.datetime]
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    audition: Mapped[bool] = mapped_column(default=False)  # 是否面试/试音
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Status(enum.StrEnum):
    pending = "pending"
    admitted = "admitted"
    declined = "declined"


STATUS_TITLES = {Status.pending: "待审核", Status.admitted: "已录取", Status.declined: "未录取"}


class Application(Base):
    __tablename__ = "clubs_application"
    __table_args__ = (UniqueConstraint("round_id", "child_id"),
                      Index("ix_clubs_application_club_status", "club_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("clubs_round.id", ondelete="CASCADE"))
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs_club.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("core_person.id"))
    answers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[Status] = mapped_column(String(16), default=Status.pending)
    audition_result: Mapped[str] = mapped_column(String(200), default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    decided_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Membership(Base):
    """One stretch of membership; leaving closes it, rejoining opens a new one."""

    __tablename__ = "clubs_membership"
    __table_args__ = (Index("ix_clubs_membership_club_active", "club_id", "left_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs_club.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("clubs_application.id"))
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    left_at: Mapped[dt.datetime | None]
    leave_reason: Mapped[str] = mapped_column(String(200), default="")
    # Copied from the child, so the cockpit counts by school without joins.
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"))


class Meeting(Base):
    """One session of a club (社团活动), for which attendance is taken."""

    __tablename__ = "clubs_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs_club.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime]
    topic: Mapped[str] = mapped_column(String(120), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))


class Attendance(Base):
    __tablename__ = "clubs_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("clubs_meeting.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"))
    present: Mapped[bool]
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    marked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Post(Base):
    """Club news: a short post from the leader or staff."""

    __tablename__ = "clubs_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs_club.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, default="")
    author_account_id: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
