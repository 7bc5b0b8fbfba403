"""The staff pages: publish, take back and order lessons without the API."""

from __future__ import annotations

import httpx

from .conftest import ClientFor, MakeCourse

THREE = [{"title": t, "kind": "text", "body": t} for t in ("一", "二", "三")]


async def post(staff: httpx.AsyncClient, course_id: int, **form: str) -> httpx.Response:
    return await staff.post(f"/classroom/manage/{course_id}", follow_redirects=True,
                            data={"csrf_token": staff.headers["X-CSRF-Token"], **form})


async def test_staff_publish_a_draft_from_its_page(make_course: MakeCourse,
                                                   staff: httpx.AsyncClient,
                                                   client_for: ClientFor) -> None:
    course = await make_course("草稿", publish=False)

    page = await post(staff, course["id"], action="publish")

    assert "撤回发布" in page.text
    parent = await client_for("parent")
    assert (await parent.get(f"/classroom/courses/{course['id']}")).status_code == 200


async def test_moving_a_lesson_up_swaps_it_with_the_one_before(
        make_course: MakeCourse, staff: httpx.AsyncClient) -> None:
    course = await make_course(lessons=THREE)
    third = course["lessons"][2]["id"]

    await post(staff, course["id"], action="up", lesson=str(third))

    got = (await staff.get(f"/api/v1/classroom/courses/{course['id']}")).json()["course"]
    assert [x["title"] for x in got["lessons"]] == ["一", "三", "二"]


async def test_the_first_lesson_moved_up_stays_first(make_course: MakeCourse,
                                                     staff: httpx.AsyncClient) -> None:
    course = await make_course(lessons=THREE)

    await post(staff, course["id"], action="up", lesson=str(course["lessons"][0]["id"]))

    got = (await staff.get(f"/api/v1/classroom/courses/{course['id']}")).json()["course"]
    assert [x["title"] for x in got["lessons"]] == ["一", "二", "三"]


async def test_publishing_an_empty_course_says_why(make_course: MakeCourse,
                                                   staff: httpx.AsyncClient) -> None:
    course = await make_course(lessons=[], publish=False)

    page = await post(staff, course["id"], action="publish")

    assert page.status_code == 409
    assert "课程还没有课时，添加课时后才能发布" in page.text


async def test_families_cannot_open_the_manage_pages(client_for: ClientFor) -> None:
    parent = await client_for("parent")

    assert (await parent.get("/classroom/manage")).status_code == 403
