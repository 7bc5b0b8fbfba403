"""Pages: the pioneer's brigade and activities for families, the review list for counsellors."""

from __future__ import annotations

from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Organisation, Person
from bangyaer.storage import BlobNotFound
from bangyaer.web import ApiError, get_platform, render, require_actor, require_child
from bangyaer.web import gettext as _
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from . import _activities, _badges
from ._access import reach_of
from ._api_family import receive_photo, submit
from .models import Activity, News, State, Submission

# Not yet: pages for opening activities, posting brigade news, appointing
# counsellors and awarding badges; acceptable because the JSON API does all
# four and the review, the daily task, has its page.
NEWS_ON_PAGE = 5
REVIEW_PAGE = 50


async def index(request: Request) -> Response:
    actor = await require_actor(request)
    child = actor.acting_child
    ctx: dict[str, Any] = {"child": child, "news": [], "activities": [], "orgs": {}}
    async with get_platform(request).db.session() as session:
        ctx["is_counsellor"] = bool(await reach_of(session, actor))
        if child is not None:
            ids = [i for i in (child.school_id, child.class_id) if i is not None]
            orgs = await session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
            ctx["orgs"] = {o.id: o.name for o in orgs}
            ctx["news"] = list(await session.scalars(
                select(News).where(News.school_id == child.school_id)
                .order_by(News.published_at.desc()).limit(NEWS_ON_PAGE)))
            now = utcnow()
            ctx["activities"] = [
                (_activities.activity_json(a, now), _activities.submission_json(s) if s else None)
                for a, s in await _activities.for_child(session, child)]
    return await render(request, "pioneers/index.html", ctx)


async def _activity_page(request: Request, outcome: str = "", error: ApiError | None = None
                         ) -> Response:
    _actor, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        activity = await session.get(Activity, request.path_params["id"])
        if activity is None or not _activities.reaches(activity, child):
            raise HTTPException(404, "没有这个活动")
        sub = await _activities.mine(session, activity.id, child.id)
    info = _activities.activity_json(activity, utcnow())
    mine = _activities.submission_json(sub) if sub else None
    may_hand_in = info["phase"] == "open" and (mine is None or mine["state"] != State.approved)
    return await render(request, "pioneers/activity.html", {
        "a": info, "activity": activity, "mine": mine, "may_hand_in": may_hand_in,
        "outcome": outcome, "error": error}, status_code=error.status if error else 200)


async def activity_page(request: Request) -> Response:
    if request.method == "GET":
        return await _activity_page(request)
    actor, child = await require_child(request)
    form = await request.form()
    text = form.get("text", "")
    try:
        await submit(request, actor, child, request.path_params["id"],
                     text=text if isinstance(text, str) else "")
    except ApiError as exc:
        return await _activity_page(request, error=exc)
    return await _activity_page(request, outcome=_("已提交，等待辅导员审核"))


async def photo_upload(request: Request) -> Response:
    actor, child = await require_child(request)
    try:
        photo = await receive_photo(request, request.path_params["id"], child)
        await submit(request, actor, child, request.path_params["id"], photo=photo)
    except ApiError as exc:
        return await _activity_page(request, error=exc)
    return await _activity_page(request, outcome=_("照片已提交，等待辅导员审核"))


async def pioneer_page(request: Request) -> Response:
    """The pioneer's own page: badges earned and everything handed in."""
    _actor, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        earned = await _badges.awards_of(session, child.id)
        badges = await _badges.all_badges(session)
        rows = await _activities.for_child(session, child)
    now = utcnow()
    history = [(_activities.activity_json(a, now), _activities.submission_json(s))
               for a, s in rows if s is not None]
    earned_ids = {b["id"] for b in earned}
    return await render(request, "pioneers/me.html", {
        "earned": earned, "history": history,
        "to_earn": [_badges.badge_json(b) for b in badges if b.id not in earned_ids]})


async def photo(request: Request) -> Response:
    """A handed-in photo, for the child's guardians and the counsellors who reach them."""
    actor = await require_actor(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        sub = await session.get(Submission, request.path_params["id"])
        if sub is None or sub.photo_sha256 is None:
            raise HTTPException(404, "没有这张照片")
        if not actor.is_guardian_of(sub.child_id) and \
                not (await reach_of(session, actor)).covers(sub.org_path):
            raise HTTPException(403, "没有权限查看这张照片")
    try:
        size = await platform.blobs.size(sub.photo_sha256)
    except BlobNotFound:
        raise HTTPException(404, "照片文件已丢失") from None
    return StreamingResponse(platform.blobs.open(sub.photo_sha256),
                             media_type=sub.photo_type or "application/octet-stream",
                             headers={"Content-Length": str(size),
                                      "Cache-Control": "private, max-age=3600",
                                      "X-Content-Type-Options": "nosniff"})


async def review_page(request: Request) -> Response:
    """Hand-ins waiting for this counsellor, oldest first, each with approve and return."""
    actor = await require_actor(request)
    async with get_platform(request).db.session() as session:
        reach = await reach_of(session, actor)
        if not reach:
            raise HTTPException(403, "您还不是任何大队或中队的辅导员")
        rows = await session.execute(
            select(Submission, Activity.title, Person.name)
            .join(Activity, Activity.id == Submission.activity_id)
            .join(Person, Person.id == Submission.child_id)
            .where(Submission.state == State.submitted, reach.where(Submission.org_path))
            .order_by(Submission.submitted_at, Submission.id).limit(REVIEW_PAGE))
        pending = [(_activities.submission_json(s), title, name) for s, title, name in rows]
    return await render(request, "pioneers/review.html", {
        "pending": pending, "done": request.query_params.get("done") == "1"})


async def review_post(request: Request) -> Response:
    actor = await require_actor(request)
    form = await request.form()
    comment = form.get("comment", "")
    async with get_platform(request).db.transaction() as session:
        reach = await reach_of(session, actor)
        sub = await session.get(Submission, request.path_params["id"])
        if sub is None:
            raise HTTPException(404, "没有这份提交")
        try:
            await _activities.review(session, actor, reach, sub,
                                     approve=form.get("decision") == "approve",
                                     comment=comment if isinstance(comment, str) else "")
        except ApiError as exc:
            raise HTTPException(exc.status, exc.message) from None
    return RedirectResponse("/pioneers/review?done=1", status_code=303)
