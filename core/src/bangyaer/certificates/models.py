"""Issued certificates and the batches that issue a whole activity's at once."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class CertificateStatus(enum.StrEnum):
    valid = "valid"
    revoked = "revoked"


class Certificate(Base):
    """One e-certificate (电子奖状): who, for what, and where its PDF is."""

    __tablename__ = "core_certificate"
    # One certificate per thing it is for (an award, a completed class), so a
    # retried issue finds the first one instead of making a second.
    __table_args__ = (UniqueConstraint("source_plugin", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("core_person.id"), index=True)
    # The name as printed: a later rename in the roster does not change what
    # the paper says, and verification must match the paper.
    holder_name: Mapped[str] = mapped_column(String(100))
    source_plugin: Mapped[str] = mapped_column(String(32))
    source_key: Mapped[str] = mapped_column(String(64))
    activity_title: Mapped[str] = mapped_column(String(200))
    award: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    pdf_sha256: Mapped[str] = mapped_column(ForeignKey("core_blob.sha256"))
    status: Mapped[str] = mapped_column(String(16), default=CertificateStatus.valid)
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("core_certificate_batch.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BatchStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"


class CertificateBatch(Base):
    """A whole activity's certificates, issued by a background job with progress."""

    __tablename__ = "core_certificate_batch"
    __table_args__ = (UniqueConstraint("source_plugin", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_plugin: Mapped[str] = mapped_column(String(32))
    source_key: Mapped[str] = mapped_column(String(64))
    activity_title: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    template: Mapped[dict[str, Any]] = mapped_column(JSON)
    # [{"holder_id", "source_key", "award"}, …] in the order they are issued;
    # ``done`` counts the leading items already issued.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total: Mapped[int]
    done: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.queued)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
