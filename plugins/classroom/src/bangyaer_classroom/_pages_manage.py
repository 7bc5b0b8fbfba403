"""Staff pages: every course with its state, and one course's lessons to publish and order.

Editing fields and uploading files go through the JSON API; these pages
cover what staff do most: check, order, publish and take back.
"""

from __future__ import annotations

from bangyaer.identity import Actor
from bangyaer.identity.years import span_name
from bangyaer.web import ApiError, get_platform, render, require
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ._api_staff import move_lesson, set_published
from ._courses import MANAGE, lessons_of
from .models import Course


async def courses(request: Request) -> Response:
    await require(request, MANAGE)
    async with get_platform(request).db.session() as session:
        found = list(await session.scalars(select(Course).order_by(Course.id.desc())))
    return await render(request, "classroom/manage/list.html", {
        "courses": found, "span_name": span_name})


async def _apply(request: Request, actor: Actor, course_id: int) -> None:
    form = await request.form()
    action = str(form.get("action", ""))
    async with get_platform(request).db.transaction() as session:
        course = await session.get(Course, course_id)
        if course is None:
            raise ApiError(404, "not_found", "课程不存在")
        if action in ("publish", "unpublish"):
            await set_published(session, actor, course, action == "publish")
        elif action in ("up", "down"):
            raw = str(form.get("lesson", ""))
            if not (raw.isascii() and raw.isdigit()):
                raise ApiError(422, "invalid_field", "请选择课时")
            await move_lesson(session, actor, course, int(raw), -1 if action == "up" else 1)
        else:
            raise ApiError(400, "unknown_action", "未知的操作")


async def course(request: Request) -> Response:
    actor = await require(request, MANAGE)
    course_id: int = request.path_params["course_id"]
    error: ApiError | None = None
    if request.method == "POST":
        try:
            await _apply(request, actor, course_id)
            return RedirectResponse(f"/classroom/manage/{course_id}", status_code=303)
        except ApiError as exc:
            error = exc
    async with get_platform(request).db.session() as session:
        found = await session.get(Course, course_id)
        if found is None:
            raise HTTPException(404, "课程不存在")
        lessons = await lessons_of(session, course_id)
    return await render(request, "classroom/manage/course.html", {
        "course": found, "lessons": lessons, "error": error,
        "years": span_name(found.year_min, found.year_max)},
        status_code=error.status if error else 200)


routes = [
    Route("/manage", courses, name="manage"),
    Route("/manage/{course_id:int}", course, methods=["GET", "POST"], name="manage_course"),
]
