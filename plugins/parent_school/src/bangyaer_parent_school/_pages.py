"""Pages for guardians on phones: courses, lessons, the quiz, certificates, lectures."""

from __future__ import annotations

from typing import Any

from bangyaer.web import ApiError, get_platform, render, stream_blob
from bangyaer.web import gettext as _
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import _certificate, _courses, _lectures, _quiz
from ._guardian import Learner, require_guardian
from ._markdown import render_markdown


async def _guardian(request: Request) -> Learner:
    try:
        return await require_guardian(request)
    except ApiError as exc:
        raise HTTPException(exc.status, exc.message) from None


def _page_error(exc: ApiError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


async def index(request: Request) -> Response:
    learner = await _guardian(request)
    async with get_platform(request).db.session() as session:
        recommended, others = await _courses.catalogue(session, learner)
        rows: dict[str, list[dict[str, Any]]] = {"recommended": [], "others": []}
        for key, courses in (("recommended", recommended), ("others", others)):
            for course in courses:
                done = await _courses.progress(session, learner.person.id, course.id)
                rows[key].append({**_courses.course_json(course), "progress": done.json()})
        lectures = [_lectures.lecture_json(x, await _lectures.registration_of(
            session, x.id, learner.person.id) is not None)
            for x in await _lectures.upcoming(session)]
    return await render(request, "parent_school/index.html", {**rows, "lectures": lectures})


async def course_page(request: Request) -> Response:
    learner = await _guardian(request)
    async with get_platform(request).db.session() as session:
        try:
            course = await _courses.load_course(session, request.path_params["id"])
        except ApiError as exc:
            raise _page_error(exc) from None
        lessons = await _courses.lessons(session, course.id)
        done = await _courses.done_lessons(session, learner.person.id, course.id)
        state = await _courses.progress(session, learner.person.id, course.id)
        has_quiz = bool(await _courses.questions(session, course.id))
    return await render(request, "parent_school/course.html", {
        "course": _courses.course_json(course), "progress": state.json(),
        "finished": state.finished_lessons, "has_quiz": has_quiz,
        "lessons": [_courses.lesson_json(x, x.id in done) for x in lessons]})


async def lesson_page(request: Request) -> Response:
    learner = await _guardian(request)
    platform = get_platform(request)
    if request.method == "POST":
        async with platform.db.transaction() as session:
            try:
                lesson, course = await _courses.load_lesson(session, request.path_params["id"])
            except ApiError as exc:
                raise _page_error(exc) from None
            await _courses.mark_done(session, learner, lesson)
        return RedirectResponse(f"/parent_school/courses/{course.id}", status_code=303)
    async with platform.db.session() as session:
        try:
            lesson, course = await _courses.load_lesson(session, request.path_params["id"])
        except ApiError as exc:
            raise _page_error(exc) from None
        done = lesson.id in await _courses.done_lessons(session, learner.person.id, course.id)
    video = lesson.video_url or (f"/parent_school/lessons/{lesson.id}/video"
                                 if lesson.video_sha256 else None)
    return await render(request, "parent_school/lesson.html", {
        "lesson": lesson, "course": _courses.course_json(course), "done": done,
        "body_html": render_markdown(lesson.body), "video_url": video,
        "own_video": lesson.video_sha256 is not None})


def _answers(form: FormData) -> dict[str, Any]:
    """Form fields q<id> (one or several option numbers) as the JSON API's answers."""
    out: dict[str, list[int]] = {}
    for key in form:
        if key.startswith("q") and key[1:].isdigit():
            values = [v for v in form.getlist(key) if isinstance(v, str) and v.isdigit()]
            out[key[1:]] = [int(v) for v in values]
    return out


async def quiz_page(request: Request) -> Response:
    learner = await _guardian(request)
    platform = get_platform(request)
    result: dict[str, Any] | None = None
    error: ApiError | None = None
    async with platform.db.session() as session:
        try:
            course = await _courses.load_course(session, request.path_params["id"])
        except ApiError as exc:
            raise _page_error(exc) from None
        asked = await _courses.questions(session, course.id)
    if request.method == "POST":
        form = await request.form()
        try:
            async with platform.db.transaction() as session:
                scored = await _quiz.submit(session, platform, learner, course, _answers(form))
                result = scored.json(course)
        except ApiError as exc:
            error = exc
    return await render(request, "parent_school/quiz.html", {
        "course": _courses.course_json(course), "result": result, "error": error,
        "questions": [_quiz.question_json(q) for q in asked]},
        status_code=error.status if error else 200)


async def certificate(request: Request) -> Response:
    """The guardian's own certificate PDF for a course they completed."""
    learner = await _guardian(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        state = await _courses.progress(session, learner.person.id, request.path_params["id"])
        sha = await _certificate.pdf_of(session, state.completion) if state.completion else None
    if sha is None:
        raise HTTPException(404, "还没有这门课程的结业证书")
    return await _blob(request, sha, "application/pdf", 'inline; filename="certificate.pdf"')


async def video(request: Request) -> Response:
    await _guardian(request)
    platform = get_platform(request)
    async with platform.db.session() as session:
        try:
            lesson, _course = await _courses.load_lesson(session, request.path_params["id"])
        except ApiError as exc:
            raise _page_error(exc) from None
    if lesson.video_sha256 is None:
        raise HTTPException(404, "这节课没有视频文件")
    # Byte ranges: phones' players (Safari's above all) seek, and start, with them.
    return await _blob(request, lesson.video_sha256, lesson.video_type or "video/mp4")


async def _blob(request: Request, sha: str, media_type: str,
                disposition: str | None = None) -> Response:
    try:
        return await stream_blob(request, get_platform(request), sha, media_type,
                                 disposition=disposition)
    except ApiError as exc:
        raise _page_error(exc) from None


async def lecture_page(request: Request) -> Response:
    learner = await _guardian(request)
    platform = get_platform(request)
    outcome = ""
    error: ApiError | None = None
    if request.method == "POST":
        form = await request.form()
        try:
            async with platform.db.transaction() as session:
                lecture = await _lectures.load_lecture(session, request.path_params["id"])
                if form.get("action") == "cancel":
                    await _lectures.cancel(session, learner, lecture)
                    outcome = _("已取消报名")
                else:
                    await _lectures.register(session, learner, lecture)
                    outcome = _("报名成功")
        except ApiError as exc:
            error = exc
    async with platform.db.session() as session:
        try:
            lecture = await _lectures.load_lecture(session, request.path_params["id"])
        except ApiError as exc:
            raise _page_error(exc) from None
        mine = await _lectures.registration_of(session, lecture.id, learner.person.id)
    return await render(request, "parent_school/lecture.html", {
        "lecture": lecture, "info": _lectures.lecture_json(lecture, mine is not None),
        "outcome": outcome, "error": error}, status_code=error.status if error else 200)
