"""E-invoices: asked for by the family once paid, issued and fetched by a job.

The job asks the invoice platform to issue, polls it with backoff until the
invoice is issued or refused, and keeps the PDF in the blob store. An order's
issued blue invoice always states what is left paid: after a refund the red
(冲红) invoice cancels it and, when something is left, a new blue one for the
rest follows the red one. A family whose invoice failed may ask again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..jobs import JobContext, PermanentJobError, enqueue
from ..storage import save_blob
from ._common import audit_order, lock_order, new_number
from ._errors import OrderStateError, PaymentsError, UnknownOrder
from ._jobkinds import INVOICE_JOB
from ._refunds import TryAgain
from ._report import tell_staff
from ._states import InvoiceStatus, OrderStatus, move
from .models import Invoice, Order
from .providers import (
    GatewayError,
    GatewayUnavailable,
    InvoiceProvider,
    InvoiceRequest,
    InvoiceResult,
)

__all__ = ["current_invoice", "match_invoice", "request_invoice", "run_invoice"]

log = logging.getLogger("bangyaer.payments")

INVOICE_ATTEMPTS = 16
MAX_PDF_BYTES = 10 * 1024 * 1024
ITEM_NAME = "培训费"
# 统一社会信用代码 (18) or the older 15/20-character taxpayer numbers.
TAX_NO = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{18}|[0-9A-Z]{20}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}")


class InvoiceInputError(PaymentsError):
    code = "invalid_invoice_request"
    status = 422


def _checked_buyer(buyer_kind: str, buyer_name: str, buyer_tax_no: str,
                   email: str) -> tuple[str, str, str, str]:
    if buyer_kind not in ("person", "company"):
        raise InvoiceInputError("请选择发票抬头类型：个人或单位")
    if not isinstance(buyer_name, str) or not buyer_name.strip():
        raise InvoiceInputError("请填写发票抬头")
    buyer_name = buyer_name.strip()
    if len(buyer_name) > 100:
        raise InvoiceInputError("发票抬头最多 100 个字")
    buyer_tax_no = (buyer_tax_no or "").strip().upper()
    if buyer_kind == "company" and not TAX_NO.fullmatch(buyer_tax_no):
        raise InvoiceInputError("请填写正确的纳税人识别号（15、18 或 20 位数字或大写字母）")
    if buyer_kind == "person":
        buyer_tax_no = ""
    email = (email or "").strip()
    if email and (len(email) > 100 or not EMAIL.fullmatch(email)):
        raise InvoiceInputError("邮箱地址格式不正确")
    return buyer_kind, buyer_name, buyer_tax_no, email


async def current_invoice(session: AsyncSession, order: Order) -> Invoice | None:
    """The order's newest blue invoice: the one the family sees."""
    found: Invoice | None = await session.scalar(
        select(Invoice).where(Invoice.order_id == order.id, Invoice.kind == "blue")
        .order_by(Invoice.seq.desc()).limit(1))
    return found


async def _of_seq(session: AsyncSession, order: Order, kind: str, seq: int) -> Invoice | None:
    found: Invoice | None = await session.scalar(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.kind == kind, Invoice.seq == seq))
    return found


async def _queue(session: AsyncSession, invoice: Invoice) -> None:
    session.add(invoice)
    await session.flush()
    await enqueue(session, INVOICE_JOB, {"invoice_id": invoice.id},
                  key=f"payments:invoice:{invoice.request_no}", max_attempts=INVOICE_ATTEMPTS)


async def request_invoice(session: AsyncSession, *, order_no: str, buyer_kind: str,
                          buyer_name: str, buyer_tax_no: str = "", email: str = "",
                          actor_account_id: int | None) -> Invoice:
    """The order's invoice, asked for now if it was not yet or the last one failed.

    Asking again while one is on its way (a double submit) returns that one.
    """
    buyer_kind, buyer_name, buyer_tax_no, email = _checked_buyer(
        buyer_kind, buyer_name, buyer_tax_no, email)
    order = await lock_order(session, order_no)
    if order is None:
        raise UnknownOrder("未找到该订单")
    existing = await current_invoice(session, order)
    if existing is not None and existing.status != InvoiceStatus.failed:
        return existing
    if order.status != OrderStatus.paid:
        raise OrderStateError("只有已支付的订单可以开具发票")
    invoice = Invoice(order_id=order.id, kind="blue", seq=existing.seq + 1 if existing else 1,
                      request_no=new_number("I"), provider="", buyer_kind=buyer_kind,
                      buyer_name=buyer_name, buyer_tax_no=buyer_tax_no, email=email,
                      amount_fen=order.amount_fen - order.refunded_fen,
                      status=InvoiceStatus.requested, actor_account_id=actor_account_id,
                      created_at=utcnow())
    await _queue(session, invoice)
    await audit_order(session, actor_account_id, "payments.invoice_requested", order,
                      request_no=invoice.request_no, buyer_kind=buyer_kind,
                      again_after=existing.request_no if existing else "")
    return invoice


async def match_invoice(session: AsyncSession, order: Order) -> Invoice | None:
    """Ask for what makes the order's invoices state what is left paid.

    Called when a refund is done and when an invoice is issued, under the
    order's lock. An issued blue invoice for more than is left gets its red
    invoice; a red-flushed one, once its red invoice is issued, a new blue one
    for the rest, if any. An invoice still on its way is left until it is
    issued, when this runs again. Returns the invoice asked for, if any.
    """
    blue = await current_invoice(session, order)
    if blue is None or blue.status != InvoiceStatus.issued:
        return None
    left = order.amount_fen - order.refunded_fen
    if blue.amount_fen == left:
        return None
    red = await _of_seq(session, order, "red", blue.seq)
    if red is None:
        red = Invoice(order_id=order.id, kind="red", seq=blue.seq,
                      request_no=new_number("I"), provider=blue.provider,
                      buyer_kind=blue.buyer_kind, buyer_name=blue.buyer_name,
                      buyer_tax_no=blue.buyer_tax_no, email=blue.email,
                      amount_fen=blue.amount_fen, status=InvoiceStatus.requested,
                      created_at=utcnow())
        await _queue(session, red)
        await audit_order(session, None, "payments.red_invoice_requested", order,
                          request_no=red.request_no, blue_invoice_no=blue.invoice_no)
        return red
    if red.status != InvoiceStatus.issued or left <= 0:
        return None
    # The same title as before: the family asked for it once, and the platform
    # keeps the seller's own record of the pair (red, then blue for the rest).
    rest = Invoice(order_id=order.id, kind="blue", seq=blue.seq + 1,
                   request_no=new_number("I"), provider=blue.provider,
                   buyer_kind=blue.buyer_kind, buyer_name=blue.buyer_name,
                   buyer_tax_no=blue.buyer_tax_no, email=blue.email, amount_fen=left,
                   status=InvoiceStatus.requested, created_at=utcnow())
    await _queue(session, rest)
    await audit_order(session, None, "payments.invoice_reissued", order,
                      request_no=rest.request_no, amount_fen=left,
                      red_invoice_no=red.invoice_no)
    return rest


# -- the job ---------------------------------------------------------------

def _provider(ctx: JobContext, invoice: Invoice) -> Any:
    providers = ctx.platform.host.collect_by_id("invoice_providers")
    if invoice.provider:
        return providers.get(invoice.provider)
    return next((p for p in providers.values() if p.available(ctx.platform)), None)


async def _request_of(session: AsyncSession, invoice: Invoice, order: Order) -> InvoiceRequest:
    red_of = None
    if invoice.kind == "red":
        blue = await _of_seq(session, order, "blue", invoice.seq)
        if blue is None:  # pragma: no cover - a red invoice is only made for a blue one
            raise PermanentJobError(f"invoice {invoice.id}: no blue invoice to red-flush")
        red_of = (blue.invoice_code, blue.invoice_no)
    return InvoiceRequest(
        request_no=invoice.request_no, order_no=order.order_no,
        buyer_kind=invoice.buyer_kind,  # type: ignore[arg-type]
        buyer_name=invoice.buyer_name, amount_fen=invoice.amount_fen, item_name=ITEM_NAME,
        buyer_tax_no=invoice.buyer_tax_no, buyer_email=invoice.email, red_of=red_of)


async def _start(ctx: JobContext, invoice_id: int) -> tuple[Invoice, InvoiceRequest]:
    async with ctx.platform.db.transaction() as session:
        invoice = await session.get(Invoice, invoice_id)
        if invoice is None:
            raise PermanentJobError(f"invoice {invoice_id} does not exist")
        order = await session.get(Order, invoice.order_id)
        if order is None:  # pragma: no cover - foreign key
            raise PermanentJobError(f"invoice {invoice_id}: its order is gone")
        return invoice, await _request_of(session, invoice, order)


async def _call(provider: InvoiceProvider, ctx: JobContext, invoice: Invoice,
                request: InvoiceRequest) -> InvoiceResult:
    try:
        if not invoice.serial:
            result = await provider.issue(ctx.platform, request)
            await _save(ctx, invoice.id, serial=result.serial, provider=provider.id)
            invoice.serial = result.serial
            if result.status != "pending":
                return result
        return await provider.query(ctx.platform, invoice.serial)
    except GatewayUnavailable as exc:
        raise TryAgain(f"invoice {invoice.request_no}: platform unavailable ({exc})") from exc
    except GatewayError as exc:
        return InvoiceResult(invoice.serial, "failed", message=f"{exc.code}: {exc.message}")


async def _save(ctx: JobContext, invoice_id: int, *, serial: str, provider: str) -> None:
    async with ctx.platform.db.transaction() as session:
        invoice = await session.get(Invoice, invoice_id)
        if invoice is not None and invoice.status == InvoiceStatus.requested:
            invoice.serial, invoice.provider = serial, provider
            move("invoice", invoice, InvoiceStatus.pending)


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def run_invoice(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler for ``core.payments.invoice``: issue, poll, fetch the PDF."""
    invoice_id = payload.get("invoice_id")
    if not isinstance(invoice_id, int) or isinstance(invoice_id, bool):
        raise PermanentJobError(f"payload {payload!r}: expected an integer 'invoice_id'")
    invoice, request = await _start(ctx, invoice_id)
    if invoice.status in (InvoiceStatus.issued, InvoiceStatus.failed):
        return
    try:
        await _settle(ctx, invoice, request)
    except TryAgain:
        if ctx.attempt >= INVOICE_ATTEMPTS:
            await _give_up(ctx, invoice)
        raise


async def _give_up(ctx: JobContext, invoice: Invoice) -> None:
    async with ctx.platform.db.transaction() as session:
        order = await session.get(Order, invoice.order_id)
        if order is None:  # pragma: no cover - foreign key
            return
        await audit_order(session, None, "payments.invoice_stuck", order,
                          request_no=invoice.request_no)
        await tell_staff(
            session, title="电子发票长时间未开出，请人工处理",
            body=(f"订单 {order.order_no}（{order.title}）的发票 {invoice.request_no}"
                  f"重试 {INVOICE_ATTEMPTS} 次后仍未开出，请到开票平台核实。"),
            url=f"/payments/orders/{order.order_no}",
            key=f"payments:invoice_stuck:{invoice.id}")


async def _settle(ctx: JobContext, invoice: Invoice, request: InvoiceRequest) -> None:
    invoice_id = invoice.id
    provider = _provider(ctx, invoice)
    if provider is None:
        raise TryAgain(f"invoice {invoice.request_no}: no invoice platform is available")
    result = await _call(provider, ctx, invoice, request)
    if result.status == "pending":
        raise TryAgain(f"invoice {invoice.request_no}: still being issued")
    pdf = b""
    if result.status == "issued":
        try:
            pdf = await provider.download(ctx.platform, result)
        except GatewayUnavailable as exc:
            raise TryAgain(f"invoice {invoice.request_no}: PDF not fetched ({exc})") from exc
        if not pdf.startswith(b"%PDF-"):
            raise TryAgain(f"invoice {invoice.request_no}: the download is not a PDF")
    await _finish(ctx, invoice_id, result, pdf)


async def _finish(ctx: JobContext, invoice_id: int, result: InvoiceResult, pdf: bytes) -> None:
    async with ctx.platform.db.transaction() as session:
        order_no = await session.scalar(select(Order.order_no).join(
            Invoice, Invoice.order_id == Order.id).where(Invoice.id == invoice_id))
        # Under the order's lock, so a refund done at this moment sees this invoice.
        order = await lock_order(session, order_no) if order_no else None
        invoice = await session.get(Invoice, invoice_id, populate_existing=True)
        if invoice is None or order is None:  # pragma: no cover - foreign key
            raise PermanentJobError(f"invoice {invoice_id} does not exist")
        if invoice.status == InvoiceStatus.requested:
            move("invoice", invoice, InvoiceStatus.pending)
        if result.status == "failed":
            move("invoice", invoice, InvoiceStatus.failed)
            invoice.message = (result.message or "开票失败")[:500]
            await audit_order(session, None, "payments.invoice_failed", order,
                              request_no=invoice.request_no, message=invoice.message)
            log.warning("invoice %s of order %s failed: %s", invoice.request_no,
                        order.order_no, invoice.message)
            return
        info = await save_blob(session, ctx.platform.blobs, _chunks(pdf),
                               max_size=MAX_PDF_BYTES, content_type="application/pdf")
        move("invoice", invoice, InvoiceStatus.issued)
        invoice.invoice_code, invoice.invoice_no = result.invoice_code, result.invoice_no
        invoice.pdf_sha256, invoice.issued_at = info.sha256, utcnow()
        await audit_order(session, None, f"payments.{invoice.kind}_invoice_issued", order,
                          request_no=invoice.request_no, invoice_no=invoice.invoice_no)
        # The order may have been refunded while this one was on its way.
        await match_invoice(session, order)
    log.info("%s invoice %s of order %s issued", invoice.kind, invoice.request_no,
             order.order_no)
