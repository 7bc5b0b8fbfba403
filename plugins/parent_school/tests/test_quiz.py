"""The end-of-course quiz: scored on the server, passed or failed, retried, completed once."""

from __future__ import annotations

from typing import Any

import pytest
from bangyaer.events import EventRecord
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_parent_school import _certificate
from bangyaer_parent_school.models import Attempt, Completion
from sqlalchemy import func, select

from .conftest import RIGHT, ClientFor, answers, finish_lessons


async def ready(client_for: ClientFor, course: dict[str, Any]) -> Any:
    parent = await client_for("parent")
    await finish_lessons(parent, course)
    return parent


async def count(platform: Platform, model: Any) -> int:
    async with platform.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_questions_go_out_without_their_answers(client_for: ClientFor,
                                                      course: dict[str, Any]) -> None:
    parent = await client_for("parent")

    body = (await parent.get(f"/api/v1/parent_school/courses/{course['id']}/quiz")).json()

    assert body["pass_mark"] == 60
    assert [set(q) for q in body["questions"]] == [{"id", "text", "multiple", "options"}] * 3


async def test_quiz_waits_until_every_lesson_is_finished(client_for: ClientFor,
                                                        course: dict[str, Any]) -> None:
    parent = await client_for("parent")
    await parent.post(f"/api/v1/parent_school/lessons/{course['lessons'][0]}/done")

    response = await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                                 json=answers(course, *RIGHT))

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "请先学完全部 2 节课（已学 1 节）再参加测验"


async def test_all_right_passes_and_completes_the_course(
        client_for: ClientFor, course: dict[str, Any], platform: Platform,
        district: TinyDistrict) -> None:
    parent = await ready(client_for, course)

    body = (await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                              json=answers(course, *RIGHT))).json()

    assert (body["score"], body["passed"]) == (100, True)
    async with platform.db.session() as session:
        event = await session.scalar(select(EventRecord).where(
            EventRecord.type == "parent_school.course_completed"))
    assert event is not None and event.subject_id == district.ids["parent"]
    assert (event.payload["title"], event.payload["score"]) == ("陪孩子写作业", 100)


async def test_below_the_pass_mark_fails_and_completes_nothing(
        client_for: ClientFor, course: dict[str, Any], platform: Platform) -> None:
    parent = await ready(client_for, course)

    # One of three right: 33 < 60. The multiple choice needs both right options.
    body = (await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                              json=answers(course, [2], [0], [0]))).json()

    assert (body["score"], body["passed"], body["certificate_url"]) == (33, False, None)
    assert body["right"] == {str(course["questions"][0]): True,
                             str(course["questions"][1]): False,
                             str(course["questions"][2]): False}
    assert await count(platform, Completion) == 0


async def test_a_failed_quiz_may_be_tried_again(client_for: ClientFor, course: dict[str, Any],
                                                platform: Platform) -> None:
    parent = await ready(client_for, course)
    url = f"/api/v1/parent_school/courses/{course['id']}/quiz"
    await parent.post(url, json=answers(course, [0], [0], [1]))

    again = (await parent.post(url, json=answers(course, [2], [1], [0]))).json()

    assert (again["score"], again["passed"]) == (67, True)
    assert await count(platform, Attempt) == 2


async def test_passing_twice_keeps_one_completion(client_for: ClientFor, course: dict[str, Any],
                                                  platform: Platform) -> None:
    parent = await ready(client_for, course)
    url = f"/api/v1/parent_school/courses/{course['id']}/quiz"

    first = (await parent.post(url, json=answers(course, *RIGHT))).json()
    second = (await parent.post(url, json=answers(course, *RIGHT))).json()

    assert first["certificate_serial"] == second["certificate_serial"]
    assert await count(platform, Completion) == 1


async def test_an_unanswered_question_is_named(client_for: ClientFor,
                                              course: dict[str, Any]) -> None:
    parent = await ready(client_for, course)

    response = await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                                 json={"answers": {str(course["questions"][0]): [2]}})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "第 2 题还没有作答"


async def test_two_options_for_a_single_choice_are_refused(client_for: ClientFor,
                                                         course: dict[str, Any]) -> None:
    parent = await ready(client_for, course)

    response = await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                                 json=answers(course, [0, 2], [1], [0, 2]))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "single_choice"


async def test_an_option_that_does_not_exist_is_refused(client_for: ClientFor,
                                                       course: dict[str, Any]) -> None:
    parent = await ready(client_for, course)

    response = await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                                 json=answers(course, [7], [1], [0, 2]))

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "第 1 题还没有作答"


@pytest.mark.skipif(not _certificate.available(), reason="the core has no certificates service")
async def test_passing_issues_a_certificate_the_guardian_can_open_and_anyone_verify(
        client_for: ClientFor, course: dict[str, Any], platform: Platform) -> None:
    parent = await ready(client_for, course)

    body = (await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                              json=answers(course, *RIGHT))).json()
    pdf = await parent.get(body["certificate_url"])
    verified = await parent.get(f"/verify/{body['certificate_serial']}")

    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert verified.status_code == 200 and "陪孩子写作业" in verified.text


async def test_without_the_certificates_service_the_completion_still_stands(
        client_for: ClientFor, course: dict[str, Any], platform: Platform,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_certificate, "available", lambda: False)
    parent = await ready(client_for, course)

    body = (await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                              json=answers(course, *RIGHT))).json()

    assert (body["passed"], body["certificate_serial"]) == (True, None)
    assert await count(platform, Completion) == 1
    page = await parent.get(f"/parent_school/courses/{course['id']}/certificate")
    assert page.status_code == 404


async def test_another_guardian_has_no_certificate_for_the_course(
        client_for: ClientFor, course: dict[str, Any]) -> None:
    parent = await ready(client_for, course)
    await parent.post(f"/api/v1/parent_school/courses/{course['id']}/quiz",
                      json=answers(course, *RIGHT))

    other = await client_for("parent_b")

    response = await other.get(f"/parent_school/courses/{course['id']}/certificate")
    assert response.status_code == 404
