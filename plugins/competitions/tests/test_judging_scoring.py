"""Scoring: a judge sees and scores only their own entries, each criterion checked."""

from __future__ import annotations

import pytest
from bangyaer.identity import AuditEntry
from bangyaer.testing import login
from bangyaer_competitions.judging.models import Assignment
from bangyaer_competitions.models import Entry
from bangyaer_competitions.results.models import Result
from bangyaer_competitions.testing import judged_activity
from sqlalchemy import select

GOOD = {"theme": 25, "skill": 30, "creativity": 20}


@pytest.fixture
async def activity_id(staff, platform, district) -> int:
    # Two judges, one each per entry: each holds two of the four entries.
    return await judged_activity(staff, platform, school_id=district.ids["school_b"],
                                 judges=("j1", "j2"), k=1)


async def _judge(make_client, platform, username: str):
    client = make_client(platform)
    await login(client, username, "Passw0rd-test")
    return client


@pytest.fixture
async def j1(make_client, platform, activity_id):
    return await _judge(make_client, platform, "j1")


@pytest.fixture
async def j2(make_client, platform, activity_id):
    return await _judge(make_client, platform, "j2")


async def _codes(client) -> list[str]:
    queue = (await client.get("/api/v1/competitions/judging/queue")).json()["activities"]
    return [e["code"] for a in queue for e in a["entries"]]


def _score_url(code: str) -> str:
    return f"/api/v1/competitions/judging/entries/{code}/score"


async def test_the_queue_lists_the_judges_own_entries_and_the_next_one(j1, activity_id):
    queue = (await j1.get("/api/v1/competitions/judging/queue")).json()["activities"]

    assert len(queue) == 1
    item = queue[0]
    assert (item["activity_id"], item["title"], item["groups"]) == (
        activity_id, "区少儿书画比赛", ["小学低段"])
    assert (item["assigned"], item["scored"]) == (2, 0)
    assert item["next"] == item["entries"][0]["code"]


async def test_the_entry_shows_code_group_copies_and_rubric_only(j1):
    code = (await _codes(j1))[0]

    body = (await j1.get(f"/api/v1/competitions/judging/entries/{code}")).json()

    assert set(body) == {"code", "review", "group", "activity", "activity_id", "copies",
                         "rubric", "max_total", "score", "editable"}
    assert body["code"] == code and body["group"] == "小学低段" and body["review"] is False
    assert [c["name"] for c in body["copies"]] == [f"{code}-1.jpg"]
    assert [c["key"] for c in body["rubric"]] == ["theme", "skill", "creativity"]
    assert body["max_total"] == 100 and body["score"] is None and body["editable"] is True


async def test_a_score_is_saved_with_its_total_and_audited(j1, platform):
    code = (await _codes(j1))[0]

    response = await j1.put(_score_url(code), json={"scores": GOOD, "comment": " 色彩好 "})

    assert response.status_code == 200, response.text
    assert response.json()["score"] == {"scores": GOOD, "total": 75, "comment": "色彩好"}
    assert response.json()["next"] == (await _codes(j1))[1]
    async with platform.db.session() as session:
        row = (await session.scalars(select(Assignment).join(Entry).where(
            Entry.code == code))).one()
        audits = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "competitions.score_saved")))
    assert (row.status, row.total, row.scores) == ("scored", 75, GOOD)
    assert [a.detail["total"] for a in audits] == [75]


async def test_saving_the_same_score_twice_is_one_change(j1, platform):
    code = (await _codes(j1))[0]

    first = await j1.put(_score_url(code), json={"scores": GOOD})
    again = await j1.put(_score_url(code), json={"scores": GOOD})

    assert first.json()["score"] == again.json()["score"]
    async with platform.db.session() as session:
        audits = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "competitions.score_saved")))
    assert len(audits) == 1


async def test_a_judge_revises_their_score_until_results_are_computed(j1, platform,
                                                                      activity_id):
    code = (await _codes(j1))[0]
    await j1.put(_score_url(code), json={"scores": GOOD})

    revised = await j1.put(_score_url(code), json={"scores": {**GOOD, "skill": 40}})
    assert revised.json()["score"]["total"] == 85
    async with platform.db.transaction() as session:
        entry = (await session.scalars(select(Entry).where(Entry.code == code))).one()
        session.add(Result(activity_id=activity_id, version=1, entry_id=entry.id,
                           group_id=entry.group_id, score=85.0, rank=1))
    locked = await j1.put(_score_url(code), json={"scores": GOOD})

    assert locked.status_code == 409
    assert locked.json()["error"] == {"code": "scoring_closed",
                                      "message": "成绩已计算，不能再修改评分"}


@pytest.mark.parametrize(("scores", "field", "message"), [
    pytest.param({"theme": 25, "skill": 30}, "creativity", "请为“创意”打分", id="missing"),
    pytest.param({**GOOD, "skill": 41}, "skill", "“技法”的得分应在 0–40 分之间", id="over"),
    pytest.param({**GOOD, "theme": -1}, "theme", "“主题表达”的得分应在 0–30 分之间",
                 id="negative"),
    pytest.param({**GOOD, "skill": 12.5}, "skill", "“技法”的得分应为整数", id="fraction"),
    pytest.param({**GOOD, "skill": True}, "skill", "“技法”的得分应为整数", id="boolean"),
    pytest.param({**GOOD, "skill": "三十"}, "skill", "“技法”的得分应为整数", id="text"),
    pytest.param({**GOOD, "colour": 5}, "scores", "未知评分项 colour", id="unknown"),
])
async def test_a_bad_score_is_a_422_naming_the_criterion(j1, platform, scores, field, message):
    code = (await _codes(j1))[0]

    response = await j1.put(_score_url(code), json={"scores": scores})

    assert response.status_code == 422
    assert response.json()["error"] == {"code": "invalid_score", "message": message,
                                        "detail": {"field": field}}
    async with platform.db.session() as session:
        assert {a.status for a in await session.scalars(select(Assignment))} == {"assigned"}


async def test_another_judges_entry_is_a_404_like_a_missing_one(j1, j2):
    theirs = (await _codes(j2))[0]

    seen = await j1.get(f"/api/v1/competitions/judging/entries/{theirs}")
    scored = await j1.put(_score_url(theirs), json={"scores": GOOD})
    missing = await j1.get("/api/v1/competitions/judging/entries/K9999-01-00001")
    page = await j1.get(f"/competitions/judging/entries/{theirs}")

    assert seen.status_code == scored.status_code == missing.status_code == 404
    assert seen.json() == missing.json() == {"error": {"code": "entry_not_found",
                                                       "message": "找不到该作品"}}
    assert scored.json() == seen.json()
    assert page.status_code == 404


async def test_another_judges_copy_is_a_404(j1, j2):
    theirs = (await _codes(j2))[0]
    copy = (await j2.get(f"/api/v1/competitions/judging/entries/{theirs}")).json()["copies"][0]

    assert (await j2.get(copy["url"])).status_code == 200
    assert (await j1.get(copy["url"])).status_code == 404
    assert (await j1.get(copy["thumbnail_url"])).status_code == 404


async def test_a_copy_is_served_under_its_copy_name(j1):
    code = (await _codes(j1))[0]
    copy = (await j1.get(f"/api/v1/competitions/judging/entries/{code}")).json()["copies"][0]

    response = await j1.get(copy["url"])
    thumb = await j1.get(copy["thumbnail_url"])

    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["content-disposition"] == f'inline; filename="{code}-1.jpg"'
    assert thumb.headers["content-disposition"] == f'inline; filename="{code}-1-thumb.jpg"'
    assert response.content[:2] == b"\xff\xd8"


async def test_guardians_and_staff_are_not_judges(client_for, j1):
    code = (await _codes(j1))[0]
    for username in ("parent", "staff"):
        client = await client_for(username)
        response = await client.get(f"/api/v1/competitions/judging/entries/{code}")
        assert response.status_code == 403


async def test_staff_see_progress_per_judge_and_per_panel(staff, j1, activity_id):
    code = (await _codes(j1))[0]
    await j1.put(_score_url(code), json={"scores": GOOD})

    body = (await staff.get(f"/api/v1/competitions/activities/{activity_id}/judging")).json()

    progress = body["progress"]
    assert {(j["username"], j["assigned"], j["scored"]) for j in progress["judges"]} == {
        ("j1", 2, 1), ("j2", 2, 0)}
    assert progress["panels"] == [{"group": 1, "group_name": "小学低段", "panel": 1,
                                   "assigned": 4, "scored": 1}]
    assert progress["groups"] == [{"group": 1, "group_name": "小学低段",
                                   "assigned": 4, "scored": 1}]
    assert (progress["assigned"], progress["scored"]) == (4, 1)


async def test_the_score_form_saves_and_moves_to_the_next_entry(j1, platform):
    first, second = await _codes(j1)
    page = await j1.get(f"/competitions/judging/entries/{first}")
    assert page.status_code == 200
    assert 'inputmode="numeric"' in page.text and "保存并下一个" in page.text

    response = await j1.post(f"/competitions/judging/entries/{first}", data={
        "csrf_token": j1.headers["X-CSRF-Token"], "score_theme": "20", "score_skill": "30",
        "score_creativity": "10", "comment": ""})

    assert response.status_code == 303
    assert response.headers["location"] == f"/competitions/judging/entries/{second}?saved=1"
    async with platform.db.session() as session:
        row = (await session.scalars(select(Assignment).join(Entry).where(
            Entry.code == first))).one()
    assert row.total == 60


async def test_a_bad_score_form_shows_why_and_keeps_what_was_typed(j1):
    first = (await _codes(j1))[0]

    response = await j1.post(f"/competitions/judging/entries/{first}", data={
        "csrf_token": j1.headers["X-CSRF-Token"], "score_theme": "20", "score_skill": "99",
        "score_creativity": "10"})

    assert response.status_code == 422
    assert "“技法”的得分应在 0–40 分之间" in response.text
    assert 'value="99"' in response.text and 'aria-invalid="true"' in response.text
