"""From real judging to final results: judges score over the API, an appeal is re-judged."""

from __future__ import annotations

import datetime as dt

from bangyaer.certificates import Certificate
from bangyaer.identity import Guardianship
from bangyaer.testing import drain, login
from bangyaer_competitions.models import Entry
from bangyaer_competitions.results.models import Appeal
from bangyaer_competitions.results.testing import QUOTA, Seeded, shift_window
from bangyaer_competitions.testing import act_for, add_judge, invite, judged_activity
from sqlalchemy import select

NAMES = ["张三丰", "欧阳小明", "李华"]
# Per judge, per entry (in code order): theme (of 30), skill (of 40), creativity (of 30).
MARKS = {"j1": [(28, 38, 28), (25, 30, 25), (20, 25, 20)],
         "j2": [(27, 36, 27), (24, 32, 24), (21, 24, 20)],
         "j3": [(29, 37, 26), (26, 31, 23), (19, 26, 21)]}


async def _judge(make_client, platform, username):
    client = make_client(platform)
    await login(client, username, "Passw0rd-test")
    return client


async def _score_all(client, totals_by_code):
    for code, (theme, skill, creativity) in totals_by_code.items():
        response = await client.put(f"/api/v1/competitions/judging/entries/{code}/score",
                                    json={"scores": {"theme": theme, "skill": skill,
                                                     "creativity": creativity}})
        assert response.status_code == 200, response.text


async def test_judged_entries_become_final_results_after_an_appeal(
        staff, parent, platform, district, make_client):
    activity_id = await judged_activity(staff, platform, school_id=district.ids["school_b"],
                                        entries=3, names=NAMES)
    async with platform.db.transaction() as session:
        entries = list(await session.scalars(select(Entry).where(
            Entry.activity_id == activity_id).order_by(Entry.code)))
        session.add(Guardianship(guardian_id=district.ids["parent"],
                                 student_id=entries[1].student_id, relation="F"))
    codes = [e.code for e in entries]
    for username, marks in MARKS.items():
        await _score_all(await _judge(make_client, platform, username),
                         dict(zip(codes, marks, strict=True)))
    base = f"/api/v1/competitions/activities/{activity_id}"
    await staff.patch(f"{base}/results/settings", json={"award_rule": QUOTA})

    draft = (await staff.post(f"{base}/results/compute", json={})).json()
    await staff.post(f"{base}/results/publish", json={})
    await act_for(parent, entries[1].student_id)
    appeal = (await parent.post(f"/api/v1/competitions/entries/{codes[1]}/appeal",
                                json={"reason": "请复核"})).json()
    for username in ("j4", "j5", "j6"):
        await add_judge(platform, username)
        assert (await invite(staff, activity_id, 1, username)).status_code == 201
    accepted = await staff.post(f"/api/v1/competitions/appeals/{appeal['id']}/decision",
                                json={"accept": True, "reason": "受理"})
    for username in ("j4", "j5", "j6"):
        # An appeal judge knows the entry only by its review alias.
        judge = await _judge(make_client, platform, username)
        queue = (await judge.get("/api/v1/competitions/judging/queue")).json()["activities"]
        [handle] = [e["code"] for a in queue for e in a["entries"]]
        assert handle.startswith("复核-")
        await _score_all(judge, {handle: (30, 40, 30)})
    recomputed = (await staff.post(f"{base}/results/compute", json={})).json()
    await shift_window(platform, Seeded(activity_id, {}), dt.timedelta(seconds=-1))
    final = await staff.post(f"{base}/results/finalise", json={})
    await drain(platform)

    ranks = {r["code"]: (r["rank"], r["award"]) for g in draft["groups"] for r in g["results"]}
    assert ranks == {codes[0]: (1, "一等奖"), codes[1]: (2, "二等奖"), codes[2]: (3, "三等奖")}
    assert accepted.status_code == 200, accepted.text
    after = {r["code"]: (r["rank"], r["award"])
             for g in recomputed["groups"] for r in g["results"]}
    assert after == {codes[1]: (1, "一等奖"), codes[0]: (2, "二等奖"), codes[2]: (3, "三等奖")}
    assert final.status_code == 201
    async with platform.db.session() as session:
        row = await session.get(Appeal, appeal["id"])
        awards = sorted(c.award for c in await session.scalars(select(Certificate)))
    assert row is not None and (row.before["award"], row.after["award"]) == ("二等奖", "一等奖")
    assert awards == ["一等奖", "三等奖", "二等奖"]
