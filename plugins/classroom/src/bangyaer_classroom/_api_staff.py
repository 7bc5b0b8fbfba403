"""Staff JSON endpoints: create and edit courses, arrange lessons, upload files, publish."""

from __future__ import annotations

from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError, api, get_platform, read_json, require, single_file
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import _input
from ._courses import MANAGE, documents_of, lessons_of
from ._json import course_json, lesson_json
from ._media import DOCUMENT_KINDS, VIDEO_KINDS, store_upload
from .models import Course, Document, Lesson, LessonKind


async def _course(session: AsyncSession, request: Request) -> Course:
    course = await session.get(Course, int(request.path_params["course_id"]))
    if course is None:
        raise ApiError(404, "not_found", "课程不存在")
    return course


async def _lesson(session: AsyncSession, request: Request) -> Lesson:
    lesson = await session.get(Lesson, int(request.path_params["lesson_id"]))
    if lesson is None:
        raise ApiError(404, "not_found", "课时不存在")
    return lesson


async def _full(session: AsyncSession, course: Course) -> dict[str, Any]:
    lessons = await lessons_of(session, course.id)
    return {**course_json(course, len(lessons)),
            "lessons": [lesson_json(x) for x in lessons]}


@api("Create an unpublished course", body=_input.COURSE_BODY, responses={201: "Created"})
async def create_course(request: Request) -> Response:
    actor = await require(request, MANAGE)
    fields = _input.course_fields(await read_json(request, _input.COURSE_BODY), creating=True)
    course = Course(created_by=actor.account_id, **fields)
    _input.check_years(course.year_min or 1, course.year_max or 9)
    async with get_platform(request).db.transaction() as session:
        session.add(course)
        await session.flush()
        await audit(session, actor, "classroom.course_created", "classroom_course", course.id)
        return JSONResponse({"course": await _full(session, course)}, status_code=201)


@api("Change a course's fields (those sent)", body=_input.COURSE_BODY)
async def update_course(request: Request) -> Response:
    actor = await require(request, MANAGE)
    fields = _input.course_fields(await read_json(request, _input.COURSE_BODY), creating=False)
    async with get_platform(request).db.transaction() as session:
        course = await _course(session, request)
        _input.check_years(fields.get("year_min", course.year_min),
                           fields.get("year_max", course.year_max))
        for name, value in fields.items():
            setattr(course, name, value)
        await audit(session, actor, "classroom.course_updated", "classroom_course", course.id)
        return JSONResponse({"course": await _full(session, course)})


async def set_published(session: AsyncSession, actor: Actor, course: Course,
                        published: bool) -> None:
    """Publish or take back a course; a course without lessons is not published."""
    if published and not await lessons_of(session, course.id):
        raise ApiError(409, "no_lessons", "课程还没有课时，添加课时后才能发布")
    course.published = published
    if published and course.published_at is None:
        course.published_at = utcnow()
    action = "classroom.course_published" if published else "classroom.course_unpublished"
    await audit(session, actor, action, "classroom_course", course.id)


async def move_lesson(session: AsyncSession, actor: Actor, course: Course, lesson_id: int,
                      step: int) -> None:
    """Swap a lesson with its neighbour (step -1: earlier, +1: later)."""
    lessons = await lessons_of(session, course.id)
    at = next((i for i, x in enumerate(lessons) if x.id == lesson_id), None)
    if at is None:
        raise ApiError(404, "not_found", "课时不存在")
    other = at + step
    if 0 <= other < len(lessons):
        lessons[at], lessons[other] = lessons[other], lessons[at]
    for position, lesson in enumerate(lessons, start=1):
        lesson.position = position
    await audit(session, actor, "classroom.lessons_ordered", "classroom_course", course.id)


async def _set_published(request: Request, published: bool) -> Response:
    actor = await require(request, MANAGE)
    async with get_platform(request).db.transaction() as session:
        course = await _course(session, request)
        await set_published(session, actor, course, published)
        return JSONResponse({"course": await _full(session, course)})


@api("Publish a course: families can find and watch it", responses={409: "No lessons"})
async def publish_course(request: Request) -> Response:
    return await _set_published(request, True)


@api("Take a course back: families get 404 for it and its lessons")
async def unpublish_course(request: Request) -> Response:
    return await _set_published(request, False)


@api("Add a lesson at the end of a course", body=_input.LESSON_BODY,
     responses={201: "Created"})
async def add_lesson(request: Request) -> Response:
    actor = await require(request, MANAGE)
    fields = _input.lesson_fields(await read_json(request, _input.LESSON_BODY), creating=True)
    _input.check_lesson(fields["kind"], fields.get("external_url", ""), fields.get("body", ""))
    async with get_platform(request).db.transaction() as session:
        course = await _course(session, request)
        last = await session.scalar(select(func.max(Lesson.position))
                                    .where(Lesson.course_id == course.id))
        lesson = Lesson(course_id=course.id, position=(last or 0) + 1, **fields)
        session.add(lesson)
        await session.flush()
        await audit(session, actor, "classroom.lesson_added", "classroom_lesson", lesson.id)
        return JSONResponse({"lesson": lesson_json(lesson, documents=[])}, status_code=201)


@api("Change a lesson's fields (those sent)", body=_input.LESSON_BODY)
async def update_lesson(request: Request) -> Response:
    actor = await require(request, MANAGE)
    fields = _input.lesson_fields(await read_json(request, _input.LESSON_BODY), creating=False)
    async with get_platform(request).db.transaction() as session:
        lesson = await _lesson(session, request)
        for name, value in fields.items():
            setattr(lesson, name, value)
        _input.check_lesson(lesson.kind, lesson.external_url, lesson.body)
        await audit(session, actor, "classroom.lesson_updated", "classroom_lesson", lesson.id)
        docs = await documents_of(session, lesson.id)
        return JSONResponse({"lesson": lesson_json(lesson, documents=docs)})


@api("Put a course's lessons in a new order (every lesson id, once)", body=_input.ORDER_BODY)
async def order_lessons(request: Request) -> Response:
    actor = await require(request, MANAGE)
    wanted = (await read_json(request, _input.ORDER_BODY))["lesson_ids"]
    async with get_platform(request).db.transaction() as session:
        course = await _course(session, request)
        lessons = {x.id: x for x in await lessons_of(session, course.id)}
        ints = all(isinstance(i, int) and not isinstance(i, bool) for i in wanted)
        if not ints or sorted(wanted) != sorted(lessons):
            raise ApiError(422, "invalid_order", "请列出本课程的每个课时，且每个只列一次",
                           detail={"lesson_ids": sorted(lessons)})
        for position, lesson_id in enumerate(wanted, start=1):
            lessons[lesson_id].position = position
        await audit(session, actor, "classroom.lessons_ordered", "classroom_course", course.id)
        return JSONResponse({"course": await _full(session, course)})


@api("Upload a lesson's video (multipart field 'file'; MP4, WebM or WAV, read from the "
     "content)", responses={413: "Too large", 422: "Wrong type"})
async def set_video(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.session() as session:
        lesson = await _lesson(session, request)
        if lesson.kind != LessonKind.video:
            raise ApiError(409, "not_a_video_lesson", "只有视频课时可以上传视频")
    limit = platform.config("classroom")["video_max_bytes"]
    stored = await store_upload(platform, await single_file(request), VIDEO_KINDS, limit)
    async with platform.db.transaction() as session:
        lesson = await _lesson(session, request)
        lesson.video_sha256, lesson.video_type = stored.sha256, stored.content_type
        lesson.video_size = stored.size
        await audit(session, actor, "classroom.video_set", "classroom_lesson", lesson.id,
                    sha256=stored.sha256, size=stored.size)
        return JSONResponse({"lesson": lesson_json(lesson)})


@api("Attach a PDF to a lesson (multipart field 'file')", responses={201: "Created"})
async def add_document(request: Request) -> Response:
    actor: Actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.session() as session:
        await _lesson(session, request)
    limit = platform.config("classroom")["document_max_bytes"]
    stored = await store_upload(platform, await single_file(request), DOCUMENT_KINDS, limit)
    async with platform.db.transaction() as session:
        lesson = await _lesson(session, request)
        doc = Document(lesson_id=lesson.id, sha256=stored.sha256, name=stored.name,
                       size=stored.size)
        session.add(doc)
        await session.flush()
        await audit(session, actor, "classroom.document_added", "classroom_lesson", lesson.id)
        return JSONResponse({"document": {"id": doc.id, "name": doc.name, "size": doc.size,
                                          "url": f"/classroom/documents/{doc.id}"}},
                            status_code=201)


routes = [
    Route("/courses", create_course, methods=["POST"], name="create_course"),
    Route("/courses/{course_id:int}", update_course, methods=["PATCH"], name="update_course"),
    Route("/courses/{course_id:int}/publish", publish_course, methods=["POST"],
          name="publish"),
    Route("/courses/{course_id:int}/unpublish", unpublish_course, methods=["POST"],
          name="unpublish"),
    Route("/courses/{course_id:int}/lessons", add_lesson, methods=["POST"], name="add_lesson"),
    Route("/courses/{course_id:int}/lesson-order", order_lessons, methods=["PUT"],
          name="order_lessons"),
    Route("/lessons/{lesson_id:int}", update_lesson, methods=["PATCH"], name="update_lesson"),
    Route("/lessons/{lesson_id:int}/video", set_video, methods=["PUT"], name="set_video"),
    Route("/lessons/{lesson_id:int}/documents", add_document, methods=["POST"],
          name="add_document"),
]
