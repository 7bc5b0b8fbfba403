"""The lifecycle: only the allowed moves, each recorded with who and when."""

from __future__ import annotations

import pytest
from bangyaer_competitions.testing import create_activity


async def _move(client, activity_id: int, to: str):
    return await client.post(f"/api/v1/competitions/activities/{activity_id}/transitions",
                             json={"to": to})


async def test_the_whole_lifecycle_is_recorded_move_by_move(staff, district):
    activity_id = await create_activity(staff, open_it=False)
    for to in ("open", "submissions_closed", "judging", "results", "finished"):
        assert (await _move(staff, activity_id, to)).status_code == 200

    stats = (await staff.get(f"/api/v1/competitions/activities/{activity_id}/stats")).json()

    assert [(h["from"], h["to"]) for h in stats["history"]] == [
        ("", "draft"), ("draft", "open"), ("open", "submissions_closed"),
        ("submissions_closed", "judging"), ("judging", "results"), ("results", "finished")]
    assert stats["allowed_moves"] == []
    assert all(h["at"] for h in stats["history"])


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


async def test_a_move_from_finished_is_refused(staff):
    activity_id = await create_activity(staff, open_it=False)
    for to in ("open", "submissions_closed", "judging", "results", "finished"):
        await _move(staff, activity_id, to)

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
