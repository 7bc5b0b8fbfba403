"""Making, finding and cancelling orders."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..jobs import NewJob, enqueue, enqueue_many
from ._common import audit_order, check_fen, check_text, emit_order_event, lock_order, new_number
from ._errors import OrderStateError, UnknownOrder
from ._jobkinds import CLOSE_JOB, EXPIRE_JOB
from ._states import OrderStatus, move
from .models import Order
from .providers import OrderView

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["NewOrder", "cancel_order", "create_order", "create_orders", "get_order",
           "order_view", "return_url"]

log = logging.getLogger("bangyaer.payments")

ORDER_NO = re.compile(r"[0-9A-Za-z_]{1,32}")
PAID_EVENT = "payments.order_paid"
EXPIRED_EVENT = "payments.order_expired"
CLOSED_EVENT = "payments.order_closed"
REFUNDED_EVENT = "payments.order_refunded"
CREATED_ACTION = "payments.order_created"
# Purposes looked up per statement: a driver takes at most 32,767 parameters.
LOOKUP_CHUNK = 5000


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
        raise OrderStateError(f"事项 {order.purpose_ref} 已有金额为 {order.amount_fen} 分的订单 "
                              f"{order.order_no}，不能改为 {amount_fen} 分")
    return order


@dataclass(frozen=True)
class NewOrder:
    """One order for ``create_orders``: the arguments ``create_order`` takes."""

    plugin: str
    purpose_ref: str
    title: str
    amount_fen: int
    payer_account_id: int | None
    subject_id: int | None
    expires_at: dt.datetime

    def checked(self) -> NewOrder:
        """The same order with its fields checked and trimmed; raises as create_order does."""
        amount_fen = check_fen("amount_fen", self.amount_fen)
        plugin = check_text("plugin", self.plugin, 32)
        purpose_ref = check_text("purpose_ref", self.purpose_ref, 100)
        title = check_text("title", self.title, 200)
        if not isinstance(self.expires_at, dt.datetime) or self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be a timezone-aware datetime")
        return NewOrder(plugin, purpose_ref, title, amount_fen, self.payer_account_id,
                        self.subject_id, self.expires_at)


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
    item = NewOrder(plugin, purpose_ref, title, amount_fen, payer_account_id, subject_id,
                    expires_at).checked()
    plugin, purpose_ref, amount_fen = item.plugin, item.purpose_ref, item.amount_fen
    existing = await _by_purpose(session, plugin, purpose_ref)
    if existing is not None:
        return _same_or_refuse(existing, amount_fen)

    order = _new_order(item)
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
    await enqueue(session, EXPIRE_JOB, **_expiry(order))
    await _audit_created(session, order)
    log.info("order %s created for %s:%s", order.order_no, plugin, purpose_ref)
    return order


def _new_order(item: NewOrder) -> Order:
    return Order(order_no=new_number("P"), plugin=item.plugin, purpose_ref=item.purpose_ref,
                 title=item.title, amount_fen=item.amount_fen, status=OrderStatus.pending,
                 payer_account_id=item.payer_account_id, subject_id=item.subject_id,
                 expires_at=item.expires_at, refunded_fen=0, created_at=utcnow())


def _expiry(order: Order) -> dict[str, Any]:
    """The expiry job's payload, key and time: one per order, whichever way it was made."""
    return {"payload": {"order_no": order.order_no},
            "key": f"payments:expire:{order.order_no}", "run_at": order.expires_at}


async def _audit_created(session: AsyncSession, order: Order) -> None:
    await audit_order(session, order.payer_account_id, CREATED_ACTION, order,
                      plugin=order.plugin, purpose_ref=order.purpose_ref,
                      amount_fen=order.amount_fen)


async def create_orders(session: AsyncSession, items: Sequence[NewOrder]) -> list[Order]:
    """``create_order`` for many orders at once; the orders in the order of ``items``.

    Each item gets what create_order would give it, in the caller's
    transaction: the order already made for its purpose, or a new one with
    its expiry job and audit row. Every item is checked, and every amount
    compared with the order its purpose already has, before anything is
    written, so a refused batch (ValueError, TypeError, OrderStateError)
    leaves nothing behind. An item repeating an earlier purpose gets that
    order. A few statements for the whole batch instead of a few an order.

    When the insert fails (a concurrent request ordered one of the purposes
    first), the batch is made again one create_order at a time; an error
    found only then (that order has another amount, say) is raised as
    create_order raises it, and the caller's transaction is to be rolled back.
    """
    checked: list[NewOrder] = []
    for n, item in enumerate(items):
        try:
            checked.append(item.checked())
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"items[{n}]: {exc}") from exc
    if not checked:
        return []
    wanted: dict[tuple[str, str], NewOrder] = {}
    for item in checked:
        first = wanted.setdefault((item.plugin, item.purpose_ref), item)
        if first.amount_fen != item.amount_fen:
            raise OrderStateError(f"事项 {item.purpose_ref} 在同一批中金额不一致："
                                  f"{first.amount_fen} 分与 {item.amount_fen} 分")
    found = await _by_purposes(session, list(wanted))
    for key, order in found.items():
        _same_or_refuse(order, wanted[key].amount_fen)
    new = [_new_order(item) for key, item in wanted.items() if key not in found]
    if new:
        try:
            # As in create_order: a purpose a concurrent request ordered first
            # undoes only this insert, and the slow path below sorts it out.
            async with session.begin_nested():
                session.add_all(new)
                await session.flush()
        except IntegrityError:
            log.info("batch of %d orders met a concurrent one; making them one at a time",
                     len(new))
            return [await create_order(session, **vars(item)) for item in checked]
        await enqueue_many(session, [NewJob(EXPIRE_JOB, **_expiry(o)) for o in new])
        for order in new:
            await _audit_created(session, order)
        found.update({(o.plugin, o.purpose_ref): o for o in new})
        log.info("%d orders created for %s, %d found made", len(new),
                 ", ".join(sorted({o.plugin for o in new})), len(wanted) - len(new))
    return [found[(item.plugin, item.purpose_ref)] for item in checked]


async def _by_purposes(session: AsyncSession, keys: list[tuple[str, str]]
                       ) -> dict[tuple[str, str], Order]:
    """The orders already made for these (plugin, purpose_ref), in a statement a chunk."""
    by_plugin: dict[str, list[str]] = {}
    for plugin, ref in keys:
        by_plugin.setdefault(plugin, []).append(ref)
    found: dict[tuple[str, str], Order] = {}
    for plugin, refs in by_plugin.items():
        for start in range(0, len(refs), LOOKUP_CHUNK):
            rows = await session.scalars(select(Order).where(
                Order.plugin == plugin, Order.purpose_ref.in_(refs[start:start + LOOKUP_CHUNK])))
            found.update({(o.plugin, o.purpose_ref): o for o in rows})
    return found


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
