"""The parent school's tables: courses, lessons, quizzes, progress, lectures and seats."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from bangyaer.db import Base, utcnow
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

STAGE_TITLES: dict[str, str] = {"kindergarten": "幼儿", "primary": "小学", "middle": "初中"}


class LessonKind(enum.StrEnum):
    article = "article"
    video = "video"


class Course(Base):
    """A course for guardians of children in one school stage (学段)."""

    __tablename__ = "parent_school_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(16), index=True)
    # Percent of questions answered right that passes the quiz.
    pass_mark: Mapped[int] = mapped_column(default=60)
    published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Lesson(Base):
    __tablename__ = "parent_school_lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("parent_school_course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[LessonKind] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    # A video is an outside link or a blob of our own, never both.
    video_url: Mapped[str | None] = mapped_column(String(500))
    video_sha256: Mapped[str | None] = mapped_column(ForeignKey("core_blob.sha256"))
    video_type: Mapped[str | None] = mapped_column(String(100))


class Question(Base):
    """A quiz question: single or multiple choice; ``answer`` lists the right options."""

    __tablename__ = "parent_school_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("parent_school_course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(500))
    multiple: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list[str]] = mapped_column(JSON)
    # Indices into ``options``; never sent to a browser.
    answer: Mapped[list[int]] = mapped_column(JSON)


class LessonDone(Base):
    """A guardian finished a lesson; once per guardian and lesson."""

    __tablename__ = "parent_school_lesson_done"
    __table_args__ = (UniqueConstraint("guardian_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("parent_school_lesson.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(
        ForeignKey("parent_school_course.id", ondelete="CASCADE"))
    # The guardian's school (or their child's), for the cockpit.
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    done_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Attempt(Base):
    """One try at a course's quiz, scored on the server."""

    __tablename__ = "parent_school_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("parent_school_course.id", ondelete="CASCADE"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    score: Mapped[int]
    passed: Mapped[bool]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Completion(Base):
    """A guardian passed a course; once per guardian and course."""

    __tablename__ = "parent_school_completion"
    __table_args__ = (UniqueConstraint("course_id", "guardian_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("parent_school_course.id", ondelete="CASCADE"))
    guardian_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    score: Mapped[int]
    certificate_serial: Mapped[str | None] = mapped_column(String(32))
    completed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Lecture(Base):
    """A live lecture (直播讲座 or 现场讲座) with a seat limit."""

    __tablename__ = "parent_school_lecture"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    speaker: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    stage: Mapped[str | None] = mapped_column(String(16))
    seats: Mapped[int]
    # Raised by a conditional UPDATE in the registering transaction, so a
    # lecture is never oversold however many guardians press at once.
    seats_taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Registration(Base):
    __tablename__ = "parent_school_registration"
    __table_args__ = (UniqueConstraint("lecture_id", "guardian_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lecture_id: Mapped[int] = mapped_column(
        ForeignKey("parent_school_lecture.id", ondelete="CASCADE"))
    guardian_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    org_path: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
