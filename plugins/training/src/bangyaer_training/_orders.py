"""A seat's order in the payments ledger: opened, cancelled, refunded.

Training never moves money itself. It asks the ledger for an order when a
seat is granted, and learns what happened to it through the ledger's
events (see ``_ledger_events.py``). Every function here works inside the
caller's transaction, so a seat and its order change together.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bangyaer.identity import Account
from bangyaer.payments import (
    NewOrder,
    OrderStateError,
    cancel_order,
    create_order,
    create_orders,
    get_order,
    request_refund,
)
from bangyaer.payments.models import Order, Payment, Refund
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Enrollment, Move, State, Term, TrainingClass

log = logging.getLogger("bangyaer.training")

PLUGIN = "training"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def purpose_ref(enrollment_id: int, round_: int) -> str:
    """``enrollment:{id}`` for a seat's first order, ``enrollment:{id}/{n}`` after.

    The ledger keeps one order per (plugin, purpose_ref). An enrollment row
    is reused when a child comes back after withdrawing or expiring, and that
    new seat needs an order of its own, not the old expired one.
    """
    return f"enrollment:{enrollment_id}" if round_ <= 1 else f"enrollment:{enrollment_id}/{round_}"


def enrollment_id_of(ref: str) -> int | None:
    """The enrollment a training purpose_ref names; None if it is not one of ours."""
    kind, _, rest = ref.partition(":")
    number = rest.partition("/")[0]
    if kind != "enrollment" or not number.isdigit():
        return None
    return int(number)


def order_title(klass: TrainingClass, term: Term | None) -> str:
    prefix = f"{term.name} " if term is not None else ""
    return f"{prefix}{klass.name} 学费"[:100]


async def _round(session: AsyncSession, enrollment_id: int) -> int:
    """How many times this enrollment has been asked to pay, this time included."""
    asked = await session.scalar(
        select(func.count(Move.id)).where(Move.enrollment_id == enrollment_id,
                                          Move.to_state == State.awaiting_payment))
    return int(asked or 0)


async def payer_of(session: AsyncSession, enrollment: Enrollment,
                   account_id: int | None) -> int | None:
    """The account that asked for this seat: the request's, else the family's last move."""
    if account_id is not None:
        return account_id
    found = await session.scalar(
        select(Move.account_id).where(Move.enrollment_id == enrollment.id,
                                      Move.account_id.is_not(None))
        .order_by(Move.id.desc()).limit(1))
    if found is not None:
        return int(found)
    if enrollment.guardian_id is None:
        return None
    fallback = await session.scalar(
        select(Account.id).where(Account.person_id == enrollment.guardian_id,
                                 Account.active.is_(True))
        .order_by(Account.id).limit(1))
    return int(fallback) if fallback is not None else None


@dataclass(frozen=True)
class OrderInput:
    """Who pays for a seat and which seat of its row it is, found ahead for many at once."""

    payer_account_id: int | None
    round: int


async def order_inputs(session: AsyncSession, enrollment_ids: list[int],
                       ) -> dict[int, OrderInput]:
    """OrderInput for seats about to be granted, in two queries instead of two a seat.

    Enrollments whose moves name no account are left out (payer_of finds them).
    """
    asked: dict[int, int] = {eid: n for eid, n in await session.execute(
        select(Move.enrollment_id, func.count(Move.id))
        .where(Move.enrollment_id.in_(enrollment_ids),
               Move.to_state == State.awaiting_payment)
        .group_by(Move.enrollment_id))}
    latest = select(func.max(Move.id)).where(
        Move.enrollment_id.in_(enrollment_ids), Move.account_id.is_not(None),
    ).group_by(Move.enrollment_id)
    payers: dict[int, int | None] = {eid: account for eid, account in await session.execute(
        select(Move.enrollment_id, Move.account_id).where(Move.id.in_(latest)))}
    return {eid: OrderInput(payers[eid], asked.get(eid, 0) + 1)
            for eid in enrollment_ids if eid in payers}


async def open_order(session: AsyncSession, enrollment: Enrollment, klass: TrainingClass,
                     *, payer_account_id: int | None, round_: int | None = None) -> Order:
    """Ask the ledger for the seat's order, due at the enrollment's deadline.

    ``round_`` is this seat's number among the row's seats (counted if not given).
    """
    if round_ is None:
        round_ = await _round(session, enrollment.id)
    term = await session.get(Term, klass.term_id)
    wanted = _new_order(enrollment, klass, term, OrderInput(payer_account_id, round_))
    order = await create_order(session, **vars(wanted))
    enrollment.order_no = order.order_no
    return order


async def open_orders(session: AsyncSession, seats: Sequence[tuple[Enrollment, TrainingClass]],
                      inputs: Mapping[int, OrderInput]) -> list[Order]:
    """open_order for many seats in a few statements: a draw's seats, once granted.

    ``inputs`` holds what order_inputs found ahead; a seat left out of it
    has its payer and number found here, as open_order would.
    """
    terms: dict[int, Term | None] = {}
    wanted: list[NewOrder] = []
    for enrollment, klass in seats:
        given = inputs.get(enrollment.id)
        if given is None:
            given = OrderInput(await payer_of(session, enrollment, None),
                               await _round(session, enrollment.id))
        if klass.term_id not in terms:
            terms[klass.term_id] = await session.get(Term, klass.term_id)
        wanted.append(_new_order(enrollment, klass, terms[klass.term_id], given))
    orders = await create_orders(session, wanted)
    for (enrollment, _), order in zip(seats, orders, strict=True):
        enrollment.order_no = order.order_no
    return orders


def _new_order(enrollment: Enrollment, klass: TrainingClass, term: Term | None,
               given: OrderInput) -> NewOrder:
    assert enrollment.deadline_at is not None
    return NewOrder(plugin=PLUGIN, purpose_ref=purpose_ref(enrollment.id, given.round),
                    title=order_title(klass, term), amount_fen=klass.fee_fen,
                    payer_account_id=given.payer_account_id, subject_id=enrollment.child_id,
                    expires_at=enrollment.deadline_at)


async def current_order(session: AsyncSession, enrollment: Enrollment) -> Order | None:
    if enrollment.order_no is None:
        return None
    return await get_order(session, enrollment.order_no)


async def cancel_if_pending(session: AsyncSession, enrollment: Enrollment, *,
                            reason: str) -> Order | None:
    """Close the seat's order so it can no longer be paid; the order as it now stands.

    An order the gateway already reported paid cannot be cancelled: it is
    returned as it is and the caller decides (keep the seat, or refund).
    """
    order = await current_order(session, enrollment)
    if order is None or order.status != "pending":
        return order
    try:
        return await cancel_order(session, order.order_no, reason=reason)
    except OrderStateError:
        # Paid a moment ago, between our read and the ledger's lock.
        return await get_order(session, order.order_no)


def full_refund_key(order_no: str) -> str:
    """One key for every full refund training asks for on its own, whatever the cause.

    A withdrawal and a late payment notice can both want the money back; with
    one key the ledger makes one refund, however often either asks.
    """
    return f"training:full:{order_no}"


async def refund_rest(session: AsyncSession, order: Order, *, reason: str,
                      actor_account_id: int | None) -> bool:
    """Ask the ledger to give back whatever is left of a paid order; True if asked."""
    key = full_refund_key(order.order_no)
    if await session.scalar(select(Refund.id).where(Refund.key == key)) is not None:
        return False  # asked before; the ledger is already on it
    if order.status != "paid":
        return False
    left = order.amount_fen - await refund_asked_fen(session, order)
    if left <= 0:
        return False
    await request_refund(session, order_no=order.order_no, amount_fen=left, reason=reason,
                         actor_account_id=actor_account_id,
                         key=key)
    log.info("order %s: full refund of %d fen asked (%s)", order.order_no, left, reason)
    return True


async def refund_asked_fen(session: AsyncSession, order: Order) -> int:
    """What has been given back of the fee, or is on its way (refunds not failed)."""
    asked = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount_fen), 0))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(Refund.order_id == order.id, Refund.status != "failed",
               Payment.status == "applied"))
    return int(asked or 0)


def lesson_refund_fen(paid_fen: int, lessons: int, attended: int) -> int:
    """The fee for the lessons not attended, rounded down to the fen.

    ``paid × (lessons − attended) ÷ lessons`` in integers: the family never
    gets more than the share of lessons they missed, and never a float.
    """
    if lessons <= 0:
        raise ValueError("a class has at least one lesson")
    if not 0 <= attended <= lessons:
        raise ValueError(f"attended must be between 0 and {lessons}")
    return paid_fen * (lessons - attended) // lessons


def first_lesson_at(klass: TrainingClass, term: Term) -> dt.datetime:
    """The class's first lesson (UTC): its weekday on or after the term's first day."""
    ahead = (klass.weekday - term.starts_on.isoweekday()) % 7
    day = term.starts_on + dt.timedelta(days=ahead)
    return dt.datetime.combine(day, klass.start_time, tzinfo=SHANGHAI).astimezone(dt.UTC)
