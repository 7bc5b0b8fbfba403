"""JSON for families: browse classes, enroll or apply for the acting child, withdraw."""

from __future__ import annotations

from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Actor
from bangyaer.payments import PaymentsError
from bangyaer.web import (
    ApiError,
    Body,
    Field,
    api,
    get_actor,
    get_platform,
    read_json,
    require_actor,
    require_child,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import _catalogue
from ._enroll import Limits, enrollment_json, limits_from, request_place
from ._idempotency import run_once
from ._payment_state import ledger_of, state_of
from ._seats import SeatError, withdraw
from .models import Enrollment, State, Term, TrainingClass

ENROLL_BODY = Body({"waitlist": Field(bool, required=False,
                                      description="join the waiting list if the class is full")})


def limits(request: Request) -> Limits:
    return limits_from(get_platform(request).config("training"))


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if not raw.lstrip("-").isdigit():
        raise ApiError(422, "invalid_parameter", f"{name} 应为整数", detail={"field": name})
    return int(raw)


def filters_of(request: Request) -> _catalogue.Filters:
    return _catalogue.Filters(
        term_id=_int_param(request, "term"), category=request.query_params.get("category"),
        campus_id=_int_param(request, "campus"), age=_int_param(request, "age"),
        eligible_only=request.query_params.get("eligible") in ("1", "true"),
    )


@api("Classes with seats left, filtered by ?term ?category ?campus ?age ?eligible=1",
     auth=False)
async def list_classes(request: Request) -> Response:
    actor = await get_actor(request)
    async with get_platform(request).db.session() as session:
        classes = await _catalogue.list_classes(session, filters_of(request),
                                                actor.acting_child)
    return JSONResponse({"classes": classes})


@api("One class with its seats left and the acting child's eligibility", auth=False)
async def get_class(request: Request) -> Response:
    actor = await get_actor(request)
    async with get_platform(request).db.session() as session:
        found = await _catalogue.one_class(session, request.path_params["id"])
    if found is None:
        raise ApiError(404, "not_found", "没有这个班级")
    return JSONResponse(_catalogue.class_json(*found, utcnow(), actor.acting_child))


@api("Enroll (first come) or apply (lottery) for the acting child; Idempotency-Key honoured",
     body=ENROLL_BODY,
     responses={201: "enrolled, applied or waitlisted", 404: "no such class",
                409: "class_full (with the waiting-list offer), already_enrolled, "
                     "schedule_clash, enrollment_closed, too_many_applications",
                422: "not_eligible"})
async def enroll(request: Request) -> Response:
    actor, child = await require_child(request)
    data = await read_json(request, ENROLL_BODY)
    class_id: int = request.path_params["id"]
    assert actor.account_id is not None

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        row, klass = await request_place(
            session, class_id=class_id, child=child, guardian_id=_person_id(actor),
            account_id=actor.account_id, waitlist=bool(data.get("waitlist")),
            limits=limits(request))
        return 201, {"enrollment": enrollment_json(row, klass)}

    return await run_once(get_platform(request), request, actor.account_id, work,
                          ApiError(409, "already_enrolled", "孩子已报名该班"))


def _person_id(actor: Actor) -> int | None:
    return actor.person.id if actor.person is not None else None


@api("The acting child's enrollments, applications and waiting-list places")
async def mine(request: Request) -> Response:
    _, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        rows = (await session.execute(
            select(Enrollment, TrainingClass)
            .join(TrainingClass, TrainingClass.id == Enrollment.class_id)
            .where(Enrollment.child_id == child.id)
            .order_by(Enrollment.term_id.desc(), Enrollment.id)
        ))
        return JSONResponse({"enrollments": await with_payments(session, list(rows))})


async def with_payments(session: AsyncSession, rows: list[tuple[Enrollment, TrainingClass]],
                        ) -> list[dict[str, Any]]:
    """Each enrollment's JSON with its payment state from the ledger."""
    orders, refunds = await ledger_of(session, [e for e, _ in rows])
    return [{**enrollment_json(e, k), "payment": state_of(e, k, orders, refunds)}
            for e, k in rows]


async def _own_enrollment(session: AsyncSession, actor: Actor, enrollment_id: int
                          ) -> tuple[Enrollment, TrainingClass]:
    enrollment = await session.get(Enrollment, enrollment_id, with_for_update=True)
    if enrollment is None or not actor.is_guardian_of(enrollment.child_id):
        # Someone else's enrollment looks the same as none at all.
        raise ApiError(404, "not_found", "没有这条报名记录")
    klass = await session.get(TrainingClass, enrollment.class_id)
    assert klass is not None
    return enrollment, klass


@api("Withdraw an enrollment, application or waiting-list place; a freed seat moves on. "
     "An unpaid order is cancelled; a seat paid online is refunded in full before the "
     "first lesson, and refused after it (staff refund by lessons)",
     responses={404: "not yours or no such enrollment", 409: "not_active, class_started"})
async def withdraw_enrollment(request: Request) -> Response:
    actor = await require_actor(request)
    async with get_platform(request).db.transaction() as session:
        enrollment, klass = await _own_enrollment(session, actor, request.path_params["id"])
        term = await session.get(Term, enrollment.term_id)
        if (enrollment.state == State.applied and term is not None
                and term.frozen_at is not None and term.drawn_at is None):
            # The frozen list's hash is published: it cannot lose an entry
            # before the draw. After the draw a won seat can be given up.
            raise ApiError(409, "list_frozen", "摇号名单已封存，请在摇号结果公布后再退出")
        try:
            await withdraw(session, enrollment, klass, account_id=actor.account_id)
        except SeatError as exc:
            raise ApiError(409, exc.code, exc.message) from None
        except PaymentsError as exc:
            raise ApiError(exc.status, exc.code, exc.message) from None
        await session.flush()
        shown = await with_payments(session, [(enrollment, klass)])
        return JSONResponse({"enrollment": shown[0]})
