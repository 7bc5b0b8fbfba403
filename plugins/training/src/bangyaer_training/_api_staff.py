"""JSON for district staff: terms, catalogue import, the draw, offline payment, completion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bangyaer.db import utcnow
from bangyaer.events import emit
from bangyaer.identity import audit
from bangyaer.jobs import enqueue
from bangyaer.web import ApiError, Body, Field, api, get_platform, read_json, require
from bangyaer.web import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import _lottery
from ._enroll import enrollment_json
from ._import import ImportRejected, import_catalogue
from ._orders import cancel_if_pending
from ._seats import SeatError, confirm_seat
from .models import Enrollment, State, Term, TrainingClass

MANAGE = "training.manage"
FREEZE_JOB = "training.freeze"
DRAW_JOB = "training.draw"
MAX_UPLOAD = 5 << 20

TERM_BODY = Body({
    "code": Field(str, max_length=32), "name": Field(str, max_length=100),
    "starts_on": Field(str, description="YYYY-MM-DD, the first day of lessons"),
    "continuing_opens_at": Field(str, description="ISO 8601 with a zone"),
    "continuing_closes_at": Field(str), "opens_at": Field(str), "closes_at": Field(str),
    "previous_term": Field(str, required=False, description="code of last term"),
})
PAYMENT_BODY = Body({"reference": Field(str, max_length=100,
                                        description="receipt number of the offline payment")})


def _when(data: dict[str, Any], name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(data[name])
    except ValueError:
        raise ApiError(422, "invalid_field", f"字段 {name} 应为 ISO 8601 时间",
                       detail={"field": name}) from None
    if value.tzinfo is None:
        raise ApiError(422, "invalid_field", f"字段 {name} 需带时区，如 +08:00",
                       detail={"field": name})
    return value.astimezone(dt.UTC)


def term_json(term: Term) -> dict[str, Any]:
    return {
        "id": term.id, "code": term.code, "name": term.name,
        "starts_on": term.starts_on.isoformat(),
        "continuing_opens_at": term.continuing_opens_at.isoformat(),
        "continuing_closes_at": term.continuing_closes_at.isoformat(),
        "opens_at": term.opens_at.isoformat(), "closes_at": term.closes_at.isoformat(),
        "seed_sha256": term.seed_sha256, "list_sha256": term.list_sha256,
        "drawn": term.drawn_at is not None,
    }


@api("Create a term with its windows; the lottery seed's SHA-256 is published at once",
     body=TERM_BODY, responses={201: "created", 409: "duplicate code"})
async def create_term(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, TERM_BODY)
    try:
        starts_on = dt.date.fromisoformat(data["starts_on"])
    except ValueError:
        raise ApiError(422, "invalid_field", "字段 starts_on 应为 YYYY-MM-DD",
                       detail={"field": "starts_on"}) from None
    times = [_when(data, n) for n in ("continuing_opens_at", "continuing_closes_at",
                                      "opens_at", "closes_at")]
    if times != sorted(times) or times[0] == times[1] or times[2] == times[3]:
        raise ApiError(422, "invalid_windows",
                       "时间应依次为：老生续报开始 < 老生续报结束 ≤ 新生报名开始 < 报名截止")
    async with get_platform(request).db.transaction() as session:
        if await session.scalar(select(Term.id).where(Term.code == data["code"])):
            raise ApiError(409, "duplicate", f"学期编号 {data['code']} 已存在")
        previous = None
        if data.get("previous_term"):
            previous = await session.scalar(
                select(Term.id).where(Term.code == data["previous_term"]))
            if previous is None:
                raise ApiError(422, "invalid_field", f"没有学期 {data['previous_term']}",
                               detail={"field": "previous_term"})
        seed, commitment = _lottery.new_seed()
        term = Term(code=data["code"], name=data["name"], starts_on=starts_on,
                    previous_term_id=previous, continuing_opens_at=times[0],
                    continuing_closes_at=times[1], opens_at=times[2], closes_at=times[3],
                    seed=seed, seed_sha256=commitment)
        session.add(term)
        await session.flush()
        await enqueue(session, FREEZE_JOB, {"term_id": term.id}, run_at=term.closes_at,
                      key=f"{FREEZE_JOB}:{term.id}")
        await audit(session, actor, "training.term_created", "training_term", term.id)
        return JSONResponse({"term": term_json(term)}, status_code=201)


@api("Terms, newest first, with their published seed hash", auth=False)
async def list_terms(request: Request) -> Response:
    async with get_platform(request).db.session() as session:
        terms = await session.scalars(select(Term).order_by(Term.starts_on.desc()))
        return JSONResponse({"terms": [term_json(t) for t in terms]})


async def _term(session: Any, term_id: int) -> Term:
    term: Term | None = await session.get(Term, term_id, with_for_update=True)
    if term is None:
        raise ApiError(404, "not_found", "没有这个学期")
    return term


@api("Import a term's catalogue from an XLSX body; nothing is imported if any row is bad",
     responses={201: "imported", 422: "rows with problems (detail.problems)"})
async def import_classes(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_UPLOAD:
            raise ApiError(413, "body_too_large", "文件超过 5 MB")
    try:
        async with get_platform(request).db.transaction() as session:
            term = await _term(session, request.path_params["id"])
            count = await import_catalogue(session, term, data)
            await audit(session, actor, "training.catalogue_imported", "training_term",
                        term.id, classes=count)
    except ImportRejected as exc:
        raise ApiError(422, "invalid_rows",
                       f"导入失败，共 {len(exc.problems)} 处问题，未导入任何班级",
                       detail={"problems": exc.problems}) from None
    return JSONResponse({"imported": count}, status_code=201)


@api("Freeze the term's lottery applications now and publish the list's SHA-256")
async def freeze_term(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    config = platform.config("training")
    async with platform.db.transaction() as session:
        term = await _term(session, request.path_params["id"])
        if utcnow() < term.closes_at:
            raise ApiError(409, "window_open", "报名尚未截止，不能封存名单")
        await _lottery.freeze(session, term, secret=platform.settings.secret_key,
                              admission_limit=int(config.get("admission_limit", 2)),
                              sibling_priority=bool(config.get("sibling_priority", True)))
        await audit(session, actor, "training.list_frozen", "training_term", term.id)
        return JSONResponse({"term": term_json(term)})


@api("Run the draw (as a job); the seed is revealed when it is done",
     responses={202: "queued", 409: "list not frozen"})
async def start_draw(request: Request) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.transaction() as session:
        term = await _term(session, request.path_params["id"])
        if term.frozen_at is None:
            raise ApiError(409, "not_frozen", "请先封存报名名单")
        await enqueue(session, DRAW_JOB, {"term_id": term.id}, key=f"{DRAW_JOB}:{term.id}")
        await audit(session, actor, "training.draw_started", "training_term", term.id)
    return JSONResponse({"queued": True}, status_code=202)


@api("The published draw: seed hash, frozen list and its hash, then seed, result, 中签率",
     auth=False)
async def published_draw(request: Request) -> Response:
    async with get_platform(request).db.session() as session:
        term = await session.get(Term, request.path_params["id"])
        if term is None:
            raise ApiError(404, "not_found", "没有这个学期")
        doc = _lottery.published(term)
    if doc["result"] is not None:
        doc["admission_rates"] = _lottery.admission_rates(doc["result"])
    return JSONResponse(doc)


@api("Mark an enrollment paid offline (audited); its online order is cancelled",
     body=PAYMENT_BODY,
     responses={404: "no such enrollment", 409: "not payable, or paid_online already"})
async def mark_paid(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, PAYMENT_BODY)
    async with get_platform(request).db.transaction() as session:
        await _close_online_order(session, request.path_params["id"])
        try:
            enrollment = await confirm_seat(session, request.path_params["id"],
                                            reference=f"offline:{data['reference']}",
                                            account_id=actor.account_id, reason="paid_offline")
        except SeatError as exc:
            raise ApiError(404 if exc.code == "not_found" else 409, exc.code,
                           exc.message) from None
        await audit(session, actor, "training.paid_offline", "training_enrollment",
                    enrollment.id, reference=data["reference"])
        klass = await session.get(TrainingClass, enrollment.class_id)
        assert klass is not None
        return JSONResponse({"enrollment": enrollment_json(enrollment, klass)})


async def _close_online_order(session: AsyncSession, enrollment_id: int) -> None:
    """Cancel the seat's pending order with the offline payment, so it cannot be paid twice."""
    enrollment = await session.get(Enrollment, enrollment_id, with_for_update=True)
    if enrollment is None or enrollment.state == State.confirmed:
        return  # confirm_seat gives the answer
    order = await cancel_if_pending(session, enrollment, reason="已线下缴费")
    if order is not None and order.status in ("paid", "refunded"):
        raise ApiError(409, "paid_online", _("该报名已在线缴费，无需线下确认"))


@api("Mark a class finished: a training.completed event for each confirmed child")
async def complete_class(request: Request) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.transaction() as session:
        klass = await session.get(TrainingClass, request.path_params["id"],
                                  with_for_update=True)
        if klass is None:
            raise ApiError(404, "not_found", "没有这个班级")
        if klass.completed_at is not None:
            raise ApiError(409, "already_completed", "该班已结课")
        klass.completed_at = utcnow()
        children = list(await session.scalars(
            select(Enrollment.child_id).where(Enrollment.class_id == klass.id,
                                              Enrollment.state == State.confirmed)))
        for child_id in children:
            await emit(session, "training.completed", subject_id=child_id,
                       actor_account_id=actor.account_id, class_id=klass.id,
                       class_name=klass.name, term_id=klass.term_id, lessons=klass.lessons)
        await audit(session, actor, "training.class_completed", "training_class", klass.id)
    return JSONResponse({"completed": len(children)})
