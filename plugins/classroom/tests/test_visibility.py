"""Unpublished courses, their lessons and their videos are invisible (404) to families."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import ClientFor, MakeCourse, upload_video, wav_bytes


@pytest.fixture
async def draft(make_course: MakeCourse, staff: httpx.AsyncClient) -> dict[str, Any]:
    course = await make_course("草稿课程", publish=False,
                               lessons=[{"title": "视频课", "kind": "video"}])
    assert (await upload_video(staff, course["lessons"][0]["id"], wav_bytes())).status_code == 200
    return course


@pytest.fixture
async def parent(client_for: ClientFor) -> httpx.AsyncClient:
    return await client_for("parent")


def paths(course: dict[str, Any]) -> list[str]:
    lesson = course["lessons"][0]["id"]
    return [f"/classroom/courses/{course['id']}", f"/classroom/lessons/{lesson}",
            f"/classroom/lessons/{lesson}/video", f"/api/v1/classroom/courses/{course['id']}",
            f"/api/v1/classroom/lessons/{lesson}"]


async def test_every_url_of_an_unpublished_course_is_404_to_families(
        draft: dict[str, Any], parent: httpx.AsyncClient) -> None:
    statuses = [(await parent.get(path)).status_code for path in paths(draft)]

    assert statuses == [404] * 5


async def test_unpublished_video_is_404_even_with_a_range(draft: dict[str, Any],
                                                          parent: httpx.AsyncClient) -> None:
    lesson = draft["lessons"][0]["id"]

    response = await parent.get(f"/classroom/lessons/{lesson}/video",
                                headers={"Range": "bytes=0-9"})

    assert response.status_code == 404


async def test_progress_on_an_unpublished_lesson_is_404(draft: dict[str, Any],
                                                        parent: httpx.AsyncClient) -> None:
    lesson = draft["lessons"][0]["id"]

    response = await parent.post(f"/api/v1/classroom/lessons/{lesson}/progress",
                                 json={"position": 5})

    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "课时不存在或尚未发布"}


async def test_unpublished_course_is_not_listed_or_found(draft: dict[str, Any],
                                                         parent: httpx.AsyncClient) -> None:
    listed = await parent.get("/api/v1/classroom/courses")
    page = await parent.get("/classroom/", params={"q": "草稿"})

    assert listed.json()["courses"] == []
    assert "草稿课程" not in page.text


async def test_staff_preview_an_unpublished_course(draft: dict[str, Any],
                                                   staff: httpx.AsyncClient) -> None:
    statuses = [(await staff.get(path)).status_code for path in paths(draft)]
    listed = await staff.get("/api/v1/classroom/courses", params={"drafts": "1"})

    assert statuses == [200] * 5
    assert [c["title"] for c in listed.json()["courses"]] == ["草稿课程"]


async def test_a_family_asking_for_drafts_gets_only_published(
        draft: dict[str, Any], parent: httpx.AsyncClient) -> None:
    listed = await parent.get("/api/v1/classroom/courses", params={"drafts": "1"})

    assert listed.json()["courses"] == []


async def test_unpublishing_hides_a_course_again(make_course: MakeCourse,
                                                 staff: httpx.AsyncClient,
                                                 parent: httpx.AsyncClient) -> None:
    course = await make_course("曾经发布")
    assert (await parent.get(f"/classroom/courses/{course['id']}")).status_code == 200

    await staff.post(f"/api/v1/classroom/courses/{course['id']}/unpublish")

    assert (await parent.get(f"/classroom/courses/{course['id']}")).status_code == 404


async def test_a_course_without_lessons_cannot_be_published(
        make_course: MakeCourse, staff: httpx.AsyncClient) -> None:
    course = await make_course(lessons=[], publish=False)

    response = await staff.post(f"/api/v1/classroom/courses/{course['id']}/publish")

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "课程还没有课时，添加课时后才能发布"


async def test_families_cannot_publish(draft: dict[str, Any],
                                       parent: httpx.AsyncClient) -> None:
    response = await parent.post(f"/api/v1/classroom/courses/{draft['id']}/publish")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
