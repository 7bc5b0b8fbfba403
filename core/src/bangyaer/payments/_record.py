"""Applying what a gateway says was paid: once per trade, and at most one trade per order."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ._common import audit_order, emit_order_event, lock_order
from ._errors import AmountMismatch, UnknownOrder
from ._orders import PAID_EVENT
from ._refunds import queue_refund
from ._report import tell_staff
from ._states import OrderStatus, PaymentStatus, move
from .models import Order, Payment
from .providers import GatewayTrade, yuan_from_fen

__all__ = ["PaymentOutcome", "record_payment"]

log = logging.getLogger("bangyaer.payments")

PAID_STATES = ("paid", "finished")


@dataclass(frozen=True)
class PaymentOutcome:
    """``applied``: this call paid the order. ``duplicate``: the trade is a second payment."""

    applied: bool
    duplicate: bool
    order: Order


async def record_payment(session: AsyncSession, *, provider: str,
                         trade: GatewayTrade) -> PaymentOutcome:
    """Apply a paid trade exactly once; call it inside the caller's transaction.

    The caller has verified that the gateway said so (a signed notification,
    or its own query). Raises UnknownOrder or AmountMismatch with nothing
    changed. A successful trade for an order that is no longer pending is a
    duplicate: recorded, refunded in full by a job, and reported to staff.
    """
    order = await lock_order(session, trade.order_no)
    if order is None:
        raise UnknownOrder("未找到该订单")
    if trade.status not in PAID_STATES:
        return PaymentOutcome(False, False, order)
    if not trade.trade_no:
        raise ValueError(f"trade for {trade.order_no}: a paid trade needs its trade_no")
    if trade.amount_fen != order.amount_fen:
        log.warning("order %s: %s reports %r fen paid, the order is %d fen", order.order_no,
                    provider, trade.amount_fen, order.amount_fen)
        raise AmountMismatch("支付金额与订单金额不符")

    seen: Payment | None = await session.scalar(select(Payment).where(
        Payment.provider == provider, Payment.trade_no == trade.trade_no))
    if seen is not None:
        return PaymentOutcome(False, seen.status == PaymentStatus.duplicate, order)

    paid_at = trade.paid_at or utcnow()
    duplicate = order.status != OrderStatus.pending
    payment = Payment(order_id=order.id, provider=provider, trade_no=trade.trade_no,
                      amount_fen=trade.amount_fen, paid_at=paid_at, raw=dict(trade.raw),
                      status=PaymentStatus.duplicate if duplicate else PaymentStatus.applied,
                      created_at=utcnow())
    session.add(payment)
    await session.flush()
    if duplicate:
        await _refund_duplicate(session, order, payment)
        return PaymentOutcome(False, True, order)

    move("order", order, OrderStatus.paid)
    order.provider, order.trade_no, order.paid_at = provider, trade.trade_no, paid_at
    await audit_order(session, None, "payments.order_paid", order, provider=provider,
                      trade_no=trade.trade_no, amount_fen=order.amount_fen)
    await emit_order_event(session, PAID_EVENT, order, provider=provider,
                           trade_no=trade.trade_no, paid_at=paid_at.isoformat())
    log.info("order %s paid through %s", order.order_no, provider)
    return PaymentOutcome(True, False, order)


async def _refund_duplicate(session: AsyncSession, order: Order, payment: Payment) -> None:
    # The family paid twice (two devices, or after the deadline): the second
    # trade goes back in full at once, and staff hear of it.
    reason = "重复支付自动退款" if order.status != OrderStatus.expired else "订单已过期，自动退款"
    refund = await queue_refund(session, order, payment, payment.amount_fen, reason,
                                key=f"duplicate:{payment.provider}:{payment.trade_no}",
                                actor_account_id=None)
    await audit_order(session, None, "payments.duplicate_payment", order,
                      provider=payment.provider, trade_no=payment.trade_no,
                      amount_fen=payment.amount_fen, order_status=order.status,
                      refund_no=refund.refund_no)
    await tell_staff(
        session, title="收到重复支付，已自动退款",
        body=(f"订单 {order.order_no}（{order.title}）状态为 {order.status} 时又收到一笔支付 "
              f"{payment.trade_no}（{payment.provider}，{yuan_from_fen(payment.amount_fen)} 元），"
              f"已自动发起全额退款 {refund.refund_no}。"),
        url=f"/payments/orders/{order.order_no}", key=f"payments:duplicate:{payment.id}")
    log.warning("order %s (%s): second successful trade %s through %s; refunding it",
                order.order_no, order.status, payment.trade_no, payment.provider)
