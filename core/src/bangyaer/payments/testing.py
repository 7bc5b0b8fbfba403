"""In-memory gateway and invoice platform for testing code that uses the ledger.

They follow the provider contract (idempotent refunds per request number,
``not_found`` before checkout, a paid trade that will not close) so that a
plugin can test how it reacts to orders without a sandbox server. They are
not for production: the gateway plugins are tested against their sandboxes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import itertools
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..db import utcnow
from .providers import (
    BilledRefund,
    Checkout,
    GatewayError,
    GatewayRefund,
    GatewayTrade,
    InvoiceRequest,
    InvoiceResult,
    OrderView,
    RefundView,
)

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["InstantGateway", "MemoryGateway", "MemoryInvoicer", "cashier_url"]

BEIJING = ZoneInfo("Asia/Shanghai")
_CASHIER_LINK = re.compile(r'id="cashier-link" href="([^"]+)"')


def cashier_url(page_html: str) -> str:
    """The gateway address that the answer to ``POST …/pay`` sends the browser on to."""
    found = _CASHIER_LINK.search(page_html)
    if found is None:
        raise AssertionError("the page has no link to the gateway's cashier")
    return html.unescape(found.group(1))


@dataclass
class MemoryGateway:
    """A payment provider whose trades live in a dict; tests pay and fail it by hand."""

    id: str = "memory"
    title_zh: str = "测试支付"
    title_en: str = "Test gateway"
    enabled: bool = True
    trades: dict[str, GatewayTrade] = field(default_factory=dict)
    refunds: dict[str, GatewayRefund] = field(default_factory=dict)
    # Each refund paid out, and when: the bill's refund lines.
    refunded: dict[str, tuple[RefundView, dt.datetime]] = field(default_factory=dict)
    # Exceptions raised by the next calls of a method, first one first.
    failures: dict[str, list[Exception]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _numbers: Any = field(default_factory=lambda: itertools.count(1))

    def available(self, platform: Platform) -> bool:
        return self.enabled

    def fail_next(self, method: str, *errors: Exception) -> None:
        self.failures.setdefault(method, []).extend(errors)

    def _enter(self, method: str, ref: str) -> None:
        self.calls.append((method, ref))
        pending = self.failures.get(method)
        if pending:
            raise pending.pop(0)

    async def checkout(self, platform: Platform, order: OrderView, *, device: str,
                       return_url: str) -> Checkout:
        self._enter("checkout", order.order_no)
        if order.order_no not in self.trades:
            self.trades[order.order_no] = GatewayTrade(order.order_no, "waiting",
                                                       amount_fen=order.amount_fen)
        return Checkout(url=f"https://gateway.invalid/cashier/{order.order_no}?device={device}")

    def pay(self, order_no: str, *, amount_fen: int | None = None, trade_no: str | None = None,
            paid_at: dt.datetime | None = None) -> GatewayTrade:
        """The payer pays at the cashier; returns what the notification would carry."""
        known = self.trades.get(order_no)
        amount = amount_fen if amount_fen is not None else (known.amount_fen if known else None)
        trade = GatewayTrade(order_no, "paid", trade_no or f"T{next(self._numbers):08d}",
                             amount, paid_at or utcnow(), raw={"source": "memory"})
        self.trades[order_no] = trade
        return trade

    async def query(self, platform: Platform, order_no: str) -> GatewayTrade:
        self._enter("query", order_no)
        return self.trades.get(order_no, GatewayTrade(order_no, "not_found"))

    async def close(self, platform: Platform, order_no: str) -> None:
        self._enter("close", order_no)
        trade = self.trades.get(order_no)
        if trade is None:
            return
        if trade.status in ("paid", "finished"):
            raise GatewayError("ACQ.TRADE_STATUS_ERROR", "trade already paid")
        self.trades[order_no] = replace(trade, status="closed")

    async def refund(self, platform: Platform, refund: RefundView) -> GatewayRefund:
        self._enter("refund", refund.request_no)
        if refund.request_no in self.refunds:
            return self.refunds[refund.request_no]
        trade = self.trades.get(refund.order_no)
        # Only the latest trade of an order is kept whole; earlier ones are not checked.
        limit = trade.amount_fen if trade and trade.trade_no == refund.trade_no else None
        done = sum(r.amount_fen or 0 for r in self.refunds.values()
                   if r.raw.get("trade_no") == refund.trade_no)
        if limit is not None and done + refund.amount_fen > limit:
            raise GatewayError("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "refund exceeds the trade")
        answer = GatewayRefund(refund.request_no, "done", refund.amount_fen,
                               raw={"trade_no": refund.trade_no or ""})
        self.refunds[refund.request_no] = answer
        self.refunded[refund.request_no] = (refund, utcnow())
        return answer

    async def query_refund(self, platform: Platform, refund: RefundView) -> GatewayRefund:
        self._enter("query_refund", refund.request_no)
        return self.refunds.get(refund.request_no, GatewayRefund(refund.request_no, "not_found"))

    async def bill(self, platform: Platform, day: dt.date
                   ) -> list[GatewayTrade | BilledRefund]:
        self._enter("bill", day.isoformat())
        lines: list[GatewayTrade | BilledRefund] = [
            t for t in self.trades.values() if t.status in ("paid", "finished")
            and t.paid_at is not None and t.paid_at.astimezone(BEIJING).date() == day]
        for request_no, (refund, at) in self.refunded.items():
            if at.astimezone(BEIJING).date() == day:
                lines.append(BilledRefund(request_no, refund.order_no, refund.trade_no or "",
                                          refund.amount_fen, refunded_at=at))
        return lines



class InstantGateway(MemoryGateway):
    """A cashier that takes the money at once and sends the payer straight back.

    For browser tests of what happens after paying: the checkout answers the
    return page's path, since a live test server's port is not the configured
    base URL's.
    """

    async def checkout(self, platform: Platform, order: OrderView, *, device: str,
                       return_url: str) -> Checkout:
        await super().checkout(platform, order, device=device, return_url=return_url)
        self.pay(order.order_no, amount_fen=order.amount_fen)
        return Checkout(url=urlsplit(return_url).path)

def _pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("Helvetica", 12)
    page.drawString(72, 760, text)
    page.save()
    return out.getvalue()


@dataclass
class MemoryInvoicer:
    """An invoice platform that issues after ``polls`` queries; ``refuse`` fails the next one."""

    id: str = "memory_invoice"
    title_zh: str = "测试开票"
    title_en: str = "Test invoicing"
    enabled: bool = True
    polls: int = 1
    refuse: str = ""
    issued: dict[str, InvoiceRequest] = field(default_factory=dict)
    queried: dict[str, int] = field(default_factory=dict)
    numbers: dict[str, InvoiceResult] = field(default_factory=dict)
    failures: dict[str, list[Exception]] = field(default_factory=dict)
    _numbers: Any = field(default_factory=lambda: itertools.count(1))

    def available(self, platform: Platform) -> bool:
        return self.enabled

    def _enter(self, method: str) -> None:
        pending = self.failures.get(method)
        if pending:
            raise pending.pop(0)

    async def issue(self, platform: Platform, request: InvoiceRequest) -> InvoiceResult:
        self._enter("issue")
        serial = f"S-{request.request_no}"
        self.issued.setdefault(serial, request)
        return InvoiceResult(serial, "pending")

    async def query(self, platform: Platform, serial: str) -> InvoiceResult:
        self._enter("query")
        if serial not in self.issued:
            raise GatewayError("E9106", "no such invoice")
        if self.refuse:
            return InvoiceResult(serial, "failed", message=self.refuse)
        self.queried[serial] = self.queried.get(serial, 0) + 1
        if self.queried[serial] <= self.polls:
            return InvoiceResult(serial, "pending")
        if serial in self.numbers:
            return self.numbers[serial]
        number = f"{next(self._numbers):08d}"
        result = InvoiceResult(serial, "issued", invoice_code="033001900111", invoice_no=number,
                               pdf_url=f"https://invoice.invalid/{serial}.pdf")
        self.numbers[serial] = result
        return result

    async def download(self, platform: Platform, result: InvoiceResult) -> bytes:
        self._enter("download")
        request = self.issued[result.serial]
        kind = "RED" if request.red_of else "BLUE"
        return _pdf(f"{kind} invoice {result.invoice_code} {result.invoice_no} "
                    f"order {request.order_no} amount {request.amount_fen} fen")
