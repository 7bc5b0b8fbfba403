"""The ledger's tables: orders, the trades that paid them, refunds and invoices.

Money is an integer number of fen in every column (BigInteger), never a
float; the tests fail if a column ending in ``_fen`` is anything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow
from ._states import InvoiceStatus, OrderStatus, RefundStatus

__all__ = ["Checkout", "Invoice", "Order", "Payment", "Refund"]


class Order(Base):
    """Who pays how much for what; the plugin that made it knows the what (purpose_ref)."""

    __tablename__ = "core_payment_order"
    # One order per thing paid for, so a retried admission finds its order.
    __table_args__ = (UniqueConstraint("plugin", "purpose_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), unique=True)
    plugin: Mapped[str] = mapped_column(String(32))
    purpose_ref: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.pending, index=True)
    payer_account_id: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"),
                                                         index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("core_person.id"), index=True)
    expires_at: Mapped[dt.datetime]
    paid_at: Mapped[dt.datetime | None]
    provider: Mapped[str | None] = mapped_column(String(32))
    trade_no: Mapped[str | None] = mapped_column(String(64))
    refunded_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Checkout(Base):
    """A provider the payer started paying with; expiry and repair ask each of them."""

    __tablename__ = "core_payment_checkout"
    __table_args__ = (UniqueConstraint("order_id", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("core_payment_order.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Payment(Base):
    """A successful gateway trade for an order: the one that paid it, or a duplicate."""

    __tablename__ = "core_payment_payment"
    # A notification delivered twice finds the first record: applied once.
    __table_args__ = (UniqueConstraint("provider", "trade_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("core_payment_order.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    trade_no: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    paid_at: Mapped[dt.datetime]
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Refund(Base):
    """Money going back for one trade; ``refund_no`` is sent unchanged on every retry."""

    __tablename__ = "core_payment_refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_no: Mapped[str] = mapped_column(String(64), unique=True)
    # The caller's idempotency key: the same request twice makes one refund.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("core_payment_order.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("core_payment_payment.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=RefundStatus.requested)
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    done_at: Mapped[dt.datetime | None]


class Invoice(Base):
    """An e-invoice for an order: a blue one, and the red one that cancels it.

    ``seq`` numbers an order's blue invoices: a new blue one follows a failed
    one asked for again, or a red-flushed one after a partial refund, for what
    is left. A red invoice has the ``seq`` of the blue one it cancels.
    """

    __tablename__ = "core_payment_invoice"
    # One blue and at most one red invoice of each seq, however often asked.
    __table_args__ = (UniqueConstraint("order_id", "kind", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("core_payment_order.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "blue" | "red"
    seq: Mapped[int] = mapped_column(default=1, server_default="1")
    request_no: Mapped[str] = mapped_column(String(32), unique=True)
    provider: Mapped[str] = mapped_column(String(32))
    buyer_kind: Mapped[str] = mapped_column(String(8))
    buyer_name: Mapped[str] = mapped_column(String(100))
    buyer_tax_no: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(100), default="")
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=InvoiceStatus.requested)
    serial: Mapped[str] = mapped_column(String(64), default="")
    invoice_code: Mapped[str] = mapped_column(String(20), default="")
    invoice_no: Mapped[str] = mapped_column(String(20), default="")
    pdf_sha256: Mapped[str | None] = mapped_column(ForeignKey("core_blob.sha256"))
    message: Mapped[str] = mapped_column(String(500), default="")
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_at: Mapped[dt.datetime | None]
