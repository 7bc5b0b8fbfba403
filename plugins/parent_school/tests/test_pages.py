"""The guardian's pages: the home of the parent school and the quiz form."""

from __future__ import annotations

import re
from typing import Any

from .conftest import ClientFor, MakeLecture, finish_lessons


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def test_home_shows_recommended_courses_and_lectures(
        client_for: ClientFor, course: dict[str, Any], make_lecture: MakeLecture) -> None:
    await make_lecture(title="双减讲座")

    page = (await (await client_for("parent")).get("/parent_school/")).text

    assert "为您推荐" in page and "陪孩子写作业" in page and "已学 0 / 2 节" in page
    assert "双减讲座" in page


async def test_quiz_form_carries_no_answers(client_for: ClientFor,
                                            course: dict[str, Any]) -> None:
    page = (await (await client_for("parent")).get(
        f"/parent_school/courses/{course['id']}/quiz")).text

    assert "作业规矩由谁定？" in page
    assert "answer" not in page and "checked" not in page


async def test_passing_through_the_form_offers_the_certificate(
        client_for: ClientFor, course: dict[str, Any]) -> None:
    parent = await client_for("parent")
    await finish_lessons(parent, course)
    form = (await parent.get(f"/parent_school/courses/{course['id']}/quiz")).text
    q1, q2, q3 = (f"q{q}" for q in course["questions"])

    done = await parent.post(f"/parent_school/courses/{course['id']}/quiz", data={
        "csrf_token": token(form), q1: "2", q2: "1", q3: ["0", "2"]})

    assert "得分 100 分" in done.text and "恭喜您通过测验" in done.text


async def test_a_form_with_a_question_left_out_says_which(client_for: ClientFor,
                                                         course: dict[str, Any]) -> None:
    parent = await client_for("parent")
    await finish_lessons(parent, course)
    form = (await parent.get(f"/parent_school/courses/{course['id']}/quiz")).text

    done = await parent.post(f"/parent_school/courses/{course['id']}/quiz",
                             data={"csrf_token": token(form)})

    assert done.status_code == 422 and "第 1 题还没有作答" in done.text


async def test_the_home_reads_in_english_when_asked(client_for: ClientFor,
                                                   course: dict[str, Any]) -> None:
    parent = await client_for("parent")
    await parent.get("/lang/en")

    page = (await parent.get("/parent_school/")).text

    assert "<h1>Parent school</h1>" in page and "0 of 2 lessons done" in page
