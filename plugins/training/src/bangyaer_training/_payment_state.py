"""How an enrollment stands with its money, for families' and staff's pages.

Read from the ledger's order and refunds in two queries for a whole list,
and put into words once here so the family page, the roster and the JSON
say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.payments import yuan_from_fen
from bangyaer.payments.models import Order, Payment, Refund
from bangyaer.web import N_
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Enrollment, State, TrainingClass

SHANGHAI = ZoneInfo("Asia/Shanghai")
IN_FLIGHT = ("requested", "pending")

TITLES = {
    "free": N_("免费"),
    "due": N_("待缴费"),
    "paid_online": N_("已在线缴费"),
    "paid_offline": N_("已线下缴费"),
    "refunding": N_("退费处理中"),
    "refunded": N_("已退费"),
    "partly_refunded": N_("已部分退费"),
    "refund_failed": N_("退费未成功，少年宫正在处理"),
    "unpaid": N_("未缴费"),
}


async def ledger_of(session: AsyncSession, enrollments: Iterable[Enrollment],
                    ) -> tuple[dict[str, Order], dict[int, list[Refund]]]:
    """The orders of these enrollments by order_no, and each order's refunds by order id."""
    numbers = sorted({e.order_no for e in enrollments if e.order_no})
    if not numbers:
        return {}, {}
    orders = {o.order_no: o for o in await session.scalars(
        select(Order).where(Order.order_no.in_(numbers)))}
    refunds: dict[int, list[Refund]] = {}
    # Refunds of a duplicate payment give back a second trade, not the fee:
    # they are the ledger's business and not shown as the seat's refund.
    for refund in await session.scalars(
            select(Refund).join(Payment, Payment.id == Refund.payment_id)
            .where(Refund.order_id.in_([o.id for o in orders.values()]),
                   Payment.status == "applied")
            .order_by(Refund.id)):
        refunds.setdefault(refund.order_id, []).append(refund)
    return orders, refunds


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def payment_json(e: Enrollment, klass: TrainingClass, order: Order | None,
                 refunds: Sequence[Refund] = ()) -> dict[str, Any]:
    """``status`` (a key of TITLES, or None when nothing is owed), amounts and the pay link."""
    out: dict[str, Any] = {
        "status": None, "title": None, "amount_fen": klass.fee_fen, "amount_yuan": None,
        "order_no": e.order_no, "pay_url": None, "deadline": None,
        "refunded_fen": e.refunded_fen, "refunded_yuan": None, "refunding_fen": 0,
        "refunding_yuan": None, "receipt": None,
    }
    if klass.fee_fen == 0 and order is None:
        if e.state == State.confirmed:
            out["status"] = "free"
        return _titled(out)
    amount = order.amount_fen if order is not None else klass.fee_fen
    out["amount_fen"], out["amount_yuan"] = amount, yuan_from_fen(amount)
    refunded = max(e.refunded_fen, order.refunded_fen if order is not None else 0)
    out["refunded_fen"] = refunded
    out["refunded_yuan"] = yuan_from_fen(refunded)
    in_flight = sum(r.amount_fen for r in refunds if r.status in IN_FLIGHT)
    out["refunding_fen"], out["refunding_yuan"] = in_flight, yuan_from_fen(in_flight)
    if in_flight:
        out["status"] = "refunding"
    elif any(r.status == "failed" for r in refunds) and refunded < amount:
        out["status"] = "refund_failed"
    elif refunded:
        out["status"] = "refunded" if refunded >= amount else "partly_refunded"
    elif e.state == State.awaiting_payment and order is not None and order.status == "pending":
        out["status"] = "due"
        out["pay_url"] = f"/payments/orders/{order.order_no}"
        out["deadline"] = _local(order.expires_at)
    elif e.state in (State.confirmed, State.refunded):
        online = order is not None and order.status in ("paid", "refunded")
        out["status"] = "paid_online" if online else "paid_offline"
        if not online and e.payment_ref and e.payment_ref.startswith("offline:"):
            out["receipt"] = e.payment_ref.removeprefix("offline:")
    elif e.state in (State.admitted, State.awaiting_payment):
        out["status"] = "unpaid"
        if e.deadline_at is not None:
            out["deadline"] = _local(e.deadline_at)
    return _titled(out)


def _titled(out: dict[str, Any]) -> dict[str, Any]:
    out["title"] = TITLES[out["status"]] if out["status"] else None
    return out


def state_of(e: Enrollment, klass: TrainingClass, orders: dict[str, Order],
             refunds: dict[int, list[Refund]]) -> dict[str, Any]:
    order = orders.get(e.order_no) if e.order_no else None
    return payment_json(e, klass, order, refunds.get(order.id, []) if order else [])
