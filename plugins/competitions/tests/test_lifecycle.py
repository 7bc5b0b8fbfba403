"""The lifecycle: only the allowed moves, each recorded with who and when; the moves that
belong to the draw, the 公示 and finalising are made only by those steps."""

from __future__ import annotations

from pathlib import Path

import bangyaer_competitions
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from bangyaer.identity import Actor
from bangyaer.testing import login
from bangyaer_competitions import lifecycle
from bangyaer_competitions.models import Activity
from bangyaer_competitions.results.testing import QUOTA
from bangyaer_competitions.testing import (
    add_entries,
    add_judge,
    close_submissions,
    create_activity,
    invite,
)

GOOD = {"theme": 25, "skill": 30, "creativity": 20}
STEP_OF = {"judging": "draw", "results": "publish", "finished": "finalise"}


async def _move(client, activity_id: int, to: str):
    return await client.post(f"/api/v1/competitions/activities/{activity_id}/transitions",
                             json={"to": to})


async def _step(platform, activity_id: int, to: str) -> None:
    """A move as its desk step makes it (without the step's other work)."""
    async with platform.db.transaction() as session:
        activity = await session.get(Activity, activity_id)
        await lifecycle.move(session, activity, to, Actor(registry=platform.permissions),
                             step=STEP_OF.get(to))


async def test_the_whole_lifecycle_is_recorded_move_by_move(staff, platform, district,
                                                            make_client):
    activity_id = await create_activity(staff, open_it=False)
    base = f"/api/v1/competitions/activities/{activity_id}"
    assert (await _move(staff, activity_id, "open")).status_code == 200
    await add_entries(platform, activity_id, 1, 1, school_id=district.ids["school_b"])
    await add_judge(platform, "j1")
    await invite(staff, activity_id, 1, "j1")
    await staff.put(f"{base}/judging", json={"judges_per_entry": 1})
    await close_submissions(staff, platform, activity_id)
    assert (await staff.post(f"{base}/draw", json={})).status_code == 201
    judge = make_client(platform)
    await login(judge, "j1", "Passw0rd-test")
    [code] = [e["code"] for a in (await judge.get("/api/v1/competitions/judging/queue"))
              .json()["activities"] for e in a["entries"]]
    await judge.put(f"/api/v1/competitions/judging/entries/{code}/score",
                    json={"scores": GOOD})
    await staff.patch(f"{base}/results/settings", json={"award_rule": QUOTA})
    await staff.post(f"{base}/results/compute", json={})
    assert (await staff.post(f"{base}/results/publish", json={})).status_code == 201
    finalised = await staff.post(f"{base}/results/finalise",
                                 json={"override_reason": "测试：不等公示期满"})
    assert finalised.status_code == 201, finalised.text

    stats = (await staff.get(f"{base}/stats")).json()

    assert [(h["from"], h["to"]) for h in stats["history"]] == [
        ("", "draft"), ("draft", "open"), ("open", "submissions_closed"),
        ("submissions_closed", "judging"), ("judging", "results"), ("results", "finished")]
    assert stats["allowed_moves"] == [] and stats["desk_moves"] == []
    assert all(h["at"] for h in stats["history"])


@pytest.mark.parametrize(("moves", "to", "message", "action", "desk"), [
    pytest.param(["open", "submissions_closed"], "judging",
                 "请在评审管理页分配评委，分配完成后活动自动进入“评审中”", "draw", "judging",
                 id="judging-without-draw"),
    pytest.param(["open", "submissions_closed", "judging"], "results",
                 "请在评审结果页发布公示，发布后活动自动进入“已出结果”", "publish", "results",
                 id="results-without-publicity"),
    pytest.param(["open", "submissions_closed", "judging", "results"], "finished",
                 "请在评审结果页确定最终结果，确定后活动自动结束", "finalise", "results",
                 id="finished-without-finalising"),
])
async def test_a_move_that_belongs_to_a_desk_step_is_a_409_naming_it(
        staff, platform, moves, to, message, action, desk):
    activity_id = await create_activity(staff, open_it=False)
    for step in moves:
        await _step(platform, activity_id, step)

    response = await _move(staff, activity_id, to)
    stats = (await staff.get(f"/api/v1/competitions/activities/{activity_id}/stats")).json()

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "transition_needs_step", "message": message,
        "detail": {"action": action, "url": f"/competitions/manage/{activity_id}/{desk}"}}
    assert stats["status"] == moves[-1]
    assert stats["allowed_moves"] == []
    assert stats["desk_moves"] == [{
        "to": to, "action": action, "title": {"draw": "分配评委", "publish": "发布公示",
                                              "finalise": "确定最终结果"}[action],
        "url": f"/competitions/manage/{activity_id}/{desk}"}]


async def test_the_refusal_is_in_english_for_an_english_client(staff, platform):
    activity_id = await create_activity(staff, open_it=False)
    for step in ("open", "submissions_closed", "judging"):
        await _step(platform, activity_id, step)

    response = await staff.post(
        f"/api/v1/competitions/activities/{activity_id}/transitions?lang=en",
        json={"to": "results"})

    assert response.json()["error"]["message"] == (
        "Publish the public notice on the results desk; the activity then moves to "
        "“Results” by itself")


async def test_a_measured_activity_moves_on_to_judging_without_a_draw(staff):
    activity_id = await create_activity(staff, type="measured_result")
    assert (await _move(staff, activity_id, "submissions_closed")).status_code == 200

    response = await _move(staff, activity_id, "judging")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "judging"
    assert response.json()["desk_moves"][0]["action"] == "publish"


@pytest.mark.parametrize(("moves", "to", "message"), [
    pytest.param([], "judging",
                 "活动处于“草稿”，不能改为“评审中”（可改为：报名中）", id="skip-ahead"),
    pytest.param(["open"], "draft",
                 "活动处于“报名中”，不能改为“草稿”（可改为：已截止提交）", id="back"),
    pytest.param(["open", "submissions_closed"], "open",
                 "活动处于“已截止提交”，不能改为“报名中”（可改为：评审中）", id="reopen"),
    pytest.param(["open"], "open",
                 "活动处于“报名中”，不能改为“报名中”（可改为：已截止提交）", id="same"),
])
async def test_a_refused_move_is_a_409_naming_the_allowed_ones(staff, moves, to, message):
    activity_id = await create_activity(staff, open_it=False)
    for step in moves:
        await _move(staff, activity_id, step)

    response = await _move(staff, activity_id, to)

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "transition_refused", "message": message}


async def test_a_move_from_finished_is_refused(staff, platform):
    activity_id = await create_activity(staff, open_it=False)
    for to in ("open", "submissions_closed", "judging", "results", "finished"):
        await _step(platform, activity_id, to)

    response = await _move(staff, activity_id, "results")

    assert response.json()["error"]["message"] == (
        "活动处于“已结束”，不能改为“已出结果”（可改为：无）")


async def test_an_unknown_status_is_a_422(staff):
    activity_id = await create_activity(staff, open_it=False)

    response = await _move(staff, activity_id, "published")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_status"


async def test_a_school_admin_cannot_move_a_district_activity(staff, client_for):
    activity_id = await create_activity(staff, open_it=False)
    head = await client_for("head_a")

    response = await _move(head, activity_id, "open")

    assert response.status_code == 403


async def test_a_guardian_cannot_move_an_activity(staff, parent):
    activity_id = await create_activity(staff, open_it=False)

    response = await _move(parent, activity_id, "open")

    assert response.status_code == 403


def test_every_lifecycle_and_judging_message_has_an_english_translation():
    base = Path(bangyaer_competitions.__file__).parent
    with (base / "locale/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    used = {msg for path in [base / "lifecycle.py", *(base / "judging").glob("*.py")]
            for _line, msg, _comments, _context in extract_from_file(
                "python", str(path), keywords={"_": None, "N_": None})}

    assert used and sorted(m for m in used if not (catalogue.get(m) and
                                                   catalogue.get(m).string)) == []
