"""The plugin's tables: how DingTalk's directory maps onto the core's, and notices sent."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from bangyaer.db import Base, utcnow
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class DeptLink(Base):
    """A home-school department (grade or class) and the organisation it became."""

    __tablename__ = "dingtalk_dept"
    __table_args__ = (UniqueConstraint("corp_id", "dept_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    corp_id: Mapped[str] = mapped_column(String(64))
    dept_id: Mapped[int] = mapped_column(BigInteger)
    dept_type: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int] = mapped_column(ForeignKey("core_organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)


class Member(Base):
    """A person in a corp's home-school roster, by DingTalk userid and role.

    Students have no account, so ExternalIdentity (which hangs off accounts)
    cannot hold them; this table holds everyone the roster sync manages.
    """

    __tablename__ = "dingtalk_member"
    __table_args__ = (UniqueConstraint("corp_id", "userid", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    corp_id: Mapped[str] = mapped_column(String(64))
    userid: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # student, guardian, teacher
    person_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    class_dept_id: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DeliveryStatus(enum.StrEnum):
    queued = "queued"  # waiting for its send job
    sent = "sent"  # DingTalk accepted the task; result not yet checked
    delivered = "delivered"  # DingTalk reports it delivered (read or unread)
    refused = "refused"  # DingTalk refused this recipient: the inbox alone has it


class Delivery(Base):
    """One inbox message sent on as a work notice (工作通知)."""

    __tablename__ = "dingtalk_delivery"
    __table_args__ = (
        # DingTalk drops the same content to the same person twice in a day
        # (errcode 143106); we never ask it to.
        UniqueConstraint("person_id", "content_key", "day"),
        Index("ix_dingtalk_delivery_task", "corp_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("core_message.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"))
    corp_id: Mapped[str] = mapped_column(String(64))
    userid: Mapped[str] = mapped_column(String(64))
    content_key: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date]  # in Asia/Shanghai, DingTalk's day
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.queued)
    task_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[dt.datetime | None]


class SyncRun(Base):
    """One roster sync of one corp and what it changed."""

    __tablename__ = "dingtalk_sync_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    corp_id: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")  # ok, partial, failed
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    deactivated: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
