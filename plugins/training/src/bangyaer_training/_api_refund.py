"""JSON for district staff: refunds of paid seats, and a class's roster with payment states."""

from __future__ import annotations

import secrets
from typing import Any

from bangyaer.identity import Actor, Person, audit
from bangyaer.payments import PaymentsError, request_refund, yuan_from_fen
from bangyaer.payments.models import Order, Refund
from bangyaer.platform import Platform
from bangyaer.web import ApiError, Body, Field, api, get_platform, read_json, require
from bangyaer.web import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._api_staff import MANAGE
from ._enroll import enrollment_json
from ._idempotency import Answer, answer_once, key_of
from ._orders import current_order, lesson_refund_fen, refund_asked_fen
from ._payment_state import ledger_of, state_of
from .models import Enrollment, State, TrainingClass

MODES = ("full", "by_lessons")
REFUND_BODY = Body({
    "reason": Field(str, max_length=200, description="why, shown to the family"),
    "mode": Field(str, description='"full", or "by_lessons" for the lessons not attended'),
    "lessons_attended": Field(int, required=False,
                              description="lessons the child attended (by_lessons only)"),
})
# Shown in the roster: everyone with a seat, a place in the queue, or money moved.
ROSTER_STATES = (State.admitted, State.awaiting_payment, State.confirmed, State.waitlisted,
                 State.refunded, State.withdrawn)


def _checked(data: dict[str, Any], lessons: int) -> tuple[str, str, int | None]:
    reason = data["reason"].strip()
    if not reason:
        raise ApiError(422, "invalid_field", _("请填写退费原因"), detail={"field": "reason"})
    mode = data["mode"]
    if mode not in MODES:
        raise ApiError(422, "invalid_field", _("退费方式应为 full 或 by_lessons"),
                       detail={"field": "mode"})
    attended = data.get("lessons_attended")
    if mode == "by_lessons":
        if attended is None:
            raise ApiError(422, "missing_field", _("按课时退费需填写已上课时数"),
                           detail={"field": "lessons_attended"})
        if not 0 <= attended <= lessons:
            raise ApiError(422, "invalid_field",
                           _("已上课时数应在 0 到 %(n)s 之间", n=lessons),
                           detail={"field": "lessons_attended"})
    elif attended is not None:
        raise ApiError(422, "invalid_field", _("全额退费不需要填写已上课时数"),
                       detail={"field": "lessons_attended"})
    return reason, mode, attended


async def _refund(session: AsyncSession, actor: Actor, enrollment_id: int,
                  data: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
    enrollment = await session.get(Enrollment, enrollment_id, with_for_update=True)
    if enrollment is None:
        raise ApiError(404, "not_found", _("没有这条报名记录"))
    klass = await session.get(TrainingClass, enrollment.class_id)
    assert klass is not None
    reason, mode, attended = _checked(data, klass.lessons)
    order = await current_order(session, enrollment)
    if order is None or order.status not in ("paid", "refunded"):
        raise ApiError(409, "not_paid_online",
                       _("该报名没有在线缴费记录；线下缴费请在窗口办理退费"))
    asked = await refund_asked_fen(session, order)
    due = order.amount_fen if attended is None else lesson_refund_fen(
        order.amount_fen, klass.lessons, attended)
    amount = due - asked
    if amount <= 0:
        raise ApiError(409, "nothing_to_refund",
                       _("没有可退的金额：应退 ¥%(due)s，已退或退款中 ¥%(asked)s",
                         due=yuan_from_fen(due), asked=yuan_from_fen(asked)),
                       detail={"due_fen": due, "refunded_fen": asked})
    try:
        refund = await request_refund(session, order_no=order.order_no, amount_fen=amount,
                                      reason=reason, actor_account_id=actor.account_id, key=key)
    except PaymentsError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    await audit(session, actor, "training.refund_requested", "training_enrollment",
                enrollment.id, order_no=order.order_no, refund_no=refund.refund_no,
                mode=mode, lessons_attended=attended, amount_fen=amount)
    return 201, {
        "refund": {"refund_no": refund.refund_no, "amount_fen": refund.amount_fen,
                   "status": refund.status, "reason": refund.reason, "mode": mode},
        "enrollment": enrollment_json(enrollment, klass),
    }


async def staff_refund(platform: Platform, actor: Actor, enrollment_id: int,
                       data: dict[str, Any], key: str | None, signature: str) -> Answer:
    """The one way staff refund a seat, from the JSON API or the roster's form.

    ``key`` makes a retry give the first answer and ask the ledger nothing new.
    """
    assert actor.account_id is not None
    # The ledger's own key: the same staff retry asks the ledger the same question.
    ledger_key = (f"training:staff:{actor.account_id}:{key}" if key
                  else f"training:staff:{secrets.token_hex(12)}")

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        return await _refund(session, actor, enrollment_id, data, ledger_key)

    busy = ApiError(409, "refund_in_progress", _("该退费请求正在处理，请勿重复提交"))
    return await answer_once(platform, actor.account_id, key, signature, work, busy)


@api("Refund a paid seat in full or for the lessons not attended; Idempotency-Key honoured",
     body=REFUND_BODY,
     responses={201: "refund requested (the ledger pays it out)", 404: "no such enrollment",
                409: "not_paid_online, nothing_to_refund, refund_too_large",
                422: "invalid reason, mode or lessons_attended"})
async def refund_enrollment(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, REFUND_BODY)
    status, body, replayed = await staff_refund(
        get_platform(request), actor, request.path_params["id"], data, key_of(request),
        f"{request.method} {request.url.path}")
    return JSONResponse(body, status_code=status,
                        headers={"Idempotent-Replayed": "true"} if replayed else None)


RosterLedger = tuple[TrainingClass, list[tuple[Enrollment, str]], dict[str, Order],
                     dict[int, list[Refund]]]


async def roster_ledger(session: AsyncSession, class_id: int) -> RosterLedger:
    """The class, each child on it with their name, and the ledger's orders and refunds."""
    klass = await session.get(TrainingClass, class_id)
    if klass is None:
        raise ApiError(404, "not_found", _("没有这个班级"))
    rows = [(e, name) for e, name in await session.execute(
        select(Enrollment, Person.name)
        .join(Person, Person.id == Enrollment.child_id)
        .where(Enrollment.class_id == class_id, Enrollment.state.in_(ROSTER_STATES))
        .order_by(Enrollment.state, Enrollment.waitlist_position, Enrollment.id))]
    orders, refunds = await ledger_of(session, [e for e, _ in rows])
    return klass, rows, orders, refunds


def roster_row(e: Enrollment, name: str, klass: TrainingClass, orders: dict[str, Order],
               refunds: dict[int, list[Refund]]) -> dict[str, Any]:
    return {**enrollment_json(e, klass), "child_name": name,
            "payment": state_of(e, klass, orders, refunds)}


async def roster(session: AsyncSession, class_id: int,
                 ) -> tuple[TrainingClass, list[dict[str, Any]]]:
    """The class and one row per child on it, with the payment state in words."""
    klass, rows, orders, refunds = await roster_ledger(session, class_id)
    return klass, [roster_row(e, name, klass, orders, refunds) for e, name in rows]


@api("A class's roster: each child's state and payment state (staff; audited)",
     responses={404: "no such class"})
async def class_roster(request: Request) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.transaction() as session:
        klass, rows = await roster(session, request.path_params["id"])
        await audit(session, actor, "training.roster_viewed", "training_class", klass.id)
    return JSONResponse({"class": {"id": klass.id, "name": klass.name,
                                   "capacity": klass.capacity, "taken": klass.taken},
                         "enrollments": rows})
