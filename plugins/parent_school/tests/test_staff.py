"""District staff add courses (lessons and quiz checked at the edge), lectures and videos."""

from __future__ import annotations

from typing import Any

from bangyaer.platform import Platform
from bangyaer.storage import BlobRecord
from bangyaer_parent_school.models import Lesson
from sqlalchemy import func, select

from .conftest import ClientFor

COURSE = {
    "code": "K-09", "title": "幼小衔接", "stage": "kindergarten", "pass_mark": 80,
    "lessons": [{"title": "作息", "kind": "article", "body": "早睡早起"},
                {"title": "视频", "kind": "video", "video_url": "https://v.example.org/1.mp4"}],
    "questions": [{"text": "几点睡？", "options": ["20:30", "23:00"], "answer": [0]}],
}
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100


async def test_staff_add_a_course_that_guardians_then_see(client_for: ClientFor) -> None:
    response = await (await client_for("staff")).post("/api/v1/parent_school/courses/new",
                                                      json=COURSE)

    assert response.status_code == 201
    body = (await (await client_for("parent")).get(response.json()["url"].replace(
        "/parent_school/", "/api/v1/parent_school/"))).json()
    assert (body["title"], body["pass_mark"], len(body["lessons"])) == ("幼小衔接", 80, 2)


async def test_a_teacher_may_not_add_courses(client_for: ClientFor) -> None:
    response = await (await client_for("teacher_a")).post("/api/v1/parent_school/courses/new",
                                                          json=COURSE)

    assert response.status_code == 403


async def test_an_answer_outside_the_options_is_refused_with_its_field(
        client_for: ClientFor) -> None:
    bad = {**COURSE, "questions": [{"text": "?", "options": ["a", "b"], "answer": [2]}]}

    response = await (await client_for("staff")).post("/api/v1/parent_school/courses/new",
                                                      json=bad)

    assert response.status_code == 422
    assert response.json()["error"]["detail"] == {"field": "questions[1].answer"}


async def test_a_video_link_must_be_https(client_for: ClientFor) -> None:
    bad = {**COURSE, "lessons": [{"title": "v", "kind": "video",
                                  "video_url": "javascript:alert(1)"}]}

    response = await (await client_for("staff")).post("/api/v1/parent_school/courses/new",
                                                      json=bad)

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "第 1 节课的视频链接须以 https:// 开头"


async def test_the_same_code_twice_is_refused(client_for: ClientFor) -> None:
    staff = await client_for("staff")
    await staff.post("/api/v1/parent_school/courses/new", json=COURSE)

    response = await staff.post("/api/v1/parent_school/courses/new", json=COURSE)

    assert response.status_code == 409


async def test_staff_announce_a_lecture(client_for: ClientFor) -> None:
    response = await (await client_for("staff")).post("/api/v1/parent_school/lectures/new",
                                                      json={"title": "讲座", "seats": 50,
                                                            "starts_at": "2030-05-01T19:00+08:00"})

    assert response.status_code == 201
    lectures = (await (await client_for("parent")).get("/api/v1/parent_school/lectures")).json()
    assert [(x["title"], x["seats_left"], x["starts_at"]) for x in lectures["lectures"]] == [
        ("讲座", 50, "2030-05-01T11:00:00+00:00")]


async def test_an_uploaded_video_plays_from_the_lesson(client_for: ClientFor,
                                                      course: dict[str, Any]) -> None:
    staff = await client_for("staff")
    lesson = course["lessons"][1]

    response = await staff.post(f"/api/v1/parent_school/lessons/{lesson}/video",
                                files={"file": ("lesson.mp4", MP4, "video/mp4")})
    played = await (await client_for("parent")).get(f"/parent_school/lessons/{lesson}/video")

    assert response.status_code == 200
    assert played.headers["content-type"] == "video/mp4" and played.content == MP4


async def test_a_file_that_is_not_a_video_is_refused_and_not_kept(
        client_for: ClientFor, course: dict[str, Any], platform: Platform) -> None:
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/parent_school/lessons/{course['lessons'][1]}/video",
                                files={"file": ("lesson.mp4", b"MZ" + b"\x00" * 64, "video/mp4")})

    assert response.status_code == 422
    async with platform.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(BlobRecord)) == 0
        lesson = await session.get(Lesson, course["lessons"][1])
        assert lesson is not None and lesson.video_sha256 is None


async def test_a_video_is_served_a_byte_range_at_a_time(client_for: ClientFor,
                                                        course: dict[str, Any]) -> None:
    lesson = course["lessons"][1]
    await (await client_for("staff")).post(f"/api/v1/parent_school/lessons/{lesson}/video",
                                           files={"file": ("lesson.mp4", MP4, "video/mp4")})

    part = await (await client_for("parent")).get(f"/parent_school/lessons/{lesson}/video",
                                                  headers={"Range": "bytes=4-11"})

    assert part.status_code == 206
    assert part.content == b"ftypmp42"
    assert part.headers["content-range"] == f"bytes 4-11/{len(MP4)}"
