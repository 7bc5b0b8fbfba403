"""Pages for families on phones: the catalogue, a club (apply there), my clubs."""

from __future__ import annotations

from bangyaer.db import utcnow
from bangyaer.identity.years import span_name
from bangyaer.web import ApiError, get_actor, get_platform, render, require_child
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _queries, _service
from ._access import is_runner
from .models import STATUS_TITLES, Application, Club


async def catalogue(request: Request) -> Response:
    actor = await get_actor(request)
    category = request.query_params.get("category", "")
    async with get_platform(request).db.session() as session:
        clubs = await _queries.catalogue(session, category, actor.acting_child)
        categories = await _queries.categories(session)
    return await render(request, "clubs/catalogue.html", {
        "clubs": clubs, "categories": categories, "category": category,
        "span_name": span_name, "runner": is_runner(actor)})


async def club_page(request: Request) -> Response:
    actor = await get_actor(request)
    club_id: int = request.path_params["club_id"]
    outcome: Application | None = None
    error: ApiError | None = None
    status = 200
    if request.method == "POST":
        actor, child = await require_child(request)
        form = await request.form()
        async with get_platform(request).db.session() as session:
            found_round = await _service.open_round(session, club_id, utcnow())
        count = len(found_round.questions) if found_round else 0
        answers = [str(form.get(f"answer_{i}", "")) for i in range(count)]
        try:
            async with get_platform(request).db.transaction() as session:
                club = await session.get(Club, club_id)
                if club is None:
                    raise HTTPException(404)
                outcome, _ = await _service.apply(session, actor, club, child, answers)
        except ApiError as exc:
            error, status = exc, exc.status
    async with get_platform(request).db.session() as session:
        club = await session.get(Club, club_id)
        if club is None or not club.active:
            raise HTTPException(404, "社团不存在或已停办")
        detail = await _queries.club_detail(session, club)
        child = actor.acting_child
        if child is not None and outcome is None and detail.round is not None:
            outcome = await session.scalar(select(Application).where(
                Application.round_id == detail.round.id, Application.child_id == child.id))
        member = (await _service.active_membership(session, club.id, child.id)
                  if child is not None else None)
    return await render(request, "clubs/club.html", {
        "club": club, "detail": detail, "outcome": outcome, "error": error,
        "member": member, "years": span_name(club.year_min, club.year_max),
        "status_titles": STATUS_TITLES}, status_code=status)


async def mine(request: Request) -> Response:
    _, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        found = await _queries.mine(session, child.id)
    return await render(request, "clubs/mine.html", {
        "found": found, "status_titles": STATUS_TITLES})


routes = [
    Route("/", catalogue, name="catalogue"),
    Route("/mine", mine, name="mine"),
    Route("/{club_id:int}", club_page, methods=["GET", "POST"], name="club"),
]
