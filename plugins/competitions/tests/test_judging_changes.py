"""After the draw: replay, drop-outs, manual changes and extra judges, under the same rules."""

from __future__ import annotations

from collections import Counter

import pytest
from bangyaer.identity import Actor, AuditEntry
from bangyaer_competitions.judging import service
from bangyaer_competitions.judging.models import Assignment, JudgeInvite
from bangyaer_competitions.judging.profiles import slots
from bangyaer_competitions.models import Activity, Entry
from bangyaer_competitions.scoring import assign
from bangyaer_competitions.testing import add_judge, judged_activity
from sqlalchemy import select


@pytest.fixture
async def activity_id(staff, platform, district) -> int:
    # Six entries from school B, four judges, two each: loads 3, 3, 3, 3.
    await add_judge(platform, "jb", school_id=district.ids["school_b"])
    return await judged_activity(staff, platform, school_id=district.ids["school_b"],
                                 judges=("j1", "j2", "j3", "j4"), entries=6, k=2)


def _url(activity_id: int, rest: str) -> str:
    return f"/api/v1/competitions/activities/{activity_id}/{rest}"


async def _rows(platform) -> list[Assignment]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(Assignment).order_by(Assignment.id)))


async def _accounts(platform) -> dict[str, int]:
    from bangyaer.identity import Account

    async with platform.db.session() as session:
        return {a.username: a.id for a in await session.scalars(select(Account))}


async def _audits(platform, action: str) -> list[dict]:
    async with platform.db.session() as session:
        return [a.detail for a in await session.scalars(select(AuditEntry).where(
            AuditEntry.action == action))]


async def test_the_recorded_seed_replays_the_draw(staff, activity_id):
    response = await staff.get(_url(activity_id, "judging/replay"))

    assert response.json()["matches"] is True
    assert len(response.json()["seed"]) == 32


async def test_a_given_seed_is_used_recorded_and_replayable(staff, platform, district):
    activity_id = await judged_activity(staff, platform, school_id=district.ids["school_b"],
                                        judges=("j1", "j2", "j3"), entries=5, k=2,
                                        code_prefix="R1", seed="abc123")
    async with platform.db.session() as session:
        entries = list(await session.scalars(select(Entry).where(
            Entry.activity_id == activity_id).order_by(Entry.id)))
        judges = await service.judges_by_group(session, activity_id)
        recorded = {(a.entry_id, a.judge_account_id) for a in await session.scalars(
            select(Assignment).where(Assignment.activity_id == activity_id))}

    def plan(seed: str) -> set[tuple[int, int]]:
        drawn = assign.draw(slots(entries), judges, k=2, seed=seed)
        return {(p.entry_id, p.judge_account_id) for p in drawn.pairs}

    body = (await staff.get(_url(activity_id, "judging"))).json()
    assert body["seed"] == "abc123"
    assert recorded == plan("abc123")
    assert any(plan(f"other-{n}") != recorded for n in range(5))
    assert (await staff.get(_url(activity_id, "judging/replay"))).json()["matches"] is True


async def test_a_dropped_judges_unscored_entries_go_to_others(staff, platform, activity_id):
    ids = await _accounts(platform)
    rows = await _rows(platform)
    mine = [r for r in rows if r.judge_account_id == ids["j1"]]
    invite_id = next(j["id"] for j in (await staff.get(_url(activity_id, "judges"))).json()[
        "judges"] if j["username"] == "j1")
    # j1 has scored one entry: that score stays.
    async with platform.db.transaction() as session:
        kept = await session.get(Assignment, mine[0].id)
        kept.status, kept.scores, kept.total = "scored", {"theme": 1}, 1

    response = await staff.post(_url(activity_id, f"judges/{invite_id}/drop"),
                                 json={"note": "生病"})

    assert response.status_code == 200, response.text
    assert response.json() == {"id": invite_id, "status": "dropped", "reassigned": 2}
    after = await _rows(platform)
    j1_rows = {r.id: r.status for r in after if r.judge_account_id == ids["j1"]}
    assert j1_rows == {mine[0].id: "scored", mine[1].id: "withdrawn", mine[2].id: "withdrawn"}
    live = [r for r in after if r.status != "withdrawn"]
    per_entry = Counter(r.entry_id for r in live)
    assert set(per_entry.values()) == {2}
    new = [r for r in after if r.round == "reassigned"]
    assert {r.entry_id for r in new} == {mine[1].entry_id, mine[2].entry_id}
    for r in new:
        others = {o.judge_account_id for o in after if o.entry_id == r.entry_id and o.id != r.id}
        assert r.judge_account_id not in others | {ids["j1"]}
    loads = Counter(r.judge_account_id for r in live if r.judge_account_id != ids["j1"])
    assert sorted(loads.values()) == [3, 4, 4]
    audit = await _audits(platform, "competitions.assignment_reassigned")
    assert audit[0]["judge"] == ids["j1"] and audit[0]["note"] == "生病"


async def test_a_drop_that_leaves_no_eligible_judge_is_refused(staff, platform, district):
    activity_id = await judged_activity(staff, platform, school_id=district.ids["school_b"],
                                        judges=("j1", "j2"), entries=2, k=2)
    judges = (await staff.get(_url(activity_id, "judges"))).json()["judges"]

    response = await staff.post(_url(activity_id, f"judges/{judges[0]['id']}/drop"), json={})

    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "“小学低段”有 2 件作品找不到足够的无利益冲突评委，请为该组别再邀请评委")
    async with platform.db.session() as session:
        invite = await session.get(JudgeInvite, judges[0]["id"])
    assert invite.status == "active"
    assert {r.status for r in await _rows(platform)} == {"assigned"}


async def test_staff_move_an_entry_to_another_judge_with_a_note(staff, platform, activity_id):
    ids = await _accounts(platform)
    rows = await _rows(platform)
    row = next(r for r in rows if r.judge_account_id == ids["j1"])
    holders = {r.judge_account_id for r in rows if r.entry_id == row.entry_id}
    target = next(ids[u] for u in ("j2", "j3", "j4") if ids[u] not in holders)
    async with platform.db.session() as session:
        code = (await session.get(Entry, row.entry_id)).code

    response = await staff.post(_url(activity_id, "assignments/change"), json={
        "code": code, "from_judge": ids["j1"], "to_judge": target, "note": "回避：亲属"})

    assert response.status_code == 201, response.text
    after = {r.id: r for r in await _rows(platform)}
    assert (after[row.id].status, after[row.id].note) == ("withdrawn", "回避：亲属")
    new = [r for r in after.values() if r.round == "manual"]
    assert [(r.entry_id, r.judge_account_id, r.note) for r in new] == [
        (row.entry_id, target, "回避：亲属")]
    audit = await _audits(platform, "competitions.assignment_changed")
    assert audit == [{"entry_id": row.entry_id, "from_judge": ids["j1"], "to_judge": target,
                      "note": "回避：亲属"}]


@pytest.mark.parametrize(("case", "message"), [
    pytest.param("own_school", "不能改派：该评委在这名学生的学校任职", id="own-school"),
    pytest.param("already_seen", "不能改派：该评委已评过（或分到过）这件作品", id="seen"),
    pytest.param("not_invited", "改派对象不是该组别的评委", id="not-invited"),
    pytest.param("no_note", "请写明改派原因", id="no-note"),
])
async def test_a_manual_change_against_the_rules_is_refused_and_logged(
        staff, platform, activity_id, case, message):
    ids = await _accounts(platform)
    if case == "own_school":
        assert (await staff.post(_url(activity_id, "judges"),
                                 json={"group": 1, "username": "jb"})).status_code == 201
    rows = await _rows(platform)
    row = next(r for r in rows if r.judge_account_id == ids["j1"])
    other = next(r.judge_account_id for r in rows
                 if r.entry_id == row.entry_id and r.id != row.id)
    to = {"own_school": ids["jb"], "already_seen": other, "not_invited": ids["judge"],
          "no_note": other}[case]
    async with platform.db.session() as session:
        code = (await session.get(Entry, row.entry_id)).code

    response = await staff.post(_url(activity_id, "assignments/change"), json={
        "code": code, "from_judge": ids["j1"], "to_judge": to,
        "note": "" if case == "no_note" else "试试"})

    assert response.status_code in (409, 422)
    assert response.json()["error"]["message"] == message
    assert [(r.id, r.status) for r in await _rows(platform)] == [(r.id, r.status) for r in rows]
    if case in ("own_school", "already_seen"):
        refused = await _audits(platform, "competitions.assignment_change_refused")
        assert refused[0]["reason"] == case


async def test_a_scored_entry_cannot_be_moved(staff, platform, activity_id):
    ids = await _accounts(platform)
    row = next(r for r in await _rows(platform) if r.judge_account_id == ids["j1"])
    async with platform.db.transaction() as session:
        (await session.get(Assignment, row.id)).status = "scored"
        code = (await session.get(Entry, row.entry_id)).code

    response = await staff.post(_url(activity_id, "assignments/change"), json={
        "code": code, "from_judge": ids["j1"], "to_judge": ids["j2"], "note": "改"})

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "该评委已评分，不能改派"


async def test_add_judges_gives_unseen_judges_and_scored_lists_the_scores(
        staff, platform, activity_id):
    ids = await _accounts(platform)
    rows = await _rows(platform)
    entry_id = rows[0].entry_id
    async with platform.db.transaction() as session:
        for r in rows:
            if r.entry_id == entry_id:
                row = await session.get(Assignment, r.id)
                row.status, row.total, row.scores = "scored", 50, {"theme": 50}
    async with platform.db.transaction() as session:
        activity = await session.get(Activity, activity_id)
        actor = Actor(registry=platform.permissions, account_id=ids["staff"])
        added = await service.add_judges(session, actor, activity, [entry_id], count=2,
                                         round="extra")
        added = [(a.entry_id, a.judge_account_id, a.round) for a in added]
    async with platform.db.session() as session:
        found = await service.scored(session, activity_id)

    before = {r.judge_account_id for r in rows if r.entry_id == entry_id}
    assert len(added) == 2 and all(e == entry_id and rnd == "extra" for e, _, rnd in added)
    assert not {j for _, j, _ in added} & before
    assert list(found) == [entry_id]
    assert {a.judge_account_id for a in found[entry_id]} == before
    audit = await _audits(platform, "competitions.judges_added")
    assert audit[0]["round"] == "extra" and audit[0]["seed"]


async def test_add_judges_refuses_when_no_unseen_judge_is_left(staff, platform, activity_id):
    from bangyaer.web import ApiError

    ids = await _accounts(platform)
    entry_id = (await _rows(platform))[0].entry_id
    async with platform.db.transaction() as session:
        activity = await session.get(Activity, activity_id)
        actor = Actor(registry=platform.permissions, account_id=ids["staff"])
        with pytest.raises(ApiError, match="找不到足够的无利益冲突评委"):
            await service.add_judges(session, actor, activity, [entry_id], count=3,
                                     round="appeal")


async def test_the_setup_is_fixed_once_drawn(staff, activity_id):
    response = await staff.put(_url(activity_id, "judging"), json={"judges_per_entry": 4})

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "已分配评委，评委人数和评分细则不能再改"


async def test_a_dropped_judge_no_longer_sees_the_groups_entries(staff, platform, activity_id,
                                                                 make_client):
    from bangyaer.testing import login

    j1 = make_client(platform)
    await login(j1, "j1", "Passw0rd-test")
    queue = (await j1.get("/api/v1/competitions/judging/queue")).json()["activities"]
    code = queue[0]["entries"][0]["code"]
    invite_id = next(j["id"] for j in (await staff.get(_url(activity_id, "judges"))).json()[
        "judges"] if j["username"] == "j1")

    await staff.post(_url(activity_id, f"judges/{invite_id}/drop"), json={"note": "出差"})

    assert (await j1.get("/api/v1/competitions/judging/queue")).json()["activities"] == []
    assert (await j1.get(f"/api/v1/competitions/judging/entries/{code}")).status_code == 404
