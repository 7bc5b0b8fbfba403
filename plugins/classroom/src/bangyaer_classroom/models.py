"""The second-classroom tables: courses, their lessons and files, and each child's progress."""

from __future__ import annotations

import datetime as dt
import enum

from bangyaer.db import Base, TimestampMixin, utcnow
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class LessonKind(enum.StrEnum):
    video = "video"  # uploaded to the blob store, streamed with Range requests
    link = "link"    # a video elsewhere (a broadcaster's page); finished explicitly
    text = "text"    # a short text; finished explicitly


class Course(Base, TimestampMixin):
    __tablename__ = "classroom_course"
    __table_args__ = (Index("ix_classroom_course_listing", "published", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    teacher: Mapped[str] = mapped_column(String(60), default="")
    # School years on one scale (primary 1–6, middle 7–9, kindergarten ≤ 0),
    # so a course may span the primary/middle boundary.
    year_min: Mapped[int] = mapped_column(default=1)
    year_max: Mapped[int] = mapped_column(default=9)
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[dt.datetime | None]
    # Whether finishing the course earns an e-certificate (see _completion).
    certificate: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))


class Lesson(Base, TimestampMixin):
    __tablename__ = "classroom_lesson"
    __table_args__ = (Index("ix_classroom_lesson_order", "course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("classroom_course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[LessonKind] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")  # plain text, shown with line breaks
    external_url: Mapped[str] = mapped_column(String(500), default="")
    video_sha256: Mapped[str | None] = mapped_column(ForeignKey("core_blob.sha256"))
    video_type: Mapped[str | None] = mapped_column(String(100))
    video_size: Mapped[int | None]
    # Seconds, if staff know it; otherwise the player's reported duration counts.
    duration: Mapped[int | None]


class Document(Base):
    """A PDF handed out with a lesson (worksheet, score, slides)."""

    __tablename__ = "classroom_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("classroom_lesson.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("core_blob.sha256"))
    name: Mapped[str] = mapped_column(String(160))
    size: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Progress(Base):
    """How far one child got in one lesson; ``position`` only ever grows."""

    __tablename__ = "classroom_progress"
    __table_args__ = (UniqueConstraint("child_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("classroom_lesson.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("classroom_course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)   # furthest second watched
    duration: Mapped[int] = mapped_column(default=0)   # longest duration reported
    completed_at: Mapped[dt.datetime | None]
    # Copied from the child, so the cockpit counts by school and grade without joins.
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"))
    year: Mapped[int | None]
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Completion(Base):
    """A child finished every lesson of a course; written once."""

    __tablename__ = "classroom_completion"
    __table_args__ = (UniqueConstraint("child_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("classroom_course.id", ondelete="CASCADE"), index=True)
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("core_organisation.id"))
    year: Mapped[int | None]
    completed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
