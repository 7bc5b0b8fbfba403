"""The family pages: the catalogue (suited courses first), a lesson with its player."""

from __future__ import annotations

import re

import httpx

from .conftest import ClientFor, MakeCourse, upload_video, wav_bytes


async def test_courses_for_the_childs_grade_come_first(make_course: MakeCourse,
                                                       client_for: ClientFor) -> None:
    await make_course("初中物理", year_min=7, year_max=9)
    await make_course("三年级读书会", year_min=3, year_max=3)
    await make_course("高年级英语", year_min=5, year_max=6)
    parent = await client_for("parent")  # acting for child_1, primary grade 3

    listed = (await parent.get("/api/v1/classroom/courses")).json()["courses"]

    assert [(c["title"], c["suited"]) for c in listed] == [
        ("三年级读书会", True), ("高年级英语", False), ("初中物理", False)]


async def test_search_finds_courses_by_title_and_teacher(make_course: MakeCourse,
                                                         client_for: ClientFor) -> None:
    await make_course("少儿围棋", teacher="周老师")
    await make_course("创意美术")
    parent = await client_for("parent")

    by_title = await parent.get("/api/v1/classroom/courses", params={"q": "围棋"})
    by_teacher = await parent.get("/api/v1/classroom/courses", params={"q": "周老师"})

    assert [c["title"] for c in by_title.json()["courses"]] == ["少儿围棋"]
    assert [c["title"] for c in by_teacher.json()["courses"]] == ["少儿围棋"]


async def test_lesson_page_plays_the_video_from_the_range_endpoint(
        make_course: MakeCourse, staff: httpx.AsyncClient, client_for: ClientFor) -> None:
    course = await make_course(lessons=[{"title": "看视频", "kind": "video"}])
    lesson = course["lessons"][0]["id"]
    await upload_video(staff, lesson, wav_bytes())
    parent = await client_for("parent")

    page = await parent.get(f"/classroom/lessons/{lesson}")

    assert page.status_code == 200
    assert f'src="/classroom/lessons/{lesson}/video"' in page.text
    assert f'data-progress-url="/api/v1/classroom/lessons/{lesson}/progress"' in page.text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) == []


async def test_finishing_a_text_lesson_by_form_shows_it_done(make_course: MakeCourse,
                                                             client_for: ClientFor) -> None:
    course = await make_course(lessons=[{"title": "读一读", "kind": "text", "body": "春晓"}])
    lesson = course["lessons"][0]["id"]
    parent = await client_for("parent")
    token = parent.headers["X-CSRF-Token"]

    done = await parent.post(f"/classroom/lessons/{lesson}/finish",
                             data={"csrf_token": token}, follow_redirects=True)
    mine = await parent.get("/classroom/mine")

    assert "本课时已学完" in done.text
    assert "我学完了" not in done.text
    assert "已学完" in mine.text and course["title"] in mine.text


async def test_my_cloud_classes_link_appears_for_a_guardian(client_for: ClientFor) -> None:
    parent = await client_for("parent")

    me = await parent.get("/me")

    assert 'href="/classroom/mine"' in me.text
