"""Courses as guardians see them: recommended by their children's stages, lessons, progress."""

from __future__ import annotations

from typing import Any

from bangyaer.platform import Platform
from bangyaer_parent_school.models import Course, Lesson, LessonKind

from .conftest import ClientFor


async def add_middle_course(platform: Platform) -> None:
    async with platform.db.transaction() as session:
        session.add(Course(code="M-T1", stage="middle", title="青春期沟通", summary=""))


async def test_courses_for_the_childrens_stage_are_recommended(
        client_for: ClientFor, course: dict[str, Any], platform: Platform) -> None:
    await add_middle_course(platform)

    primary = (await (await client_for("parent")).get("/api/v1/parent_school/courses")).json()
    middle = (await (await client_for("parent_b")).get("/api/v1/parent_school/courses")).json()

    assert [c["title"] for c in primary["recommended"]] == ["陪孩子写作业"]
    assert [c["title"] for c in primary["others"]] == ["青春期沟通"]
    assert [c["title"] for c in middle["recommended"]] == ["青春期沟通"]


async def test_staff_are_told_the_school_is_for_guardians(client_for: ClientFor,
                                                         course: dict[str, Any]) -> None:
    response = await (await client_for("teacher_a")).get("/api/v1/parent_school/courses")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "guardians_only"


async def test_finishing_a_lesson_twice_counts_once(client_for: ClientFor,
                                                   course: dict[str, Any]) -> None:
    parent = await client_for("parent")
    lesson = course["lessons"][0]
    await parent.post(f"/api/v1/parent_school/lessons/{lesson}/done")
    await parent.post(f"/api/v1/parent_school/lessons/{lesson}/done")

    body = (await parent.get(f"/api/v1/parent_school/courses/{course['id']}")).json()

    assert (body["progress"]["done"], body["progress"]["lessons"]) == (1, 2)
    assert [x["done"] for x in body["lessons"]] == [True, False]


async def test_progress_is_each_guardians_own(client_for: ClientFor,
                                              course: dict[str, Any]) -> None:
    await (await client_for("parent")).post(
        f"/api/v1/parent_school/lessons/{course['lessons'][0]}/done")

    body = (await (await client_for("parent_b")).get(
        f"/api/v1/parent_school/courses/{course['id']}")).json()

    assert body["progress"]["done"] == 0


async def test_article_markdown_is_rendered_without_scripts(
        client_for: ClientFor, course: dict[str, Any], platform: Platform) -> None:
    async with platform.db.transaction() as session:
        lesson = Lesson(course_id=course["id"], position=3, title="危险", kind=LessonKind.article,
                        body="**要点**\n\n<script>alert(1)</script>\n\n[点我](javascript:alert(1))")
        session.add(lesson)
        await session.flush()
        lesson_id = lesson.id
    parent = await client_for("parent")

    html = (await parent.get(f"/api/v1/parent_school/lessons/{lesson_id}")).json()["body_html"]

    assert "<strong>要点</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


async def test_lesson_page_marks_the_lesson_done(client_for: ClientFor,
                                                course: dict[str, Any]) -> None:
    import re

    parent = await client_for("parent")
    page = await parent.get(f"/parent_school/lessons/{course['lessons'][0]}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None and "<strong>规矩</strong>" in page.text

    done = await parent.post(f"/parent_school/lessons/{course['lessons'][0]}",
                             data={"csrf_token": token.group(1)}, follow_redirects=True)

    assert "已学 1 / 2 节" in done.text


async def test_an_unpublished_course_is_not_found(client_for: ClientFor,
                                                  course: dict[str, Any],
                                                  platform: Platform) -> None:
    async with platform.db.transaction() as session:
        row = await session.get(Course, course["id"])
        assert row is not None
        row.published = False

    response = await (await client_for("parent")).get(
        f"/api/v1/parent_school/courses/{course['id']}")

    assert response.status_code == 404
