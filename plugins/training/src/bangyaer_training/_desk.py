"""Pages for district staff: the term's classes, a class's roster, refunding a seat there."""

from __future__ import annotations

import secrets
from typing import Any

from bangyaer.identity import Actor, audit
from bangyaer.payments import yuan_from_fen
from bangyaer.payments.models import Order, Refund
from bangyaer.web import ApiError, get_platform, render, require
from bangyaer.web import gettext as _
from sqlalchemy import func, select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ._api_refund import roster_ledger, roster_row, staff_refund
from ._api_staff import MANAGE
from ._orders import lesson_refund_fen
from ._payment_state import IN_FLIGHT
from .models import Campus, Enrollment, State, Term, TrainingClass

ONLINE = ("paid", "refunded")


async def manage_page(request: Request) -> Response:
    """Every class of one term with its seats and where its children stand."""
    await require(request, MANAGE)
    async with get_platform(request).db.session() as session:
        terms = list(await session.scalars(select(Term).order_by(Term.starts_on.desc(),
                                                                 Term.id.desc())))
        chosen = _chosen_term(terms, request.query_params.get("term", ""))
        classes = await _class_rows(session, chosen.id) if chosen else []
    return await render(request, "training/manage.html", {
        "terms": terms, "term": chosen, "classes": classes})


def _chosen_term(terms: list[Term], asked: str) -> Term | None:
    for term in terms:
        if str(term.id) == asked:
            return term
    return terms[0] if terms else None


async def _class_rows(session: Any, term_id: int) -> list[dict[str, Any]]:
    counts: dict[tuple[int, str], int] = {
        (class_id, str(state)): n for class_id, state, n in await session.execute(
            select(Enrollment.class_id, Enrollment.state, func.count())
            .where(Enrollment.term_id == term_id)
            .group_by(Enrollment.class_id, Enrollment.state))}
    rows = await session.execute(
        select(TrainingClass, Campus.name).join(Campus, Campus.id == TrainingClass.campus_id)
        .where(TrainingClass.term_id == term_id)
        .order_by(Campus.name, TrainingClass.code))
    return [{
        "id": k.id, "code": k.code, "name": k.name, "campus": campus, "mode": str(k.mode),
        "taken": k.taken, "capacity": k.capacity,
        "awaiting": counts.get((k.id, State.admitted), 0)
        + counts.get((k.id, State.awaiting_payment), 0),
        "confirmed": counts.get((k.id, State.confirmed), 0),
        "waiting": counts.get((k.id, State.waitlisted), 0),
    } for k, campus in rows]


async def roster_page(request: Request) -> Response:
    """Staff: who is on a class and where each child stands with payment (audited)."""
    actor = await require(request, MANAGE)
    return await _render_roster(request, actor, request.path_params["id"])


async def _render_roster(request: Request, actor: Actor, class_id: int,
                         failed: dict[str, Any] | None = None, status: int = 200) -> Response:
    done = request.query_params.get("refunded", "") if failed is None else ""
    async with get_platform(request).db.transaction() as session:
        try:
            klass, ledger_rows, orders, refunds = await roster_ledger(session, class_id)
        except ApiError:
            raise HTTPException(404) from None
        await audit(session, actor, "training.roster_viewed", "training_class", klass.id)
    rows, confirmation = [], None
    for e, name in ledger_rows:
        row = roster_row(e, name, klass, orders, refunds)
        row["refund_form"] = None
        order = orders.get(e.order_no) if e.order_no else None
        if order is not None and order.status in ONLINE:
            given = refunds.get(order.id, [])
            kept = failed if failed and failed["enrollment_id"] == e.id else None
            row["refund_form"] = _refund_form(order, given, klass.lessons, kept)
            failed = None if kept else failed
            for r in given:
                if done and r.refund_no == done:
                    confirmation = _("已为 %(name)s 提交退费 ¥%(amount)s（退费单号 %(no)s），"
                                     "款项将原路退回", name=name,
                                     amount=yuan_from_fen(r.amount_fen), no=r.refund_no)
        rows.append(row)
    return await render(request, "training/roster.html", {
        "klass": klass, "rows": rows, "confirmation": confirmation,
        # A refusal for a seat without a form (say, paid at the counter) goes at the top.
        "error": failed["error"] if failed else None}, status_code=status)


def _refund_form(order: Order, refunds: list[Refund], lessons: int,
                 kept: dict[str, Any] | None) -> dict[str, Any]:
    """What the form shows; the amounts only inform, the refund itself checks again."""
    # The same sum as refund_asked_fen, over the refunds the roster already read.
    asked = sum(r.amount_fen for r in refunds if r.status != "failed")
    form: dict[str, Any] = {
            "paid_fen": order.amount_fen, "asked_fen": asked, "lessons": lessons,
            "mode": "by_lessons", "lessons_attended": "0", "reason": "", "error": None,
            "field": None, "in_flight": any(r.status in IN_FLIGHT for r in refunds),
            # A fresh key for every rendering: a refused form sent again is a new request.
            "key": secrets.token_urlsafe(16)}
    if kept is not None:
        form.update({k: kept[k] for k in ("mode", "lessons_attended", "reason", "error",
                                          "field")})
    form["full_fen"] = max(order.amount_fen - asked, 0)
    try:
        attended = int(str(form["lessons_attended"]))
        due = lesson_refund_fen(order.amount_fen, lessons, attended)
        form["by_lessons_fen"] = max(due - asked, 0)
    except ValueError:
        form["by_lessons_fen"] = None
    form.update({f"{k}_yuan": None if form[f"{k}_fen"] is None else yuan_from_fen(form[f"{k}_fen"])
                 for k in ("paid", "asked", "full", "by_lessons")})
    return form


async def refund_form(request: Request) -> Response:
    """The roster's refund form: the API's refund, keyed by the form's hidden field."""
    actor = await require(request, MANAGE)
    enrollment_id: int = request.path_params["id"]
    async with get_platform(request).db.session() as session:
        class_id = await session.scalar(
            select(Enrollment.class_id).where(Enrollment.id == enrollment_id))
    if class_id is None:
        raise HTTPException(404)
    form = await request.form()
    kept = _kept(form, enrollment_id)
    try:
        data, key = _refund_data(form)
        status, body, _replayed = await staff_refund(
            get_platform(request), actor, enrollment_id, data, key,
            f"POST /training/enrollments/{enrollment_id}/refund")
    except ApiError as exc:
        status, body = exc.status, {"error": {"message": exc.message,
                                              "detail": exc.detail or {}}}
    if status < 400:
        no = body["refund"]["refund_no"]
        return RedirectResponse(f"/training/classes/{class_id}/roster?refunded={no}#done",
                                status_code=303)
    error = body["error"]
    kept.update(error=error["message"], field=(error.get("detail") or {}).get("field"))
    return await _render_roster(request, actor, class_id, failed=kept, status=status)


def _kept(form: FormData, enrollment_id: int) -> dict[str, Any]:
    mode = str(form.get("mode", ""))
    return {"enrollment_id": enrollment_id,
            "mode": mode if mode in ("full", "by_lessons") else "by_lessons",
            "lessons_attended": str(form.get("lessons_attended", "")).strip()[:10],
            "reason": str(form.get("reason", ""))[:200], "error": None, "field": None}


def _refund_data(form: FormData) -> tuple[dict[str, Any], str]:
    key = str(form.get("idempotency_key", "")).strip()
    if not key or len(key) > 60:
        raise ApiError(400, "invalid_form", _("页面已过期，请刷新后重试"))
    reason = str(form.get("reason", ""))
    if len(reason) > 200:
        raise ApiError(422, "invalid_field", _("退费原因最多 200 个字"),
                       detail={"field": "reason"})
    mode = str(form.get("mode", ""))
    data: dict[str, Any] = {"reason": reason, "mode": mode}
    if mode == "by_lessons":
        raw = str(form.get("lessons_attended", "")).strip()
        if raw:
            try:
                data["lessons_attended"] = int(raw)
            except ValueError:
                raise ApiError(422, "invalid_field", _("已上课时数应为整数"),
                               detail={"field": "lessons_attended"}) from None
    # The form's key lives apart from API keys the same account may send.
    return data, f"form:{key}"
