"""JSON for families: the acting child's activities, hand-ins and badges."""

from __future__ import annotations

from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Actor, Person
from bangyaer.web import (
    ApiError,
    Body,
    Field,
    api,
    get_platform,
    read_json,
    require_child,
    single_file,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import _activities, _badges
from ._common import config
from ._photos import Photo, store_photo

HAND_IN_BODY = Body({"text": Field(str, required=False, max_length=_activities.TEXT_LIMIT)})


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("multipart/form-data")


async def submit(request: Request, actor: Actor, child: Person, activity_id: int,
                 *, text: str = "", photo: Photo | None = None) -> dict[str, Any]:
    """Hand in for ``child``; the submission as JSON."""
    async with get_platform(request).db.transaction() as session:
        activity = await _activities.load_activity(session, activity_id)
        sub = await _activities.hand_in(
            session, activity, child, actor.person.id if actor.person else None,
            text=text, photo=photo)
        return _activities.submission_json(sub)


async def receive_photo(request: Request, activity_id: int, child: Person) -> Photo:
    # Looked at before the upload is read: a closed or foreign activity is
    # refused without storing a single byte of the photo.
    async with get_platform(request).db.session() as session:
        activity = await _activities.load_activity(session, activity_id)
        if not _activities.reaches(activity, child):
            raise ApiError(404, "not_found", "没有这个活动")
        if _activities.phase(activity, utcnow()) != "open":
            raise ApiError(409, "activity_closed", "活动不在提交时间内")
    upload = await single_file(request, field="photo")
    return await store_photo(get_platform(request), upload.chunks,
                             int(config(request)["photo_max_bytes"]))


@api("The acting child's activities, each with what was handed in and how it was reviewed")
async def my_activities(request: Request) -> Response:
    _, child = await require_child(request)
    now = utcnow()
    async with get_platform(request).db.session() as session:
        rows = await _activities.for_child(session, child)
    return JSONResponse({"activities": [{
        **_activities.activity_json(a, now),
        "submission": _activities.submission_json(s) if s else None} for a, s in rows]})


@api("Hand in for an activity: JSON {text} for a text or check-in, multipart 'photo' for "
     "a photo (CSRF token in ?csrf_token=)", body=HAND_IN_BODY,
     responses={201: "handed in", 409: "window closed or already approved",
                413: "photo too large", 422: "wrong content for the activity"})
async def hand_in(request: Request) -> Response:
    actor, child = await require_child(request)
    activity_id: int = request.path_params["id"]
    if is_multipart(request):
        photo = await receive_photo(request, activity_id, child)
        out = await submit(request, actor, child, activity_id, photo=photo)
    else:
        data = await read_json(request, HAND_IN_BODY)
        out = await submit(request, actor, child, activity_id, text=data.get("text", ""))
    return JSONResponse(out, status_code=201)


@api("The badges the acting child has earned")
async def my_badges(request: Request) -> Response:
    _, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        earned = await _badges.awards_of(session, child.id)
    return JSONResponse({"badges": earned})
