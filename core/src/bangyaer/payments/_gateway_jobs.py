"""Jobs that ask the gateway: expiry, closing a cancelled trade, repairing lost notifications.

A notification can be lost (the district's server was down, a proxy ate
it); the repair job asks the gateway a few minutes after checkout and then
with growing gaps until the deadline, and expiry asks once more before it
closes anything, so a payment made in the last second is never thrown away.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..jobs import JobContext, PermanentJobError, enqueue
from ._common import audit_order, emit_order_event, lock_order
from ._errors import AmountMismatch, PaymentsError
from ._jobkinds import REPAIR_JOB
from ._orders import EXPIRED_EVENT, get_order
from ._record import PAID_STATES, record_payment
from ._refunds import TryAgain
from ._report import tell_staff
from ._states import OrderStatus, move
from .models import Checkout, Order
from .providers import GatewayError, GatewayTrade, GatewayUnavailable

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["note_checkout", "run_close", "run_expire", "run_repair"]

log = logging.getLogger("bangyaer.payments")

REPAIR_FIRST = dt.timedelta(minutes=3)
REPAIR_MAX_GAP = dt.timedelta(hours=2)


async def note_checkout(session: AsyncSession, order: Order, provider_id: str) -> None:
    """Remember that the payer went to ``provider_id``; queue its first repair query."""
    seen = await session.scalar(select(Checkout.id).where(
        Checkout.order_id == order.id, Checkout.provider == provider_id))
    if seen is None:
        session.add(Checkout(order_id=order.id, provider=provider_id, created_at=utcnow()))
        await session.flush()
    await _queue_repair(session, order, provider_id, 1)


async def _queue_repair(session: AsyncSession, order: Order, provider_id: str,
                        round_no: int) -> None:
    gap = min(REPAIR_FIRST * 2 ** (round_no - 1), REPAIR_MAX_GAP)
    run_at = utcnow() + gap
    if run_at >= order.expires_at:
        return  # the expiry job asks at the deadline anyway
    await enqueue(session, REPAIR_JOB,
                  {"order_no": order.order_no, "provider": provider_id, "round": round_no},
                  key=f"payments:repair:{order.order_no}:{provider_id}:{round_no}",
                  run_at=run_at)


def _order_no(payload: dict[str, Any]) -> str:
    order_no = payload.get("order_no")
    if not isinstance(order_no, str):
        raise PermanentJobError(f"payload {payload!r}: expected a string 'order_no'")
    return order_no


async def _pending(ctx: JobContext, order_no: str) -> tuple[Order | None, list[str]]:
    """The order if still pending, and the providers its payer went to."""
    async with ctx.platform.db.session() as session:
        order = await get_order(session, order_no)
        if order is None:
            raise PermanentJobError(f"order {order_no} does not exist")
        if order.status != OrderStatus.pending:
            return None, []
        used = list(await session.scalars(select(Checkout.provider).where(
            Checkout.order_id == order.id).order_by(Checkout.id)))
        return order, used


def _providers(ctx: JobContext) -> dict[str, Any]:
    return ctx.platform.host.collect_by_id("payment_providers")


async def apply_if_paid(ctx: JobContext, provider_id: str, trade: GatewayTrade) -> bool:
    """Record a trade the gateway reports as paid; True if it was."""
    if trade.status not in PAID_STATES:
        return False
    try:
        async with ctx.platform.db.transaction() as session:
            await record_payment(session, provider=provider_id, trade=trade)
    except AmountMismatch:
        # Money the ledger will not take: the order goes on as unpaid, and a
        # person looks at the gateway's trade (reconciliation lists it too).
        await _report_mismatch(ctx, provider_id, trade)
        return False
    except PaymentsError as exc:
        raise PermanentJobError(f"order {trade.order_no}: {exc.code}: {exc.message}") from exc
    return True


async def _report_mismatch(ctx: JobContext, provider_id: str, trade: GatewayTrade) -> None:
    async with ctx.platform.db.transaction() as session:
        order = await get_order(session, trade.order_no)
        if order is None:
            return
        await audit_order(session, None, "payments.amount_mismatch", order,
                          provider=provider_id, trade_no=trade.trade_no,
                          gateway_fen=trade.amount_fen)
        await tell_staff(
            session, title="支付金额与订单不符，请人工核对",
            body=(f"{provider_id} 报告订单 {order.order_no}（{order.title}）的交易 "
                  f"{trade.trade_no} 金额为 {trade.amount_fen} 分，订单金额为 "
                  f"{order.amount_fen} 分；台账未记为已支付。"),
            url=f"/payments/orders/{order.order_no}",
            key=f"payments:mismatch:{provider_id}:{trade.trade_no}")


async def apply_if_paid_now(platform: Platform, provider_id: str, order_no: str) -> bool:
    """One query from a request (the return page); a failing gateway is not the payer's error."""
    provider = platform.host.collect_by_id("payment_providers").get(provider_id)
    if provider is None:
        return False
    try:
        trade = await provider.query(platform, order_no)
    except (GatewayUnavailable, GatewayError) as exc:
        log.info("order %s: query on return failed: %s", order_no, exc)
        return False
    if trade.status not in PAID_STATES:
        return False
    try:
        async with platform.db.transaction() as session:
            await record_payment(session, provider=provider_id, trade=trade)
    except PaymentsError as exc:
        log.warning("order %s: paid trade not applied: %s", order_no, exc.code)
        return False
    return True


async def run_repair(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler for ``core.payments.repair``: one query, then the next one queued."""
    order, _ = await _pending(ctx, _order_no(payload))
    provider_id, round_no = payload.get("provider"), payload.get("round")
    if order is None or not isinstance(provider_id, str) or not isinstance(round_no, int):
        return
    provider = _providers(ctx).get(provider_id)
    if provider is not None:
        try:
            if await apply_if_paid(ctx, provider_id,
                                   await provider.query(ctx.platform, order.order_no)):
                log.info("order %s: payment found by query (notification missing)",
                         order.order_no)
                return
        except (GatewayUnavailable, GatewayError) as exc:
            log.info("order %s: repair query failed: %s", order.order_no, exc)
    async with ctx.platform.db.transaction() as session:
        await _queue_repair(session, order, provider_id, round_no + 1)


async def _query_all(ctx: JobContext, order: Order, used: list[str]) -> bool:
    providers = _providers(ctx)
    for provider_id in used:
        provider = providers.get(provider_id)
        if provider is None:
            raise TryAgain(f"order {order.order_no}: provider {provider_id!r} is not enabled")
        try:
            trade = await provider.query(ctx.platform, order.order_no)
        except GatewayUnavailable as exc:
            raise TryAgain(f"order {order.order_no}: {provider_id} unavailable ({exc})") from exc
        if await apply_if_paid(ctx, provider_id, trade):
            return True
    return False


async def _close_all(ctx: JobContext, order: Order, used: list[str]) -> bool:
    """Close every gateway trade; True if one turned out to be paid after all."""
    providers = _providers(ctx)
    for provider_id in used:
        provider = providers[provider_id]
        try:
            await provider.close(ctx.platform, order.order_no)
        except GatewayUnavailable as exc:
            raise TryAgain(f"order {order.order_no}: {provider_id} unavailable ({exc})") from exc
        except GatewayError as exc:
            # Paid between our query and the close: the gateway refuses to close.
            log.info("order %s: %s would not close the trade: %s", order.order_no,
                     provider_id, exc)
            if await _query_all(ctx, order, [provider_id]):
                return True
    return False


async def run_expire(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler for ``core.payments.expire``, queued for the order's deadline."""
    order, used = await _pending(ctx, _order_no(payload))
    if order is None:
        return
    if await _query_all(ctx, order, used) or await _close_all(ctx, order, used):
        return
    async with ctx.platform.db.transaction() as session:
        locked = await lock_order(session, order.order_no)
        if locked is None or locked.status != OrderStatus.pending:
            return
        move("order", locked, OrderStatus.expired)
        await audit_order(session, None, "payments.order_expired", locked)
        await emit_order_event(session, EXPIRED_EVENT, locked)
    log.info("order %s expired", order.order_no)


async def run_close(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler for ``core.payments.close``: a cancelled order's trades closed too."""
    order_no = _order_no(payload)
    async with ctx.platform.db.session() as session:
        order = await get_order(session, order_no)
        if order is None:
            raise PermanentJobError(f"order {order_no} does not exist")
        used = list(await session.scalars(select(Checkout.provider).where(
            Checkout.order_id == order.id)))
    providers = _providers(ctx)
    for provider_id in used:
        provider = providers.get(provider_id)
        if provider is None:
            raise TryAgain(f"order {order_no}: provider {provider_id!r} is not enabled")
        try:
            await provider.close(ctx.platform, order_no)
        except GatewayUnavailable as exc:
            raise TryAgain(f"order {order_no}: {provider_id} unavailable ({exc})") from exc
        except GatewayError as exc:
            # Already paid: its notification is a duplicate and gets refunded.
            log.info("order %s: %s would not close the trade: %s", order_no, provider_id, exc)
