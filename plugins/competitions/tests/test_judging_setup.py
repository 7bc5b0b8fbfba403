"""The judging setup: judges per entry and a rubric copied from the type, checked when changed."""

from __future__ import annotations

import pytest
from bangyaer_competitions.testing import create_activity


@pytest.fixture
async def activity_id(staff) -> int:
    return await create_activity(staff)


def _url(activity_id: int) -> str:
    return f"/api/v1/competitions/activities/{activity_id}/judging"


async def test_the_rubric_starts_as_the_types_default(staff, activity_id):
    body = (await staff.get(_url(activity_id))).json()

    assert body["judges_per_entry"] == 3
    assert body["rubric"] == [
        {"key": "theme", "title_zh": "主题表达", "title_en": "Theme", "max_score": 30},
        {"key": "skill", "title_zh": "技法", "title_en": "Technique", "max_score": 40},
        {"key": "creativity", "title_zh": "创意", "title_en": "Creativity", "max_score": 30}]
    assert (body["editable"], body["frozen_at"], body["seed"]) == (True, None, None)


async def test_staff_change_k_and_the_rubric_before_the_draw(staff, activity_id, platform):
    rubric = [{"key": "idea", "title_zh": "立意", "max_score": 60},
              {"key": "craft", "title_zh": "制作", "title_en": "Craft", "max_score": 40}]

    response = await staff.put(_url(activity_id), json={"judges_per_entry": 5,
                                                        "rubric": rubric})

    assert response.status_code == 200, response.text
    assert response.json()["judges_per_entry"] == 5
    assert [(c["key"], c["title_en"], c["max_score"]) for c in response.json()["rubric"]] == [
        ("idea", "", 60), ("craft", "Craft", 40)]


@pytest.mark.parametrize(("body", "message"), [
    pytest.param({"judges_per_entry": 0}, "每件作品的评委人数应为 1–15 的整数", id="k-zero"),
    pytest.param({"judges_per_entry": 16}, "每件作品的评委人数应为 1–15 的整数", id="k-big"),
    pytest.param({"rubric": []}, "评分细则至少需要一项", id="empty"),
    pytest.param({"rubric": ["x"]}, "评分细则第 1 项格式不对", id="not-object"),
    pytest.param({"rubric": [{"key": "Idea", "title_zh": "立意", "max_score": 10}]},
                 "评分细则第 1 项的代码应为小写字母开头的字母、数字或下划线", id="key"),
    pytest.param({"rubric": [{"key": "a", "title_zh": "甲", "max_score": 10},
                             {"key": "a", "title_zh": "乙", "max_score": 10}]},
                 "评分细则的代码 a 重复了", id="duplicate"),
    pytest.param({"rubric": [{"key": "a", "title_zh": " ", "max_score": 10}]},
                 "请填写评分细则第 1 项的名称（最多 40 字）", id="title"),
    pytest.param({"rubric": [{"key": "a", "title_zh": "甲", "max_score": 0}]},
                 "评分细则“甲”的满分应为 1–1000 的整数", id="zero-max"),
    pytest.param({"rubric": [{"key": "a", "title_zh": "甲", "max_score": 7.5}]},
                 "评分细则“甲”的满分应为 1–1000 的整数", id="fraction-max"),
])
async def test_a_bad_setup_is_a_422_and_changes_nothing(staff, activity_id, body, message):
    response = await staff.put(_url(activity_id), json=body)

    assert response.status_code == 422
    assert response.json()["error"]["message"] == message
    after = (await staff.get(_url(activity_id))).json()
    assert after["judges_per_entry"] == 3 and len(after["rubric"]) == 3


async def test_a_setup_message_reads_in_english_for_an_english_reader(staff, activity_id):
    await staff.get("/lang/en?next=/")

    response = await staff.put(_url(activity_id), json={"rubric": []})

    assert response.json()["error"]["message"] == "A rubric needs at least one criterion"


async def test_only_the_organiser_sees_or_changes_the_setup(client_for, activity_id):
    head = await client_for("head_a")

    assert (await head.get(_url(activity_id))).status_code == 403
    assert (await head.put(_url(activity_id), json={"judges_per_entry": 2})).status_code == 403
