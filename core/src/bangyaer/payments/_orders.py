"""Making, finding and cancelling orders."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..jobs import enqueue
from ._common import audit_order, check_fen, check_text, emit_order_event, lock_order, new_number
from ._errors import OrderStateError, UnknownOrder
from ._jobkinds import CLOSE_JOB, EXPIRE_JOB
from ._states import OrderStatus, move
from .models import Order
from .providers import OrderView

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["cancel_order", "create_order", "get_order", "order_view", "return_url"]

log = logging.getLogger("bangyaer.payments")

ORDER_NO = re.compile(r"[0-9A-Za-z_]{1,32}")
PAID_EVENT = "payments.order_paid"
EXPIRED_EVENT = "payments.order_expired"
CLOSED_EVENT = "payments.order_closed"
REFUNDED_EVENT = "payments.order_refunded"


async def get_order(session: AsyncSession, order_no: str) -> Order | None:
    if not isinstance(order_no, str) or not ORDER_NO.fullmatch(order_no):
        return None
    found: Order | None = await session.scalar(select(Order).where(Order.order_no == order_no))
    return found


async def _by_purpose(session: AsyncSession, plugin: str, purpose_ref: str) -> Order | None:
    found: Order | None = await session.scalar(
        select(Order).where(Order.plugin == plugin, Order.purpose_ref == purpose_ref))
    return found


def _same_or_refuse(order: Order, amount_fen: int) -> Order:
    if order.amount_fen != amount_fen:
        raise OrderStateError(f"该事项已有金额为 {order.amount_fen} 分的订单 {order.order_no}，"
                              f"不能改为 {amount_fen} 分")
    return order


async def create_order(
    session: AsyncSession,
    *,
    plugin: str,
    purpose_ref: str,
    title: str,
    amount_fen: int,
    payer_account_id: int | None,
    subject_id: int | None,
    expires_at: dt.datetime,
) -> Order:
    """The order for ``(plugin, purpose_ref)``, made now if there is none yet.

    Asking again returns the same order; asking again with another amount
    raises OrderStateError. The expiry job is queued in the same transaction.
    """
    amount_fen = check_fen("amount_fen", amount_fen)
    plugin = check_text("plugin", plugin, 32)
    purpose_ref = check_text("purpose_ref", purpose_ref, 100)
    title = check_text("title", title, 200)
    if not isinstance(expires_at, dt.datetime) or expires_at.tzinfo is None:
        raise ValueError("expires_at must be a timezone-aware datetime")
    existing = await _by_purpose(session, plugin, purpose_ref)
    if existing is not None:
        return _same_or_refuse(existing, amount_fen)

    order = Order(order_no=new_number("P"), plugin=plugin, purpose_ref=purpose_ref,
                  title=title, amount_fen=amount_fen, status=OrderStatus.pending,
                  payer_account_id=payer_account_id, subject_id=subject_id,
                  expires_at=expires_at, refunded_fen=0, created_at=utcnow())
    try:
        # A savepoint: when a concurrent request made the order first, only
        # this insert is undone and that order is returned.
        async with session.begin_nested():
            session.add(order)
            await session.flush()
    except IntegrityError:
        winner = await _by_purpose(session, plugin, purpose_ref)
        if winner is None:
            raise
        return _same_or_refuse(winner, amount_fen)
    await enqueue(session, EXPIRE_JOB, {"order_no": order.order_no},
                  key=f"payments:expire:{order.order_no}", run_at=expires_at)
    await audit_order(session, payer_account_id, "payments.order_created", order,
                      plugin=plugin, purpose_ref=purpose_ref, amount_fen=amount_fen)
    log.info("order %s created for %s:%s", order.order_no, plugin, purpose_ref)
    return order


async def cancel_order(session: AsyncSession, order_no: str, *, reason: str,
                       actor_account_id: int | None = None) -> Order:
    """Close a pending order (pending → closed); a job closes the gateway trade too."""
    reason = check_text("reason", reason, 500)
    order = await lock_order(session, order_no)
    if order is None:
        raise UnknownOrder("未找到该订单")
    if order.status == OrderStatus.closed:
        return order
    move("order", order, OrderStatus.closed)
    await enqueue(session, CLOSE_JOB, {"order_no": order.order_no},
                  key=f"payments:close:{order.order_no}")
    await audit_order(session, actor_account_id, "payments.order_closed", order, reason=reason)
    await emit_order_event(session, CLOSED_EVENT, order, reason=reason)
    log.info("order %s closed", order.order_no)
    return order


def order_view(order: Order) -> OrderView:
    return OrderView(order.order_no, order.title, order.amount_fen, order.expires_at)


def return_url(platform: Platform, order_no: str) -> str:
    """Where a gateway sends the payer back after paying (or giving up)."""
    return f"{platform.settings.base_url.rstrip('/')}/payments/orders/{order_no}/return"
