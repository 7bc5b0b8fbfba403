"""Progress per child and lesson: furthest position, completion, and course completion."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from bangyaer.events import EventRecord
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from sqlalchemy import select

from .conftest import ClientFor, MakeCourse, upload_video, wav_bytes


@pytest.fixture
async def parent(client_for: ClientFor) -> httpx.AsyncClient:
    return await client_for("parent")


@pytest.fixture
async def course(make_course: MakeCourse, staff: httpx.AsyncClient) -> dict[str, Any]:
    made = await make_course("两课时课程", lessons=[
        {"title": "视频课", "kind": "video", "duration": 100},
        {"title": "读一读", "kind": "text", "body": "春眠不觉晓"},
    ])
    assert (await upload_video(staff, made["lessons"][0]["id"], wav_bytes())).status_code == 200
    return made


def video_of(course: dict[str, Any]) -> int:
    return int(course["lessons"][0]["id"])


def text_of(course: dict[str, Any]) -> int:
    return int(course["lessons"][1]["id"])


async def report(client: httpx.AsyncClient, lesson_id: int, position: int,
                 duration: int = 100) -> httpx.Response:
    return await client.post(f"/api/v1/classroom/lessons/{lesson_id}/progress",
                             json={"position": position, "duration": duration})


async def completion_events(platform: Platform) -> list[EventRecord]:
    async with platform.db.session() as session:
        return list(await session.scalars(
            select(EventRecord).where(EventRecord.type == "classroom.course_completed")))


async def test_progress_keeps_the_furthest_position(course: dict[str, Any],
                                                    parent: httpx.AsyncClient) -> None:
    await report(parent, video_of(course), 40)

    response = await report(parent, video_of(course), 12)

    assert response.status_code == 200
    assert response.json()["progress"] == {"position": 40, "duration": 100,
                                           "completed": False, "course_completed": False}


async def test_a_report_past_the_known_length_counts_as_the_end(
        course: dict[str, Any], parent: httpx.AsyncClient) -> None:
    response = await report(parent, video_of(course), 5000)

    assert response.json()["progress"]["position"] == 100


async def test_ninety_percent_watched_completes_a_video_lesson(
        course: dict[str, Any], parent: httpx.AsyncClient) -> None:
    below = await report(parent, video_of(course), 89)
    at = await report(parent, video_of(course), 90)

    assert below.json()["progress"]["completed"] is False
    assert at.json()["progress"]["completed"] is True


async def test_the_players_duration_counts_when_staff_gave_none(
        make_course: MakeCourse, parent: httpx.AsyncClient) -> None:
    made = await make_course(lessons=[{"title": "视频课", "kind": "video"}])

    response = await report(parent, made["lessons"][0]["id"], 54, duration=60)

    assert response.json()["progress"]["completed"] is True


async def test_a_text_lesson_is_completed_by_finishing_it(course: dict[str, Any],
                                                          parent: httpx.AsyncClient) -> None:
    response = await parent.post(f"/api/v1/classroom/lessons/{text_of(course)}/finish")

    assert response.json()["progress"]["completed"] is True


async def test_finish_does_not_complete_a_video_lesson(course: dict[str, Any],
                                                       parent: httpx.AsyncClient) -> None:
    response = await parent.post(f"/api/v1/classroom/lessons/{video_of(course)}/finish")

    assert response.json()["progress"]["completed"] is False


async def test_course_is_completed_when_every_lesson_is(
        course: dict[str, Any], parent: httpx.AsyncClient, platform: Platform,
        district: TinyDistrict) -> None:
    await report(parent, video_of(course), 95)
    assert await completion_events(platform) == []

    response = await parent.post(f"/api/v1/classroom/lessons/{text_of(course)}/finish")

    assert response.json()["progress"]["course_completed"] is True
    [event] = await completion_events(platform)
    assert event.subject_id == district.ids["child_1"]
    assert event.payload["title"] == "两课时课程"
    assert event.payload["category"] == "科技"
    assert event.payload["url"] == f"/classroom/courses/{course['id']}"
    assert event.payload["occurred_at"]


async def test_a_replayed_report_after_completion_is_harmless(
        course: dict[str, Any], parent: httpx.AsyncClient, platform: Platform) -> None:
    await report(parent, video_of(course), 95)
    await parent.post(f"/api/v1/classroom/lessons/{text_of(course)}/finish")

    again = await report(parent, video_of(course), 95)
    earlier = await report(parent, video_of(course), 30)
    await parent.post(f"/api/v1/classroom/lessons/{text_of(course)}/finish")

    assert again.json()["progress"] == earlier.json()["progress"] == {
        "position": 95, "duration": 100, "completed": True, "course_completed": True}
    assert len(await completion_events(platform)) == 1


async def test_progress_is_kept_per_child(course: dict[str, Any], parent: httpx.AsyncClient,
                                          district: TinyDistrict) -> None:
    await report(parent, video_of(course), 60)
    await parent.post("/api/v1/me/acting-child", json={"child_id": district.ids["child_2"]})

    response = await parent.get(f"/api/v1/classroom/courses/{course['id']}")

    assert response.json()["course"]["lessons"][0]["progress"] is None


async def test_progress_needs_an_acting_child(course: dict[str, Any],
                                              client_for: ClientFor) -> None:
    staff = await client_for("teacher_a")

    response = await report(staff, video_of(course), 10)

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "no_acting_child", "message": "请先选择孩子"}


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"position": "10"}, "position", id="position-as-text"),
    pytest.param({"position": 1.5}, "position", id="position-fraction"),
    pytest.param({"duration": 10}, "position", id="position-missing"),
])
async def test_a_malformed_report_is_422_naming_the_field(
        course: dict[str, Any], parent: httpx.AsyncClient, body: dict[str, Any],
        field: str) -> None:
    response = await parent.post(f"/api/v1/classroom/lessons/{video_of(course)}/progress",
                                 json=body)

    assert response.status_code == 422
    assert response.json()["error"]["detail"] == {"field": field}


async def test_a_negative_position_is_stored_as_zero(course: dict[str, Any],
                                                     parent: httpx.AsyncClient) -> None:
    response = await report(parent, video_of(course), -30)

    assert response.json()["progress"]["position"] == 0


async def test_a_new_lesson_leaves_an_earned_completion_standing(
        course: dict[str, Any], parent: httpx.AsyncClient, staff: httpx.AsyncClient) -> None:
    await report(parent, video_of(course), 95)
    await parent.post(f"/api/v1/classroom/lessons/{text_of(course)}/finish")
    await staff.post(f"/api/v1/classroom/courses/{course['id']}/lessons",
                     json={"title": "加餐", "kind": "text", "body": "新内容"})

    response = await parent.get(f"/api/v1/classroom/courses/{course['id']}")

    assert response.json()["course"]["completed"] is True
