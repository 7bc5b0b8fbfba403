"""Refunds: recorded at once, sent to the gateway by a job until it confirms them.

The job always sends the same ``refund_no`` (Alipay's ``out_request_no``), so
a refund that timed out and is sent again can never be paid out twice.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..jobs import JobContext, PermanentJobError, enqueue
from ._common import audit_order, check_fen, check_text, emit_order_event, lock_order, new_number
from ._errors import OrderStateError, RefundTooLarge, UnknownOrder
from ._jobkinds import REFUND_JOB
from ._orders import REFUNDED_EVENT
from ._report import tell_staff
from ._states import OrderStatus, PaymentStatus, RefundStatus, move
from .models import Order, Payment, Refund
from .providers import (
    GatewayError,
    GatewayRefund,
    GatewayUnavailable,
    RefundView,
    yuan_from_fen,
)

__all__ = ["queue_refund", "refundable_fen", "request_refund", "run_refund"]

log = logging.getLogger("bangyaer.payments")

REFUND_ATTEMPTS = 20  # with the capped backoff, about a day of gateway outage


class TryAgain(Exception):
    """The gateway has not confirmed yet; the worker runs the job again with backoff."""


async def refundable_fen(session: AsyncSession, payment: Payment) -> int:
    """What is left to refund of a trade; refunds not yet done count as taken."""
    taken = await session.scalar(select(func.coalesce(func.sum(Refund.amount_fen), 0)).where(
        Refund.payment_id == payment.id, Refund.status != RefundStatus.failed))
    return payment.amount_fen - int(taken or 0)


async def queue_refund(session: AsyncSession, order: Order, payment: Payment, amount_fen: int,
                       reason: str, *, key: str, actor_account_id: int | None) -> Refund:
    refund = Refund(refund_no=new_number("R"), key=key, order_id=order.id,
                    payment_id=payment.id, amount_fen=amount_fen, reason=reason,
                    status=RefundStatus.requested, actor_account_id=actor_account_id,
                    created_at=utcnow())
    session.add(refund)
    await session.flush()
    await enqueue(session, REFUND_JOB, {"refund_id": refund.id},
                  key=f"payments:refund:{refund.refund_no}", max_attempts=REFUND_ATTEMPTS)
    await audit_order(session, actor_account_id, "payments.refund_requested", order,
                      refund_no=refund.refund_no, amount_fen=amount_fen, reason=reason,
                      trade_no=payment.trade_no)
    return refund


async def request_refund(session: AsyncSession, *, order_no: str, amount_fen: int,
                         reason: str, actor_account_id: int | None, key: str) -> Refund:
    """Refund part or all of a paid order; the same ``key`` again returns the same refund."""
    amount_fen = check_fen("amount_fen", amount_fen)
    reason = check_text("reason", reason, 500)
    key = check_text("key", key, 200)
    order = await lock_order(session, order_no)
    if order is None:
        raise UnknownOrder("未找到该订单")
    # Checked under the order's lock, so two requests with one key make one refund.
    existing: Refund | None = await session.scalar(select(Refund).where(Refund.key == key))
    if existing is not None:
        if existing.order_id != order.id or existing.amount_fen != amount_fen:
            raise OrderStateError("该幂等键已用于另一笔退款")
        return existing
    if order.status != OrderStatus.paid:
        raise OrderStateError("只有已支付的订单可以退款")
    payment = await session.scalar(select(Payment).where(
        Payment.order_id == order.id, Payment.status == PaymentStatus.applied))
    if payment is None:  # pragma: no cover - a paid order always has its trade
        raise OrderStateError("该订单没有可退款的支付记录")
    left = await refundable_fen(session, payment)
    if amount_fen > left:
        raise RefundTooLarge(f"退款金额超过可退金额（最多可退 {left} 分）")
    refund = await queue_refund(session, order, payment, amount_fen, reason, key=key,
                                actor_account_id=actor_account_id)
    log.info("refund %s of order %s requested: %d fen", refund.refund_no, order.order_no,
             amount_fen)
    return refund


# -- the job ---------------------------------------------------------------

async def _load(ctx: JobContext, refund_id: int) -> tuple[Refund, Order, Payment]:
    async with ctx.platform.db.transaction() as session:
        refund = await session.get(Refund, refund_id)
        if refund is None:
            raise PermanentJobError(f"refund {refund_id} does not exist")
        order = await session.get(Order, refund.order_id)
        payment = await session.get(Payment, refund.payment_id)
        if order is None or payment is None:  # pragma: no cover - foreign keys
            raise PermanentJobError(f"refund {refund_id}: its order or payment is gone")
        if refund.status == RefundStatus.requested:
            # Sent from now on: whatever happens next, the gateway may have it.
            move("refund", refund, RefundStatus.pending)
        return refund, order, payment


async def _ask(provider: Any, ctx: JobContext, view: RefundView) -> GatewayRefund:
    try:
        answer: GatewayRefund = await provider.refund(ctx.platform, view)
        if answer.status in ("pending", "not_found"):
            # Not clear yet: the refund query says whether it went through.
            answer = await provider.query_refund(ctx.platform, view)
    except GatewayUnavailable as exc:
        await _note_error(ctx, view.request_no, f"gateway unavailable: {exc}")
        raise TryAgain(f"refund {view.request_no}: gateway unavailable ({exc})") from exc
    except GatewayError as exc:
        return GatewayRefund(view.request_no, "failed", raw={"code": exc.code,
                                                             "message": exc.message})
    return answer


async def run_refund(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler for ``core.payments.refund``."""
    refund_id = payload.get("refund_id")
    if not isinstance(refund_id, int) or isinstance(refund_id, bool):
        raise PermanentJobError(f"payload {payload!r}: expected an integer 'refund_id'")
    refund, order, payment = await _load(ctx, refund_id)
    if refund.status in (RefundStatus.done, RefundStatus.failed):
        return
    try:
        await _settle(ctx, refund, order, payment)
    except TryAgain:
        if ctx.attempt >= REFUND_ATTEMPTS:
            # The worker gives up after this attempt; the money is still owed.
            await _give_up(ctx, refund, order)
        raise


async def _settle(ctx: JobContext, refund: Refund, order: Order, payment: Payment) -> None:
    provider = ctx.platform.host.collect_by_id("payment_providers").get(payment.provider)
    if provider is None:
        raise TryAgain(f"refund {refund.refund_no}: payment provider {payment.provider!r} "
                       "is not installed and enabled")
    view = RefundView(refund.refund_no, order.order_no, payment.trade_no, refund.amount_fen,
                      refund.reason)
    answer = await _ask(provider, ctx, view)
    if answer.status == "done":
        await finish_refund(ctx, refund.id)
    elif answer.status == "failed":
        await _fail(ctx, refund.id, answer)
    else:
        raise TryAgain(f"refund {refund.refund_no}: the gateway says {answer.status!r}")


async def _give_up(ctx: JobContext, refund: Refund, order: Order) -> None:
    async with ctx.platform.db.transaction() as session:
        await audit_order(session, None, "payments.refund_stuck", order,
                          refund_no=refund.refund_no)
        await tell_staff(
            session, title="退款多次未能完成，请人工处理",
            body=(f"订单 {order.order_no}（{order.title}）的退款 {refund.refund_no}"
                  f"（{yuan_from_fen(refund.amount_fen)} 元）重试 {REFUND_ATTEMPTS} 次后"
                  "仍未得到支付平台确认，请到支付平台核实。"),
            url=f"/payments/orders/{order.order_no}", key=f"payments:refund_stuck:{refund.id}")


async def _note_error(ctx: JobContext, refund_no: str, error: str) -> None:
    async with ctx.platform.db.transaction() as session:
        refund = await session.scalar(select(Refund).where(Refund.refund_no == refund_no))
        if refund is not None:
            refund.last_error = error[:500]


async def _fail(ctx: JobContext, refund_id: int, answer: GatewayRefund) -> None:
    async with ctx.platform.db.transaction() as session:
        refund = await session.get(Refund, refund_id)
        order = await session.get(Order, refund.order_id) if refund else None
        if refund is None or order is None or refund.status != RefundStatus.pending:
            return
        move("refund", refund, RefundStatus.failed)
        refund.last_error = str(dict(answer.raw))[:500]
        await audit_order(session, None, "payments.refund_failed", order,
                          refund_no=refund.refund_no, gateway=dict(answer.raw))
        await tell_staff(
            session, title="退款失败，请人工处理",
            body=(f"订单 {order.order_no}（{order.title}）的退款 {refund.refund_no}"
                  f"（{yuan_from_fen(refund.amount_fen)} 元）被支付平台拒绝："
                  f"{refund.last_error}"),
            url=f"/payments/orders/{order.order_no}", key=f"payments:refund_failed:{refund.id}")
    log.warning("refund %s of order %s refused by the gateway: %s", refund.refund_no,
                order.order_no, dict(answer.raw))


async def finish_refund(ctx: JobContext, refund_id: int) -> None:
    """Record a confirmed refund against its order, in one transaction."""
    from ._invoices import match_invoice

    async with ctx.platform.db.transaction() as session:
        order_no = await session.scalar(select(Order.order_no).join(
            Refund, Refund.order_id == Order.id).where(Refund.id == refund_id))
        if order_no is None:
            raise PermanentJobError(f"refund {refund_id} does not exist")
        order = await lock_order(session, order_no)
        # Read again under the order's lock: a second run may have finished it.
        refund = await session.get(Refund, refund_id, populate_existing=True)
        payment = await session.get(Payment, refund.payment_id) if refund else None
        if order is None or refund is None or payment is None:  # pragma: no cover
            raise PermanentJobError(f"refund {refund_id}: its order or payment is gone")
        if refund.status == RefundStatus.done:
            return
        move("refund", refund, RefundStatus.done)
        refund.done_at, refund.last_error = utcnow(), None
        if payment.status == PaymentStatus.duplicate:
            await audit_order(session, None, "payments.duplicate_refunded", order,
                              refund_no=refund.refund_no, trade_no=payment.trade_no)
            return
        order.refunded_fen += refund.amount_fen
        full = order.refunded_fen >= order.amount_fen
        if full:
            move("order", order, OrderStatus.refunded)
        await audit_order(session, refund.actor_account_id, "payments.refund_done", order,
                          refund_no=refund.refund_no, refund_fen=refund.amount_fen,
                          refunded_fen=order.refunded_fen)
        await emit_order_event(session, REFUNDED_EVENT, order, refund_no=refund.refund_no,
                               refund_fen=refund.amount_fen, refunded_fen=order.refunded_fen,
                               full=full, reason=refund.reason)
        await match_invoice(session, order)
    log.info("refund %s of order %s done", refund.refund_no, order.order_no)
