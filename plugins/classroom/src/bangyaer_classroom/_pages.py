"""Pages for families on phones: browse, a course, watch a lesson, my courses; the files."""

from __future__ import annotations

from bangyaer.identity.years import span_name, year_name, year_of
from bangyaer.web import (
    ApiError,
    get_actor,
    get_platform,
    render,
    require_actor,
    require_child,
    stream_blob,
)
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from . import _courses, _progress
from .models import Completion, Course, Document, LessonKind, Progress


def _page_error(exc: ApiError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


async def catalogue(request: Request) -> Response:
    actor = await get_actor(request)
    query = request.query_params.get("q", "").strip()[:60]
    category = request.query_params.get("category", "").strip()[:32]
    year = year_of(actor.acting_child)
    async with get_platform(request).db.session() as session:
        found = await _courses.browse(session, query=query, category=category, year=year)
        categories = await _courses.categories(session)
    return await render(request, "classroom/catalogue.html", {
        "listings": found, "categories": categories, "query": query, "category": category,
        "year_title": year_name(year) if year is not None else None, "span_name": span_name,
    })


async def course_page(request: Request) -> Response:
    actor = await get_actor(request)
    child = actor.acting_child
    async with get_platform(request).db.session() as session:
        try:
            course = await _courses.visible_course(session, actor,
                                                   request.path_params["course_id"])
        except ApiError as exc:
            raise _page_error(exc) from None
        lessons = await _courses.lessons_of(session, course.id)
        progress = await _progress.progress_of(session, child.id, course.id) if child else {}
        done = await _progress.completed(session, child.id, course.id) if child else False
    return await render(request, "classroom/course.html", {
        "course": course, "lessons": lessons, "progress": progress, "completed": done,
        "years": span_name(course.year_min, course.year_max),
    })


async def lesson_page(request: Request) -> Response:
    actor = await get_actor(request)
    child = actor.acting_child
    async with get_platform(request).db.session() as session:
        try:
            lesson, course = await _courses.visible_lesson(session, actor,
                                                            request.path_params["lesson_id"])
        except ApiError as exc:
            raise _page_error(exc) from None
        lessons = await _courses.lessons_of(session, course.id)
        docs = await _courses.documents_of(session, lesson.id)
        progress = (await _progress.progress_of(session, child.id, course.id)).get(lesson.id) \
            if child else None
    ids = [x.id for x in lessons]
    at = ids.index(lesson.id)
    return await render(request, "classroom/lesson.html", {
        "course": course, "lesson": lesson, "documents": docs, "progress": progress,
        "previous": lessons[at - 1] if at > 0 else None,
        "next": lessons[at + 1] if at + 1 < len(lessons) else None,
        "number": at + 1, "total": len(lessons), "kinds": LessonKind,
    })


async def finish_page(request: Request) -> Response:
    """The no-script way to finish a text or link lesson: a form post."""
    actor, child = await require_child(request)
    lesson_id = request.path_params["lesson_id"]
    async with get_platform(request).db.transaction() as session:
        try:
            lesson, course = await _courses.visible_lesson(session, actor, lesson_id)
        except ApiError as exc:
            raise _page_error(exc) from None
        await _progress.report(session, child, lesson, course, position=0, finished=True)
    return RedirectResponse(f"/classroom/lessons/{lesson_id}?finished=1", status_code=303)


async def video(request: Request) -> Response:
    # Signed-in only: keeps the district's bandwidth for its own families.
    actor = await require_actor(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        lesson, _ = await _courses.visible_lesson(session, actor,
                                                  request.path_params["lesson_id"])
    if lesson.kind != LessonKind.video or not lesson.video_sha256:
        raise ApiError(404, "not_found", "此课时没有视频")
    return await stream_blob(request, platform, lesson.video_sha256,
                             lesson.video_type or "application/octet-stream")


async def document(request: Request) -> Response:
    actor = await require_actor(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        doc = await session.get(Document, request.path_params["document_id"])
        if doc is None:
            raise ApiError(404, "not_found", "文件不存在或已删除")
        await _courses.visible_lesson(session, actor, doc.lesson_id)
    return await stream_blob(request, platform, doc.sha256, "application/pdf",
                             disposition=_disposition(doc.name))


def _disposition(name: str) -> str:
    from urllib.parse import quote

    fallback = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in name)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def mine(request: Request) -> Response:
    _, child = await require_child(request)
    async with get_platform(request).db.session() as session:
        started = (await session.execute(
            select(Course, Progress.lesson_id, Progress.completed_at)
            .join(Progress, Progress.course_id == Course.id)
            .where(Progress.child_id == child.id, Course.published.is_(True))
            .order_by(Progress.updated_at.desc()))).all()
        finished = set(await session.scalars(
            select(Completion.course_id).where(Completion.child_id == child.id)))
    courses: dict[int, dict[str, object]] = {}
    for course, _, completed_at in started:
        entry = courses.setdefault(course.id, {"course": course, "done": 0, "started": 0})
        entry["started"] = int(entry["started"]) + 1  # type: ignore[call-overload]
        if completed_at is not None:
            entry["done"] = int(entry["done"]) + 1  # type: ignore[call-overload]
    return await render(request, "classroom/mine.html", {
        "courses": list(courses.values()), "finished": finished})


routes = [
    Route("/", catalogue, name="catalogue"),
    Route("/mine", mine, name="mine"),
    Route("/courses/{course_id:int}", course_page, name="course"),
    Route("/lessons/{lesson_id:int}", lesson_page, name="lesson"),
    Route("/lessons/{lesson_id:int}/finish", finish_page, methods=["POST"], name="finish"),
    Route("/lessons/{lesson_id:int}/video", video, methods=["GET", "HEAD"], name="video"),
    Route("/documents/{document_id:int}", document, methods=["GET", "HEAD"], name="document"),
]
