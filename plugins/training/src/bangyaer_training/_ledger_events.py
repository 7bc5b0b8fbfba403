"""What training does when the payments ledger reports on a seat's order.

Events arrive at least once and in any order, so every reaction checks the
enrollment's current state and order first and is harmless when repeated.
An event about an order that is no longer the enrollment's (a seat given up
and taken again has a newer one) only ever leads to a refund, never to a
seat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bangyaer.events import Event
from bangyaer.notifications import notify
from bangyaer.payments import get_order, yuan_from_fen
from sqlalchemy.ext.asyncio import AsyncSession

from ._orders import PLUGIN, enrollment_id_of, refund_rest
from ._seats import SeatError, confirm_seat, guardians_of, refund_seat, release_unpaid
from .models import Enrollment, State, TrainingClass

log = logging.getLogger("bangyaer.training")

RELEASED_REASON = "席位已释放"


async def on_ledger_event(session: AsyncSession, event: Event) -> None:
    """Route one ``payments.*`` event about a training order; others are ignored."""
    handler = _HANDLERS.get(event.type)
    payload = event.payload
    if handler is None or payload.get("plugin") != PLUGIN:
        return
    enrollment_id = enrollment_id_of(str(payload.get("purpose_ref", "")))
    if enrollment_id is None:
        log.warning("event %s: purpose_ref %r is not an enrollment", event.id,
                    payload.get("purpose_ref"))
        return
    enrollment = await session.get(Enrollment, enrollment_id, with_for_update=True)
    if enrollment is None:
        log.warning("event %s: enrollment %s does not exist", event.id, enrollment_id)
        return
    await handler(session, enrollment, payload)


async def _paid(session: AsyncSession, enrollment: Enrollment, payload: dict[str, Any]) -> None:
    order_no = str(payload["order_no"])
    order = await get_order(session, order_no)
    if order is None or order.status != "paid":
        # Refunded in full before this event came: the money is back already.
        return
    if enrollment.order_no == order_no:
        try:
            await confirm_seat(session, enrollment.id, reference=f"order:{order_no}",
                               reason="paid_online")
            return
        except SeatError as exc:
            log.info("order %s paid but enrollment %s is %s (%s): refunding",
                     order_no, enrollment.id, enrollment.state, exc.code)
    if not await refund_rest(session, order, reason=RELEASED_REASON, actor_account_id=None):
        return
    klass = await session.get(TrainingClass, enrollment.class_id)
    assert klass is not None
    await notify(session, await guardians_of(session, enrollment.child_id), source="training",
                 topic="refund", title="培训班缴费已退回",
                 body=(f"{klass.name}的名额在缴费到账前已释放，"
                       f"已付的 ¥{yuan_from_fen(order.amount_fen)} 将原路退回。"),
                 url="/training/mine", key=f"training:released_refund:{order_no}")


async def _released(session: AsyncSession, enrollment: Enrollment,
                    payload: dict[str, Any], reason: str) -> None:
    if enrollment.order_no != payload["order_no"]:
        return
    await release_unpaid(session, enrollment, reason)


async def _expired(session: AsyncSession, enrollment: Enrollment,
                   payload: dict[str, Any]) -> None:
    await _released(session, enrollment, payload, "payment_expired")


async def _closed(session: AsyncSession, enrollment: Enrollment,
                  payload: dict[str, Any]) -> None:
    await _released(session, enrollment, payload, "order_closed")


async def _refunded(session: AsyncSession, enrollment: Enrollment,
                    payload: dict[str, Any]) -> None:
    if enrollment.order_no != payload["order_no"]:
        return
    # The ledger's running total, so a repeated or late event never lowers it.
    enrollment.refunded_fen = max(enrollment.refunded_fen, int(payload["refunded_fen"]))
    if payload.get("full") and enrollment.state == State.confirmed:
        await refund_seat(session, enrollment.id, reference=f"refund:{payload['refund_no']}")
    elif payload.get("full"):
        # Its order_paid event has not come yet (or never will): no seat for it.
        await release_unpaid(session, enrollment, "refunded")
    klass = await session.get(TrainingClass, enrollment.class_id)
    assert klass is not None
    await notify(session, await guardians_of(session, enrollment.child_id), source="training",
                 topic="refund", title="培训班退费到账",
                 body=f"{klass.name}已退费 ¥{yuan_from_fen(int(payload['refund_fen']))}。",
                 url="/training/mine", key=f"training:refunded:{payload['refund_no']}")


Handler = Callable[[AsyncSession, Enrollment, dict[str, Any]], Awaitable[None]]
_HANDLERS: dict[str, Handler] = {
    "payments.order_paid": _paid,
    "payments.order_expired": _expired,
    "payments.order_closed": _closed,
    "payments.order_refunded": _refunded,
}
