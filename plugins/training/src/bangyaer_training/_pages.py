"""Pages for families on phones: the catalogue, one class (enroll or apply), my classes."""

from __future__ import annotations

from bangyaer.db import utcnow
from bangyaer.web import ApiError, get_actor, get_platform, render, require_child
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from . import _catalogue
from ._api_family import filters_of, limits, with_payments
from ._enroll import enrollment_json, request_place
from .models import Enrollment, TrainingClass


async def catalogue(request: Request) -> Response:
    actor = await get_actor(request)
    try:
        filters = filters_of(request)
    except ApiError as exc:
        raise HTTPException(400, exc.message) from None
    async with get_platform(request).db.session() as session:
        classes = await _catalogue.list_classes(session, filters, actor.acting_child)
        categories = await _catalogue.categories(session)
        campuses = await _catalogue.campuses(session)
    return await render(request, "training/catalogue.html", {
        "classes": classes, "categories": categories, "campuses": campuses,
        "filters": filters,
    })


async def class_page(request: Request) -> Response:
    actor = await get_actor(request)
    class_id: int = request.path_params["id"]
    outcome: dict[str, object] | None = None
    error: ApiError | None = None
    status = 200
    if request.method == "POST":
        actor, child = await require_child(request)
        form = await request.form()
        try:
            async with get_platform(request).db.transaction() as session:
                row, klass = await request_place(
                    session, class_id=class_id, child=child,
                    guardian_id=actor.person.id if actor.person else None,
                    account_id=actor.account_id, waitlist=form.get("waitlist") == "1",
                    limits=limits(request))
                outcome = enrollment_json(row, klass)
        except ApiError as exc:
            error, status = exc, exc.status
    async with get_platform(request).db.session() as session:
        found = await _catalogue.one_class(session, class_id)
        if found is None:
            raise HTTPException(404)
        info = _catalogue.class_json(*found, utcnow(), actor.acting_child)
    return await render(request, "training/class.html", {
        "c": info, "outcome": outcome, "error": error,
    }, status_code=status)


# Not yet: a withdraw button on this page; acceptable because families can withdraw
# through DELETE /api/v1/training/enrollments/{id}, and the page lists every state.
async def mine(request: Request) -> Response:
    _, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        rows = (await session.execute(
            select(Enrollment, TrainingClass)
            .join(TrainingClass, TrainingClass.id == Enrollment.class_id)
            .where(Enrollment.child_id == child.id)
            .order_by(Enrollment.term_id.desc(), Enrollment.id)))
        enrollments = await with_payments(session, list(rows))
    return await render(request, "training/mine.html", {"enrollments": enrollments})
