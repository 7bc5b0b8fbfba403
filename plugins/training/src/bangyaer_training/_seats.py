"""Seats: taken atomically, released, handed down the waiting list, confirmed.

Every function works inside the caller's transaction, so the seat counter,
the enrollment row and its recorded move commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import Guardianship, Person
from bangyaer.jobs import enqueue
from bangyaer.notifications import notify
from bangyaer.web import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ._orders import (
    OrderInput,
    cancel_if_pending,
    first_lesson_at,
    open_order,
    payer_of,
    refund_rest,
)
from ._rules import clash
from .models import ACTIVE, SEATED, Enrollment, Move, State, Term, TrainingClass

log = logging.getLogger("bangyaer.training")

PROMOTE_JOB = "training.promote"
EXPIRE_JOB = "training.expire"
SHANGHAI = ZoneInfo("Asia/Shanghai")


class SeatError(Exception):
    """A move the enrollment's state does not allow; ``code`` names it for programs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def take_seat(session: AsyncSession, class_id: int) -> bool:
    """Take one seat if one is left: a single conditional UPDATE, never oversold."""
    result: Any = await session.execute(
        update(TrainingClass)
        .where(TrainingClass.id == class_id, TrainingClass.taken < TrainingClass.capacity)
        .values(taken=TrainingClass.taken + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


async def release_seat(session: AsyncSession, class_id: int) -> None:
    await session.execute(
        update(TrainingClass)
        .where(TrainingClass.id == class_id, TrainingClass.taken > 0)
        .values(taken=TrainingClass.taken - 1)
        .execution_options(synchronize_session=False)
    )


def move(
    session: AsyncSession, enrollment: Enrollment, to: State, reason: str,
    account_id: int | None = None,
) -> None:
    """Change the state and record the move; the one way states change."""
    # Through the relationship, so a row not yet inserted gets its id first.
    session.add(Move(enrollment=enrollment, from_state=enrollment.state or None,
                     to_state=to,
                     reason=reason, account_id=account_id, at=utcnow()))
    enrollment.state = to


async def guardians_of(session: AsyncSession, child_id: int) -> list[int]:
    rows = await session.scalars(
        select(Guardianship.guardian_id).where(Guardianship.student_id == child_id)
    )
    return list(rows)


async def seat_granted(
    session: AsyncSession, enrollment: Enrollment, klass: TrainingClass, *,
    payment_hours: int, reason: str, account_id: int | None = None,
    now: dt.datetime | None = None, order_input: OrderInput | None = None,
) -> None:
    """The enrollment now holds a seat: open its order, due at the deadline, or confirm if free.

    The order is made in the caller's transaction, so a seat never exists
    without a way to pay for it, nor an order without its seat.
    """
    if not await grant_seat(session, enrollment, klass, payment_hours=payment_hours,
                            reason=reason, account_id=account_id, now=now):
        return
    await session.flush()  # a new row's id names its order
    # The ledger expires the order at the deadline and tells us (see
    # expire_if_due), so no expiry job of our own is queued for it.
    if order_input is None:
        payer = await payer_of(session, enrollment, account_id)
        await open_order(session, enrollment, klass, payer_account_id=payer)
    else:
        await open_order(session, enrollment, klass,
                         payer_account_id=order_input.payer_account_id,
                         round_=order_input.round)


async def grant_seat(
    session: AsyncSession, enrollment: Enrollment, klass: TrainingClass, *,
    payment_hours: int, reason: str, account_id: int | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Give the seat without its order: due at the deadline, or confirmed if free.

    True when the seat needs an order, which the caller opens in the same
    transaction (seat_granted for one seat, open_orders for a draw's).
    Nothing is flushed for a row already in the database, so a draw's
    thousands of seats are written together.
    """
    now = now or utcnow()
    enrollment.waitlist_position = None
    if klass.fee_fen == 0:
        move(session, enrollment, State.confirmed, reason, account_id)
        if enrollment.id is None:
            await session.flush()  # the event names the row
        await _enrolled_event(session, enrollment, klass, account_id)
        return False
    enrollment.deadline_at = now + dt.timedelta(hours=payment_hours)
    move(session, enrollment, State.awaiting_payment, reason, account_id)
    return True


async def _enrolled_event(
    session: AsyncSession, enrollment: Enrollment, klass: TrainingClass, account_id: int | None
) -> None:
    await emit(session, "training.enrolled", subject_id=enrollment.child_id,
               actor_account_id=account_id, enrollment_id=enrollment.id, class_id=klass.id,
               class_name=klass.name, term_id=klass.term_id)


async def in_term(session: AsyncSession, child_id: int, term_id: int,
                  ) -> list[tuple[Enrollment, TrainingClass]]:
    """Every enrollment of the child in the term, whatever its state, with its class."""
    rows = await session.execute(
        select(Enrollment, TrainingClass)
        .join(TrainingClass, TrainingClass.id == Enrollment.class_id)
        .where(Enrollment.child_id == child_id, Enrollment.term_id == term_id)
        # Read after the caller's lock: rows loaded before it may be stale.
        .execution_options(populate_existing=True)
    )
    return [(e, k) for e, k in rows]


async def locked_in_term(session: AsyncSession, child_id: int, term_id: int,
                         ) -> list[tuple[Enrollment, TrainingClass]]:
    """Like in_term, and lock the child's row: one child's requests go one at a time.

    One statement: the child's row (FOR UPDATE OF it alone) outer-joined
    to their enrollments, so the lock holds even when there are none yet.
    """
    rows = await session.execute(
        select(Person.id, Enrollment, TrainingClass)
        .outerjoin(Enrollment, (Enrollment.child_id == Person.id)
                   & (Enrollment.term_id == term_id))
        .outerjoin(TrainingClass, TrainingClass.id == Enrollment.class_id)
        .where(Person.id == child_id)
        .with_for_update(of=Person)
        .execution_options(populate_existing=True)
    )
    return [(e, k) for _, e, k in rows if e is not None]


async def active_in_term(session: AsyncSession, child_id: int, term_id: int,
                         ) -> list[tuple[Enrollment, TrainingClass]]:
    return [(e, k) for e, k in await in_term(session, child_id, term_id) if e.state in ACTIVE]


def clash_with(klass: TrainingClass, others: list[tuple[Enrollment, TrainingClass]]
               ) -> TrainingClass | None:
    return next((k for _, k in others if k.id != klass.id and clash(klass, k)), None)


async def withdraw(session: AsyncSession, enrollment: Enrollment, klass: TrainingClass, *,
                   account_id: int | None, reason: str = "withdrawn",
                   now: dt.datetime | None = None) -> None:
    """Give up a seat or a place in the queue; a freed seat goes down the waiting list.

    An unpaid order is cancelled with the seat. A seat paid online is
    refunded in full when given up before the first lesson; after it, only
    staff refund (by lessons attended), so the family is refused here.
    """
    if enrollment.state not in ACTIVE:
        raise SeatError("not_active", "该报名已结束，无法退出")
    seated = enrollment.state in SEATED
    order = None
    if seated:
        order = await cancel_if_pending(session, enrollment, reason="家长退出报名")
    paid = order is not None and order.status == "paid"
    if paid and (now or utcnow()) >= await _first_lesson(session, klass):
        raise SeatError("class_started", _("已开课，退出和退费请联系少年宫按已上课时办理"))
    enrollment.waitlist_position = None
    enrollment.deadline_at = None
    move(session, enrollment, State.withdrawn, reason, account_id)
    if seated:
        await release_seat(session, klass.id)
        await enqueue(session, PROMOTE_JOB, {"class_id": klass.id})
    if paid:
        assert order is not None
        await refund_rest(session, order, reason="开课前退出报名", actor_account_id=account_id)


async def _first_lesson(session: AsyncSession, klass: TrainingClass) -> dt.datetime:
    term = await session.get(Term, klass.term_id)
    assert term is not None
    return first_lesson_at(klass, term)


async def confirm_seat(
    session: AsyncSession, enrollment_id: int, *, reference: str,
    account_id: int | None = None, reason: str = "paid",
) -> Enrollment:
    """Confirm a seat once it is paid for: the seam the payments ledger calls.

    Idempotent for the same ``reference``; a seat that already expired or
    was withdrawn is refused (the ledger then refunds).
    """
    enrollment = await session.get(Enrollment, enrollment_id, with_for_update=True)
    if enrollment is None:
        raise SeatError("not_found", f"报名 {enrollment_id} 不存在")
    if enrollment.state == State.confirmed:
        if enrollment.payment_ref == reference:
            return enrollment
        raise SeatError("already_confirmed", "该报名已确认缴费")
    if enrollment.state not in (State.admitted, State.awaiting_payment):
        raise SeatError("not_payable", "该报名当前不能缴费（名额已失效或已退出）")
    klass = await session.get(TrainingClass, enrollment.class_id)
    assert klass is not None
    enrollment.payment_ref = reference
    enrollment.deadline_at = None
    move(session, enrollment, State.confirmed, reason, account_id)
    await session.flush()
    await _enrolled_event(session, enrollment, klass, account_id)
    return enrollment


async def refund_seat(
    session: AsyncSession, enrollment_id: int, *, reference: str,
    account_id: int | None = None,
) -> Enrollment:
    """Record a refund of a confirmed seat (the ledger's other seam); the seat moves on."""
    enrollment = await session.get(Enrollment, enrollment_id, with_for_update=True)
    if enrollment is None:
        raise SeatError("not_found", f"报名 {enrollment_id} 不存在")
    if enrollment.state == State.refunded:
        return enrollment
    if enrollment.state != State.confirmed:
        raise SeatError("not_refundable", "只有已确认缴费的报名可以退费")
    enrollment.payment_ref = reference
    move(session, enrollment, State.refunded, "refunded", account_id)
    await release_seat(session, enrollment.class_id)
    await enqueue(session, PROMOTE_JOB, {"class_id": enrollment.class_id})
    return enrollment


async def expire_if_due(session: AsyncSession, enrollment_id: int,
                        now: dt.datetime | None = None) -> bool:
    """Let an unpaid seat without an order go when its deadline has passed; True if it did.

    A seat with an order is left alone: the family may be at the cashier at
    this very moment, and only the ledger can ask the gateway whether the
    trade went through before it closes it. It expires the order and tells
    us with ``payments.order_expired`` (see release_unpaid). Seats granted
    before online payment existed have no order and still expire here.
    """
    now = now or utcnow()
    enrollment = await session.get(Enrollment, enrollment_id, with_for_update=True)
    if enrollment is None or enrollment.state != State.awaiting_payment:
        return False
    if enrollment.order_no is not None:
        return False
    if enrollment.deadline_at is None or enrollment.deadline_at > now:
        return False
    await _let_go(session, enrollment, "payment_expired")
    return True


async def release_unpaid(session: AsyncSession, enrollment: Enrollment, reason: str) -> bool:
    """The ledger expired or closed the seat's order: the seat moves on; True if it did."""
    if enrollment.state not in (State.admitted, State.awaiting_payment):
        return False
    await _let_go(session, enrollment, reason)
    return True


async def _let_go(session: AsyncSession, enrollment: Enrollment, reason: str) -> None:
    enrollment.deadline_at = None
    move(session, enrollment, State.expired, reason)
    await release_seat(session, enrollment.class_id)
    await enqueue(session, PROMOTE_JOB, {"class_id": enrollment.class_id})
    log.info("enrollment %s expired unpaid (%s); seat of class %s released",
             enrollment.id, reason, enrollment.class_id)


async def sweep_class(session: AsyncSession, class_id: int,
                      now: dt.datetime | None = None) -> int:
    """Expire every unpaid seat of a class whose deadline has passed; how many."""
    now = now or utcnow()
    due = list(await session.scalars(
        select(Enrollment.id).where(Enrollment.class_id == class_id,
                                    Enrollment.state == State.awaiting_payment,
                                    Enrollment.deadline_at <= now)))
    expired = 0
    for enrollment_id in due:
        expired += await expire_if_due(session, enrollment_id, now)
    return expired


async def promote(session: AsyncSession, class_id: int, *, payment_hours: int) -> list[int]:
    """Give every free seat to the next children on the waiting list; their ids."""
    klass = await session.get(TrainingClass, class_id)
    if klass is None:
        return []
    promoted: list[int] = []
    while True:
        nxt = await session.scalar(
            select(Enrollment)
            .where(Enrollment.class_id == class_id, Enrollment.state == State.waitlisted)
            .order_by(Enrollment.waitlist_position, Enrollment.id)
            .limit(1).with_for_update()
        )
        if nxt is None or not await take_seat(session, class_id):
            break
        others = await active_in_term(session, nxt.child_id, nxt.term_id)
        if clash_with(klass, others) is not None:
            # The child got a seat at the same hour meanwhile: leave the queue.
            await release_seat(session, class_id)
            nxt.waitlist_position = None
            move(session, nxt, State.expired, "clash_on_promotion")
            continue
        await seat_granted(session, nxt, klass, payment_hours=payment_hours,
                           reason="promoted")
        await _tell_promoted(session, nxt, klass)
        promoted.append(nxt.id)
    if promoted:
        log.info("class %s: %d promoted from the waiting list", class_id, len(promoted))
    return promoted


async def _tell_promoted(session: AsyncSession, enrollment: Enrollment,
                         klass: TrainingClass) -> None:
    if enrollment.state == State.confirmed:
        body = f"{klass.name}有空位，孩子已从候补转为录取。"
    else:
        deadline = enrollment.deadline_at
        assert deadline is not None
        local = deadline.astimezone(SHANGHAI)
        body = (f"{klass.name}有空位，孩子已从候补转为录取，"
                f"请在 {local:%Y-%m-%d %H:%M} 前缴费，逾期名额将顺延给下一位。")
    await notify(session, await guardians_of(session, enrollment.child_id), source="training",
                 topic="promoted", title="培训班候补录取", body=body,
                 url="/training/mine",
                 key=f"training:promoted:{enrollment.id}:{enrollment.deadline_at}")


async def next_waitlist_position(session: AsyncSession, class_id: int) -> int:
    top = await session.scalar(
        select(func.max(Enrollment.waitlist_position)).where(Enrollment.class_id == class_id)
    )
    return int(top or 0) + 1
