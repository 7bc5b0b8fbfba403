"""Every state of orders, refunds and invoices, and the only moves allowed between them.

A move not listed here raises OrderStateError, so a late notification or a
retried job can never walk a record backwards (an expired order never
becomes pending again, a done refund never fails afterwards).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from ._errors import OrderStateError

__all__ = ["INVOICE_MOVES", "ORDER_MOVES", "REFUND_MOVES", "InvoiceStatus", "OrderStatus",
           "PaymentStatus", "RefundStatus", "move"]


class OrderStatus(enum.StrEnum):
    pending = "pending"  # waiting for the payer, until expires_at
    paid = "paid"  # one trade paid it; partly refunded orders stay here
    expired = "expired"  # nobody paid in time; the gateway trade is closed
    closed = "closed"  # cancelled by the plugin that made it
    refunded = "refunded"  # refunded in full


class PaymentStatus(enum.StrEnum):
    applied = "applied"  # the trade that paid the order
    duplicate = "duplicate"  # a second successful trade: refunded in full, reported


class RefundStatus(enum.StrEnum):
    requested = "requested"  # recorded, not yet sent to the gateway
    pending = "pending"  # sent; the gateway has not confirmed it yet
    done = "done"
    failed = "failed"  # refused by the gateway; staff look


class InvoiceStatus(enum.StrEnum):
    requested = "requested"
    pending = "pending"  # accepted by the platform, being issued
    issued = "issued"
    failed = "failed"


ORDER_MOVES: Mapping[str, frozenset[str]] = {
    OrderStatus.pending: frozenset({OrderStatus.paid, OrderStatus.expired, OrderStatus.closed}),
    OrderStatus.paid: frozenset({OrderStatus.refunded}),
    OrderStatus.expired: frozenset(),
    OrderStatus.closed: frozenset(),
    OrderStatus.refunded: frozenset(),
}
REFUND_MOVES: Mapping[str, frozenset[str]] = {
    RefundStatus.requested: frozenset({RefundStatus.pending, RefundStatus.done,
                                       RefundStatus.failed}),
    RefundStatus.pending: frozenset({RefundStatus.done, RefundStatus.failed}),
    RefundStatus.done: frozenset(),
    RefundStatus.failed: frozenset(),
}
INVOICE_MOVES: Mapping[str, frozenset[str]] = {
    InvoiceStatus.requested: frozenset({InvoiceStatus.pending, InvoiceStatus.issued,
                                        InvoiceStatus.failed}),
    InvoiceStatus.pending: frozenset({InvoiceStatus.issued, InvoiceStatus.failed}),
    InvoiceStatus.issued: frozenset(),
    InvoiceStatus.failed: frozenset(),
}
_TABLES = {"order": ORDER_MOVES, "refund": REFUND_MOVES, "invoice": INVOICE_MOVES}
_NAMES = {"order": "订单", "refund": "退款", "invoice": "发票"}


def move(kind: str, record: Any, to: str) -> None:
    """Set ``record.status`` to ``to`` if the table allows it; else OrderStateError."""
    allowed = _TABLES[kind].get(record.status, frozenset())
    if to not in allowed:
        raise OrderStateError(
            f"{_NAMES[kind]}状态不能从 {record.status} 变为 {to}")
    record.status = str(to)
