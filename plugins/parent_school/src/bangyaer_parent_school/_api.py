"""JSON for guardians: courses, lessons, the quiz, certificates and lectures."""

from __future__ import annotations

from bangyaer.web import ApiError, Body, Field, api, get_platform, read_json
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import _courses, _lectures, _quiz
from ._guardian import require_guardian
from ._markdown import render_markdown

QUIZ_BODY = Body({"answers": Field(dict, description="{question id: [option index, …]}")})


@api("Courses recommended for the guardian's children's stages, the others, and progress")
async def list_courses(request: Request) -> Response:
    learner = await require_guardian(request)
    async with get_platform(request).db.session() as session:
        recommended, others = await _courses.catalogue(session, learner)
        out = {"recommended": [], "others": []}
        for key, courses in (("recommended", recommended), ("others", others)):
            for course in courses:
                done = await _courses.progress(session, learner.person.id, course.id)
                out[key].append({**_courses.course_json(course), "progress": done.json()})
    return JSONResponse(out)


@api("One course with its lessons and the guardian's progress")
async def get_course(request: Request) -> Response:
    learner = await require_guardian(request)
    async with get_platform(request).db.session() as session:
        course = await _courses.load_course(session, request.path_params["id"])
        lessons = await _courses.lessons(session, course.id)
        done = await _courses.done_lessons(session, learner.person.id, course.id)
        state = await _courses.progress(session, learner.person.id, course.id)
    return JSONResponse({**_courses.course_json(course), "progress": state.json(),
                         "lessons": [_courses.lesson_json(x, x.id in done) for x in lessons]})


@api("One lesson: an article (HTML from Markdown) or a video")
async def get_lesson(request: Request) -> Response:
    await require_guardian(request)
    async with get_platform(request).db.session() as session:
        lesson, _course = await _courses.load_lesson(session, request.path_params["id"])
    video = lesson.video_url or (f"/parent_school/lessons/{lesson.id}/video"
                                 if lesson.video_sha256 else None)
    return JSONResponse({**_courses.lesson_json(lesson, False), "course_id": lesson.course_id,
                         "body_html": render_markdown(lesson.body), "video_url": video})


@api("Mark a lesson finished (again is harmless)", responses={204: "recorded"})
async def finish_lesson(request: Request) -> Response:
    learner = await require_guardian(request)
    async with get_platform(request).db.transaction() as session:
        lesson, _course = await _courses.load_lesson(session, request.path_params["id"])
        await _courses.mark_done(session, learner, lesson)
    return Response(status_code=204)


@api("The course's quiz questions and options, without the answers")
async def get_quiz(request: Request) -> Response:
    await require_guardian(request)
    async with get_platform(request).db.session() as session:
        course = await _courses.load_course(session, request.path_params["id"])
        asked = await _courses.questions(session, course.id)
    return JSONResponse({"pass_mark": course.pass_mark,
                         "questions": [_quiz.question_json(q) for q in asked]})


@api("Hand in the quiz; scored on the server, a pass completes the course", body=QUIZ_BODY,
     responses={409: "lessons unfinished", 422: "a question unanswered"})
async def submit_quiz(request: Request) -> Response:
    learner = await require_guardian(request)
    data = await read_json(request, QUIZ_BODY)
    platform = get_platform(request)
    async with platform.db.transaction() as session:
        course = await _courses.load_course(session, request.path_params["id"])
        result = await _quiz.submit(session, platform, learner, course, data["answers"])
        out = result.json(course)
    return JSONResponse(out)


@api("Upcoming lectures with seats left and whether the guardian registered")
async def list_lectures(request: Request) -> Response:
    learner = await require_guardian(request)
    async with get_platform(request).db.session() as session:
        lectures = await _lectures.upcoming(session)
        out = [_lectures.lecture_json(x, await _lectures.registration_of(
            session, x.id, learner.person.id) is not None) for x in lectures]
    return JSONResponse({"lectures": out})


@api("Register for a lecture: 201 new, 200 already registered, 409 when full",
     responses={201: "registered", 409: "full or started"})
async def register(request: Request) -> Response:
    learner = await require_guardian(request)
    async with get_platform(request).db.transaction() as session:
        lecture = await _lectures.load_lecture(session, request.path_params["id"])
        row, new = await _lectures.register(session, learner, lecture)
        out = {"registration_id": row.id, "lecture": _lectures.lecture_json(lecture, True)}
    return JSONResponse(out, status_code=201 if new else 200)


@api("Cancel a lecture registration and give the seat back", responses={204: "cancelled"})
async def cancel(request: Request) -> Response:
    learner = await require_guardian(request)
    async with get_platform(request).db.transaction() as session:
        lecture = await _lectures.load_lecture(session, request.path_params["id"])
        if not await _lectures.cancel(session, learner, lecture):
            raise ApiError(404, "not_registered", "您没有报名这场讲座")
    return Response(status_code=204)
