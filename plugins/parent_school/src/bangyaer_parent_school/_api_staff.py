"""JSON for district staff: add courses with their lessons and quiz, lectures, videos."""

from __future__ import annotations

from collections.abc import AsyncIterator

from bangyaer.identity import audit
from bangyaer.storage import BlobTooLarge, save_blob
from bangyaer.web import ApiError, Body, Field, api, get_platform, read_json, require, single_file
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import _input
from ._common import parse_time
from ._guardian import MANAGE, max_video_bytes
from .models import STAGE_TITLES, Course, Lecture, Lesson, LessonKind, Question

COURSE_BODY = Body({
    "code": Field(str, max_length=32), "title": Field(str, max_length=200),
    "summary": Field(str, required=False, max_length=2000),
    "stage": Field(str, description="kindergarten, primary or middle"),
    "pass_mark": Field(int, required=False, description="percent, 60 if left out"),
    "lessons": Field(list, description="[{title, kind: article|video, body, video_url}]"),
    "questions": Field(list, required=False,
                       description="[{text, options: [..], answer: [index], multiple}]"),
})
LECTURE_BODY = Body({
    "title": Field(str, max_length=200), "speaker": Field(str, required=False, max_length=100),
    "summary": Field(str, required=False, max_length=2000),
    "place": Field(str, required=False, max_length=200),
    "starts_at": Field(str, description="ISO 8601 with zone"), "seats": Field(int),
    "stage": Field(str, required=False),
})
VIDEO_SNIFF = 16


def video_type(head: bytes) -> str | None:
    """MP4 (an ``ftyp`` box first) or WebM (an EBML header), from the first bytes."""
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


@api("Add a course with its lessons and quiz (district staff)", body=COURSE_BODY,
     responses={201: "added", 409: "code taken"})
async def create_course(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, COURSE_BODY, max_bytes=4 << 20)
    fields = _input.course_fields(data)
    lessons = _input.lesson_fields(data)
    asked = _input.question_fields(data)
    async with get_platform(request).db.transaction() as session:
        if await session.scalar(select(Course.id).where(Course.code == fields["code"])):
            raise ApiError(409, "duplicate_course", f"已有代码为 {fields['code']} 的课程")
        course = Course(**fields)
        session.add(course)
        await session.flush()
        session.add_all(Lesson(course_id=course.id, **x) for x in lessons)
        session.add_all(Question(course_id=course.id, **q) for q in asked)
        await audit(session, actor, "parent_school.course_added", "parent_school_course",
                    course.id)
    return JSONResponse({"id": course.id, "url": f"/parent_school/courses/{course.id}"},
                        status_code=201)


@api("Announce a lecture with a seat limit (district staff)", body=LECTURE_BODY,
     responses={201: "announced"})
async def create_lecture(request: Request) -> Response:
    actor = await require(request, MANAGE)
    data = await read_json(request, LECTURE_BODY)
    if data["seats"] < 1:
        raise ApiError(422, "invalid_field", "seats 至少为 1", detail={"field": "seats"})
    stage = data.get("stage")
    if stage is not None and stage not in STAGE_TITLES:
        raise ApiError(422, "invalid_field", "stage 应为 kindergarten、primary 或 middle",
                       detail={"field": "stage"})
    async with get_platform(request).db.transaction() as session:
        lecture = Lecture(
            title=_input.text(data, "title", 200), speaker=_input.text(
                data, "speaker", 100, required=False),
            summary=_input.text(data, "summary", 2000, required=False),
            place=_input.text(data, "place", 200, required=False),
            starts_at=parse_time("starts_at", data["starts_at"]), seats=data["seats"],
            stage=stage)
        session.add(lecture)
        await session.flush()
        await audit(session, actor, "parent_school.lecture_added", "parent_school_lecture",
                    lecture.id)
    return JSONResponse({"id": lecture.id}, status_code=201)


async def _videos_only(chunks: AsyncIterator[bytes], found: list[str]) -> AsyncIterator[bytes]:
    pending: list[bytes] = []
    async for chunk in chunks:
        pending.append(chunk)
        if sum(map(len, pending)) >= VIDEO_SNIFF:
            break
    kind = video_type(b"".join(pending))
    if kind is None:
        raise ApiError(422, "not_a_video", "只能上传 MP4 或 WebM 格式的视频")
    found.append(kind)
    for chunk in pending:
        yield chunk
    async for chunk in chunks:
        yield chunk


@api("Upload a video lesson's file (multipart field 'file', MP4 or WebM; district staff)",
     responses={200: "stored", 413: "too large", 422: "not a video"})
async def upload_video(request: Request) -> Response:
    actor = await require(request, MANAGE)
    platform = get_platform(request)
    async with platform.db.session() as session:
        lesson = await session.get(Lesson, request.path_params["id"])
        if lesson is None or lesson.kind != LessonKind.video:
            raise ApiError(404, "not_found", "没有这节视频课")
    upload = await single_file(request)
    found: list[str] = []
    limit = max_video_bytes(request)
    try:
        async with platform.db.session() as session, session.begin():
            info = await save_blob(session, platform.blobs, _videos_only(upload.chunks, found),
                                   max_size=limit)
    except BlobTooLarge:
        raise ApiError(413, "video_too_large",
                       f"视频超过 {limit // (1024 * 1024)} MB 上限，未保存") from None
    async with platform.db.transaction() as session:
        lesson = await session.get(Lesson, request.path_params["id"])
        if lesson is None:  # removed while the video was uploading
            raise ApiError(404, "not_found", "没有这节视频课")
        lesson.video_sha256, lesson.video_type, lesson.video_url = info.sha256, found[0], None
        await audit(session, actor, "parent_school.video_uploaded", "parent_school_lesson",
                    lesson.id, size=info.size)
    return JSONResponse({"lesson_id": lesson.id, "size": info.size, "type": found[0]})
