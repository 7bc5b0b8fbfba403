"""The notices tables: items, who they are for, their files, and who read them."""

from __future__ import annotations

import datetime as dt
import enum

from bangyaer.db import Base, TimestampMixin, utcnow
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class Column(enum.StrEnum):
    """The three columns of the module page."""

    notice = "notice"        # 通知
    publicity = "publicity"  # 公示
    news = "news"            # 新闻


COLUMN_TITLES: dict[Column, tuple[str, str]] = {
    Column.notice: ("通知", "Notices"),
    Column.publicity: ("公示", "Public notice periods"),
    Column.news: ("新闻", "News"),
}


class Status(enum.StrEnum):
    draft = "draft"
    # Published items are visible between publish_at and unpublish_at; a
    # future publish_at is a scheduled item, a past unpublish_at an expired one.
    published = "published"


class Item(Base, TimestampMixin):
    __tablename__ = "notices_item"
    __table_args__ = (
        Index("ix_notices_item_listing", "column", "status", "pinned", "publish_at"),
        UniqueConstraint("source_plugin", "source_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    column: Mapped[Column] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    # Plain text of the body, cut short: list previews and search.
    excerpt: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[Status] = mapped_column(String(16), default=Status.draft)
    publish_at: Mapped[dt.datetime | None]
    unpublish_at: Mapped[dt.datetime | None]
    pinned: Mapped[bool] = mapped_column(default=False)
    # Readable without signing in (and listed in the Atom feeds).
    public: Mapped[bool] = mapped_column(default=True)
    # True: every school of the district; False: the schools in notices_audience.
    whole_district: Mapped[bool] = mapped_column(default=True)
    # The organisation that owns the item (the district, or the one school a
    # school admin published for); editing rights are checked against it.
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    cover_sha256: Mapped[str | None] = mapped_column(ForeignKey("core_blob.sha256"))
    cover_type: Mapped[str | None] = mapped_column(String(100))
    # 公示 only: the period during which objections are heard, and how.
    period_start: Mapped[dt.datetime | None]
    period_end: Mapped[dt.datetime | None]
    objection_contact: Mapped[str] = mapped_column(String(200), default="")
    objection_url: Mapped[str] = mapped_column(String(500), default="")
    # Set by other plugins through bangyaer_notices.api, e.g. ("competitions",
    # "42"); the pair makes their calls idempotent.
    source_plugin: Mapped[str | None] = mapped_column(String(32))
    source_key: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))

    def __repr__(self) -> str:
        return f"<notices.Item {self.id} {self.column} {self.status}>"


class Audience(Base):
    """A school an item is for, when it is not for the whole district."""

    __tablename__ = "notices_audience"
    __table_args__ = (UniqueConstraint("item_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("notices_item.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)


class Attachment(Base):
    __tablename__ = "notices_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("notices_item.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("core_blob.sha256"))
    name: Mapped[str] = mapped_column(String(160))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Read(Base):
    """A signed-in person opened an item; counted once per person and item."""

    __tablename__ = "notices_read"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("notices_item.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"))
    # Copied from the person when they read, so the cockpit can count a
    # school's readers without joining people.
    org_path: Mapped[str] = mapped_column(String(255), default="")
    read_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
