"""What a payment gateway or an e-invoice platform gives the payments ledger.

Plugins return these objects from the ``payment_providers`` and
``invoice_providers`` hooks. The ledger owns every state: a provider only
talks to its gateway and reports what the gateway said, in these types.
Money is always an ``int`` of fen (分); a provider converts the gateway's
decimal strings ("12.50") with :func:`fen_from_yuan` and :func:`yuan_from_fen`,
never through ``float``.

A provider signals trouble with two exceptions: :class:`GatewayUnavailable`
when the gateway could not be reached or answered ambiguously (a timeout, a
5xx, ``SYSTEM_ERROR``): the ledger retries the same call later with the same
request numbers; and :class:`GatewayError` when the gateway refused for good
(a bad parameter, an unknown trade, insufficient balance for a refund).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = [
    "BilledRefund",
    "Checkout",
    "GatewayError",
    "GatewayRefund",
    "GatewayTrade",
    "GatewayUnavailable",
    "InvoiceProvider",
    "InvoiceRequest",
    "InvoiceResult",
    "OrderView",
    "PaymentProvider",
    "RefundView",
    "fen_from_yuan",
    "yuan_from_fen",
]

Device = Literal["phone", "desktop"]
TradeStatus = Literal["waiting", "paid", "closed", "finished", "not_found"]
RefundStatus = Literal["done", "pending", "failed", "not_found"]
InvoiceStatus = Literal["pending", "issued", "failed"]

_YUAN = re.compile(r"(0|[1-9][0-9]{0,11})(?:\.([0-9]{1,2}))?")


def fen_from_yuan(text: str) -> int:
    """"12.5" → 1250. Refuses anything but a plain non-negative decimal string."""
    if not isinstance(text, str):
        raise TypeError(f"amount must be a decimal string, not {type(text).__name__}")
    match = _YUAN.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an amount in yuan: {text!r}")
    whole, cents = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(cents)


def yuan_from_fen(fen: int) -> str:
    """1250 → "12.50", the form Alipay's ``total_amount`` and invoices use."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"amount must be int fen, not {type(fen).__name__}")
    if fen < 0:
        raise ValueError("amount must not be negative")
    return f"{fen // 100}.{fen % 100:02d}"


class GatewayUnavailable(Exception):
    """The gateway did not answer clearly; the same call may be retried."""


class GatewayError(Exception):
    """The gateway refused; retrying the same call will not help."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class OrderView:
    """The part of a ledger order a gateway needs."""

    order_no: str  # our out_trade_no: unique, at most 32 of [0-9A-Za-z_]
    title: str  # what the cashier shows ("2027 春季 书法初级班 学费")
    amount_fen: int
    expires_at: dt.datetime  # timezone-aware


@dataclass(frozen=True)
class Checkout:
    """Where to send the payer: a URL to open, or an auto-submitting HTML form."""

    url: str | None = None
    form_html: str | None = None


@dataclass(frozen=True)
class GatewayTrade:
    """A trade as the gateway reports it (query, notification or bill line)."""

    order_no: str
    status: TradeStatus
    trade_no: str | None = None
    amount_fen: int | None = None
    paid_at: dt.datetime | None = None
    # The gateway's own fields, kept in the ledger's audit log.
    raw: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundView:
    """One refund of an order; ``request_no`` stays the same on every retry."""

    request_no: str  # out_request_no: unique per refund
    order_no: str
    trade_no: str | None
    amount_fen: int
    reason: str


@dataclass(frozen=True)
class GatewayRefund:
    request_no: str
    status: RefundStatus
    amount_fen: int | None = None
    raw: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BilledRefund:
    """A refund line of the gateway's bill: money that went back on the bill's day."""

    request_no: str  # out_request_no, the ledger's refund_no
    order_no: str
    trade_no: str
    amount_fen: int  # positive, though bills print refunds negative
    refunded_at: dt.datetime | None = None
    raw: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment gateway such as Alipay."""

    id: str
    title_zh: str
    title_en: str

    def available(self, platform: Platform) -> bool:
        """True when configured well enough to take payments."""

    async def checkout(self, platform: Platform, order: OrderView, *, device: Device,
                       return_url: str) -> Checkout:
        """Start paying ``order``; the gateway's notification reaches the plugin's own route."""

    async def query(self, platform: Platform, order_no: str) -> GatewayTrade:
        """The trade's state now (``not_found`` before the payer reached the cashier)."""

    async def close(self, platform: Platform, order_no: str) -> None:
        """Close an unpaid trade so it can no longer be paid; unknown trades are fine."""

    async def refund(self, platform: Platform, refund: RefundView) -> GatewayRefund:
        """Ask for a refund; idempotent per ``refund.request_no``."""

    async def query_refund(self, platform: Platform, refund: RefundView) -> GatewayRefund:
        """Whether a refund asked for earlier went through."""

    async def bill(self, platform: Platform, day: dt.date
                   ) -> Sequence[GatewayTrade | BilledRefund]:
        """Every payment and refund the gateway settled on ``day`` (Beijing time)."""


@dataclass(frozen=True)
class InvoiceRequest:
    """An e-invoice (电子发票) to issue, or to red-flush when ``red_of`` is set."""

    request_no: str  # our invoice number: unique, the platform's orderNo
    order_no: str
    buyer_kind: Literal["person", "company"]
    buyer_name: str
    amount_fen: int  # tax included
    item_name: str  # "培训费"
    buyer_tax_no: str = ""  # 纳税人识别号, companies only
    buyer_email: str = ""
    buyer_phone: str = ""
    # For a red (冲红) invoice: the blue invoice's code and number.
    red_of: tuple[str, str] | None = None


@dataclass(frozen=True)
class InvoiceResult:
    serial: str  # the platform's invoiceSerialNum
    status: InvoiceStatus
    invoice_code: str = ""
    invoice_no: str = ""
    pdf_url: str = ""
    message: str = ""
    raw: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class InvoiceProvider(Protocol):
    """An e-invoice platform such as Nuonuo; tax rate and goods code are its settings."""

    id: str
    title_zh: str
    title_en: str

    def available(self, platform: Platform) -> bool:
        """True when configured well enough to issue invoices."""

    async def issue(self, platform: Platform, request: InvoiceRequest) -> InvoiceResult:
        """Ask for an invoice (blue, or red when ``request.red_of``); idempotent per request_no."""

    async def query(self, platform: Platform, serial: str) -> InvoiceResult:
        """The invoice's state now; ``issued`` carries its code, number and PDF address."""

    async def download(self, platform: Platform, result: InvoiceResult) -> bytes:
        """The issued invoice's PDF."""
