"""Staff build courses: checked fields, lessons in order, and a new order for them."""

from __future__ import annotations

import httpx
import pytest

from .conftest import MakeCourse

TWO = [{"title": "一", "kind": "text", "body": "1"}, {"title": "二", "kind": "text", "body": "2"}]


@pytest.mark.parametrize(("body", "field", "message"), [
    pytest.param({"category": "科技"}, "title", "请填写课程名称", id="no-title"),
    pytest.param({"title": "课", "category": " "}, "category", "请填写类别", id="blank-category"),
    pytest.param({"title": "课", "category": "科技", "year_min": 12}, "year_min",
                 "年级应在 -2 到 9 之间", id="year-out-of-range"),
    pytest.param({"title": "课", "category": "科技", "year_min": 6, "year_max": 3},
                 "year_min", "最低年级不能高于最高年级", id="years-backwards"),
])
async def test_a_bad_course_is_422_naming_the_field(staff: httpx.AsyncClient,
                                                    body: dict[str, object], field: str,
                                                    message: str) -> None:
    response = await staff.post("/api/v1/classroom/courses", json=body)

    assert response.status_code == 422
    assert response.json()["error"]["message"] == message
    assert response.json()["error"]["detail"] == {"field": field}


@pytest.mark.parametrize(("body", "message"), [
    pytest.param({"title": "外链", "kind": "link"}, "外链课时需要填写视频链接", id="link-no-url"),
    pytest.param({"title": "外链", "kind": "link", "external_url": "javascript:alert(1)"},
                 "外部链接应以 http:// 或 https:// 开头", id="link-script-url"),
    pytest.param({"title": "图文", "kind": "text", "body": "  "}, "图文课时需要填写正文",
                 id="text-no-body"),
    pytest.param({"title": "怪", "kind": "podcast"}, "课时类型应为 video、link 或 text",
                 id="unknown-kind"),
])
async def test_a_bad_lesson_is_422(make_course: MakeCourse, staff: httpx.AsyncClient,
                                   body: dict[str, object], message: str) -> None:
    course = await make_course(publish=False)

    response = await staff.post(f"/api/v1/classroom/courses/{course['id']}/lessons", json=body)

    assert response.status_code == 422
    assert response.json()["error"]["message"] == message


async def test_lessons_are_added_at_the_end(make_course: MakeCourse) -> None:
    course = await make_course(lessons=[
        {"title": "一", "kind": "text", "body": "1"}, {"title": "二", "kind": "text", "body": "2"},
        {"title": "三", "kind": "text", "body": "3"}])

    assert [x["title"] for x in course["lessons"]] == ["一", "二", "三"]


async def test_lessons_can_be_put_in_a_new_order(make_course: MakeCourse,
                                                 staff: httpx.AsyncClient) -> None:
    course = await make_course(lessons=TWO)
    first, second = (x["id"] for x in course["lessons"])

    response = await staff.put(f"/api/v1/classroom/courses/{course['id']}/lesson-order",
                               json={"lesson_ids": [second, first]})

    assert [x["title"] for x in response.json()["course"]["lessons"]] == ["二", "一"]


@pytest.mark.parametrize("order", [
    pytest.param("missing", id="a-lesson-left-out"),
    pytest.param("twice", id="a-lesson-twice"),
    pytest.param("text", id="ids-as-text"),
])
async def test_an_order_that_is_not_every_lesson_once_is_refused(
        make_course: MakeCourse, staff: httpx.AsyncClient, order: str) -> None:
    course = await make_course(lessons=TWO)
    first, second = (x["id"] for x in course["lessons"])
    ids = {"missing": [first], "twice": [first, first], "text": [str(first), str(second)]}[order]

    response = await staff.put(f"/api/v1/classroom/courses/{course['id']}/lesson-order",
                               json={"lesson_ids": ids})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "请列出本课程的每个课时，且每个只列一次"


async def test_a_school_teacher_cannot_create_courses(client_for) -> None:  # type: ignore[no-untyped-def]
    teacher = await client_for("teacher_a")

    response = await teacher.post("/api/v1/classroom/courses",
                                  json={"title": "课", "category": "科技"})

    assert response.status_code == 403
