"""Family JSON endpoints: browse courses, read a lesson, report progress, finish a lesson."""

from __future__ import annotations

from bangyaer.identity.years import year_of
from bangyaer.web import api, get_actor, get_platform, read_json, require_child
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import _courses, _progress
from ._input import PROGRESS_BODY
from ._json import course_json, lesson_json


@api("Published courses (staff: all with ?drafts=1); those suited to the acting child's "
     "grade first (filters: q, category)", auth=False)
async def list_courses(request: Request) -> Response:
    actor = await get_actor(request)
    drafts = request.query_params.get("drafts") == "1" and _courses.can_manage(actor)
    async with get_platform(request).db.session() as session:
        found = await _courses.browse(
            session, query=request.query_params.get("q", "").strip()[:60],
            category=request.query_params.get("category", "").strip()[:32],
            year=year_of(actor.acting_child), include_drafts=drafts)
    return JSONResponse({"courses": [course_json(x.course, x.lesson_count, suited=x.suited)
                                     for x in found]})


@api("One course with its lessons, and the acting child's progress in each", auth=False)
async def get_course(request: Request) -> Response:
    actor = await get_actor(request)
    child = actor.acting_child
    async with get_platform(request).db.session() as session:
        course = await _courses.visible_course(session, actor,
                                               int(request.path_params["course_id"]))
        lessons = await _courses.lessons_of(session, course.id)
        progress = await _progress.progress_of(session, child.id, course.id) if child else {}
        done = await _progress.completed(session, child.id, course.id) if child else False
    return JSONResponse({"course": {
        **course_json(course, len(lessons)), "completed": done,
        "lessons": [lesson_json(x, progress.get(x.id)) for x in lessons]}})


@api("One lesson with its text, documents and the acting child's progress", auth=False)
async def get_lesson(request: Request) -> Response:
    actor = await get_actor(request)
    child = actor.acting_child
    async with get_platform(request).db.session() as session:
        lesson, _ = await _courses.visible_lesson(session, actor,
                                                  int(request.path_params["lesson_id"]))
        docs = await _courses.documents_of(session, lesson.id)
        progress = (await _progress.progress_of(session, child.id, lesson.course_id)
                    if child else {})
    return JSONResponse({"lesson": lesson_json(lesson, progress.get(lesson.id), docs)})


async def _report(request: Request, *, finished: bool) -> Response:
    _, child = await require_child(request)
    data = await read_json(request, PROGRESS_BODY) if not finished else {}
    actor = await get_actor(request)
    async with get_platform(request).db.transaction() as session:
        lesson, course = await _courses.visible_lesson(
            session, actor, int(request.path_params["lesson_id"]))
        outcome = await _progress.report(
            session, child, lesson, course, position=data.get("position", 0),
            duration=data.get("duration", 0), finished=finished)
    return JSONResponse({"progress": {
        "position": outcome.position, "duration": outcome.duration,
        "completed": outcome.lesson_completed, "course_completed": outcome.course_completed}})


@api("Report how far the acting child has watched (position never goes backwards)",
     body=PROGRESS_BODY)
async def report_progress(request: Request) -> Response:
    return await _report(request, finished=False)


@api("Mark a text or link lesson as finished by the acting child")
async def finish_lesson(request: Request) -> Response:
    return await _report(request, finished=True)


routes = [
    Route("/courses", list_courses, methods=["GET"], name="courses"),
    Route("/courses/{course_id:int}", get_course, methods=["GET"], name="course"),
    Route("/lessons/{lesson_id:int}", get_lesson, methods=["GET"], name="lesson"),
    Route("/lessons/{lesson_id:int}/progress", report_progress, methods=["POST"],
          name="progress"),
    Route("/lessons/{lesson_id:int}/finish", finish_lesson, methods=["POST"], name="finish"),
]
