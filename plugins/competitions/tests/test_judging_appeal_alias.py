"""After a 公示, a judge who re-judges an entry never learns its entry code.

The 公示 pairs each awarded code with a masked name and a school. A judge
given the entry afterwards (the appeal round, or a later manual change) sees
only its review alias, reaches it only by the alias, and gets copies named
after the alias: the code, the name, the masked name and the school of the
entry are in nothing they can reach, and trying the code tells them nothing."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

import pytest
from bangyaer.identity import Guardianship
from bangyaer.testing import login
from bangyaer_competitions.anonymise import samples
from bangyaer_competitions.judging import aliases
from bangyaer_competitions.judging.models import Assignment, JudgingCopy
from bangyaer_competitions.models import Entry
from bangyaer_competitions.results.testing import QUOTA
from bangyaer_competitions.scoring.mask import mask_name
from bangyaer_competitions.testing import (
    act_for,
    add_judge,
    invite,
    judged_activity,
)
from sqlalchemy import select, update

NAMES = ["张三丰", "欧阳小明", "李华", "赵小燕"]
SCHOOL, KLASS = "乙中学", "初一(1)班"
GOOD = {"theme": 25, "skill": 30, "creativity": 20}
LINK = re.compile(r'(?:href|src|action)="([^"]+)"')
JUDGING = ("/competitions/judging", "/api/v1/competitions/judging")


async def _client(make_client, platform, username: str):
    client = make_client(platform)
    await login(client, username, "Passw0rd-test")
    return client


async def _held(platform, username_id: int) -> list[tuple[str, str, int]]:
    """(entry code, status, assignment id) of a judge's live assignments, by code."""
    async with platform.db.session() as session:
        rows = await session.execute(
            select(Entry.code, Assignment.status, Assignment.id)
            .join(Entry, Entry.id == Assignment.entry_id)
            .where(Assignment.judge_account_id == username_id,
                   Assignment.status != "withdrawn").order_by(Entry.code))
        return [tuple(r) for r in rows]


@pytest.fixture
async def appealed(staff, parent, platform, district, make_client):
    """j1 and j2 judge two entries each; j2 leaves one unscored; the results are
    publicised; an appeal against one of j1's awarded entries goes to j2."""
    j1_id, j2_id = await add_judge(platform, "j1"), await add_judge(platform, "j2")
    activity_id = await judged_activity(
        staff, platform, school_id=district.ids["school_b"], judges=("j1", "j2"), k=1,
        make_judges=False, names=NAMES, class_id=district.ids["class_b1"],
        files=[(samples.jpeg(), "image/jpeg", "photo.jpg"),
               (samples.pdf(), "application/pdf", "essay.pdf")])
    async with platform.db.transaction() as session:
        # The 公示 shows the school; these rows are what it reads.
        await session.execute(update(Entry).values(school_name=SCHOOL, class_name=KLASS))
    j1 = await _client(make_client, platform, "j1")
    j2 = await _client(make_client, platform, "j2")
    mine, theirs = await _held(platform, j1_id), await _held(platform, j2_id)
    for code, _status, _id in mine:
        await j1.put(f"/api/v1/competitions/judging/entries/{code}/score", json={"scores": GOOD})
    await j2.put(f"/api/v1/competitions/judging/entries/{theirs[0][0]}/score",
                 json={"scores": {**GOOD, "skill": 10}})
    base = f"/api/v1/competitions/activities/{activity_id}"
    await staff.patch(f"{base}/results/settings", json={"award_rule": QUOTA})
    assert (await staff.post(f"{base}/results/compute", json={"force": True})).status_code == 201
    assert (await staff.post(f"{base}/results/publish", json={})).status_code == 201
    target = mine[0][0]
    async with platform.db.transaction() as session:
        entry = (await session.scalars(select(Entry).where(Entry.code == target))).one()
        session.add(Guardianship(guardian_id=district.ids["parent"],
                                 student_id=entry.student_id, relation="F"))
        name = entry.student_name
    await act_for(parent, entry.student_id)
    appeal = (await parent.post(f"/api/v1/competitions/entries/{target}/appeal",
                                json={"reason": "请复核"})).json()
    decided = await staff.post(f"/api/v1/competitions/appeals/{appeal['id']}/decision",
                               json={"accept": True, "reason": "受理"})
    assert decided.status_code == 200, decided.text
    return {"activity_id": activity_id, "code": target, "name": name, "j1": j1, "j2": j2,
            "j2_id": j2_id, "theirs": [c for c, _s, _i in theirs]}


async def test_the_publicity_lists_what_the_appeal_judge_must_not_see(appealed, parent):
    awards = (await parent.get(
        f"/api/v1/competitions/activities/{appealed['activity_id']}/awards")).json()

    listed = [(r["code"], r["name"], r["school"]) for g in awards["groups"]
              for r in g["awards"]]
    assert (appealed["code"], mask_name(appealed["name"]), SCHOOL) in listed


async def test_the_appeal_judge_sees_the_entry_only_by_its_alias(appealed, platform):
    j2 = appealed["j2"]
    held = await _held(platform, appealed["j2_id"])
    [(_code, _status, assignment_id)] = [h for h in held if h[0] == appealed["code"]]

    queue = (await j2.get("/api/v1/competitions/judging/queue")).json()["activities"][0]

    assert [(e["code"], e["review"]) for e in queue["entries"]] == [
        (appealed["theirs"][0], False), (appealed["theirs"][1], False),
        (f"复核-{assignment_id}", True)]
    assert queue["next"] == appealed["theirs"][1]


async def test_the_entry_code_reaches_nothing_for_the_appeal_judge(appealed, platform):
    j2, code = appealed["j2"], appealed["code"]
    async with platform.db.session() as session:
        copy_ids = list(await session.scalars(select(JudgingCopy.id).join(Entry).where(
            Entry.code == code)))
    missing = {"error": {"code": "entry_not_found", "message": "找不到该作品"}}

    api = await j2.get(f"/api/v1/competitions/judging/entries/{code}")
    put = await j2.put(f"/api/v1/competitions/judging/entries/{code}/score",
                       json={"scores": GOOD})
    page = await j2.get(f"/competitions/judging/entries/{code}")
    by_position = await j2.get(f"/api/v1/competitions/judging/entries/{code}/copies/1")
    by_id = [await j2.get(f"/api/v1/competitions/judging/copies/{i}") for i in copy_ids]

    assert api.status_code == put.status_code == page.status_code == 404
    assert api.json() == put.json() == missing
    assert by_position.status_code == 404
    assert [r.status_code for r in by_id] == [404, 404]


async def test_the_first_judge_still_sees_the_entry_code(appealed):
    code = appealed["code"]

    body = (await appealed["j1"].get(f"/api/v1/competitions/judging/entries/{code}")).json()

    assert (body["code"], body["review"]) == (code, False)


async def test_copies_under_an_alias_keep_their_bytes_and_take_the_alias_name(
        appealed, platform):
    j2 = appealed["j2"]
    queue = (await j2.get("/api/v1/competitions/judging/queue")).json()["activities"][0]
    handle = queue["entries"][-1]["code"]
    assignment_id = aliases.parse(handle)

    view = (await j2.get(f"/api/v1/competitions/judging/entries/{handle}")).json()
    image = await j2.get(view["copies"][0]["url"])
    thumb = await j2.get(view["copies"][0]["thumbnail_url"])
    document = await j2.get(view["copies"][1]["url"])

    async with platform.db.session() as session:
        stored = list(await session.scalars(select(JudgingCopy).join(Entry).where(
            Entry.code == appealed["code"]).order_by(JudgingCopy.position)))
    blobs = [b"".join([c async for c in platform.blobs.open(s.sha256)]) for s in stored]
    assert [c["name"] for c in view["copies"]] == [f"R{assignment_id}-1.jpg",
                                                   f"R{assignment_id}-2.pdf"]
    assert all("id" not in c for c in view["copies"])
    assert image.headers["content-disposition"] == (
        f'inline; filename="R{assignment_id}-1.jpg"')
    assert thumb.headers["content-disposition"] == (
        f'inline; filename="R{assignment_id}-1-thumb.jpg"')
    assert document.headers["content-disposition"] == (
        f'inline; filename="R{assignment_id}-2.pdf"')
    assert [image.content, document.content] == blobs
    assert stored[0].name == f"{appealed['code']}-1.jpg"  # the stored copy is unchanged


def _forbidden(appealed) -> list[bytes]:
    words = [appealed["code"], appealed["name"], mask_name(appealed["name"]), SCHOOL, KLASS]
    found = samples.needles(*words)
    found += [json.dumps(w).strip('"').encode() for w in words]
    return found


async def test_nothing_the_appeal_judge_reaches_names_the_appealed_entry(appealed):
    j2 = appealed["j2"]
    token = j2.headers["X-CSRF-Token"]
    seen: dict[str, bytes] = {}
    followed: list[str] = []
    todo = ["/", "/competitions/judging/", "/api/v1/competitions/judging/queue"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        followed.append(url)
        response = await j2.get(url)
        seen[url] = response.content + json.dumps(dict(response.headers)).encode()
        kind = response.headers.get("content-type", "")
        if "text/html" in kind:
            todo += [u for u in LINK.findall(response.text) if u.startswith(JUDGING)]
        if kind.startswith("application/json"):
            todo += re.findall(r'"(/api/v1/competitions/judging/[^"]+)"', response.text)
            todo += [f"/api/v1/competitions/judging/entries/{h}" for h in
                     re.findall(r'"(?:code|next)": ?"([^"]+)"', response.text)]
    queue = (await j2.get("/api/v1/competitions/judging/queue")).json()["activities"][0]
    handle = queue["entries"][-1]["code"]
    # Scoring, refused and accepted, by form ("save and next") and by the API.
    form_bad = await j2.post(f"/competitions/judging/entries/{handle}",
                             data={"csrf_token": token, "score_theme": "x"},
                             headers={"X-CSRF-Token": ""})
    form_next = await j2.post(f"/competitions/judging/entries/{appealed['theirs'][1]}",
                              data={"csrf_token": token, "score_theme": "20",
                                    "score_skill": "20", "score_creativity": "20"},
                              headers={"X-CSRF-Token": ""})
    put_bad = await j2.put(f"/api/v1/competitions/judging/entries/{handle}/score",
                           json={"scores": {"theme": 99}})
    put_good = await j2.put(f"/api/v1/competitions/judging/entries/{handle}/score",
                            json={"scores": GOOD})
    again = await j2.get(f"/competitions/judging/entries/{handle}")
    for label, response in {"form bad": form_bad, "form next": form_next, "put bad": put_bad,
                            "put good": put_good, "page after": again}.items():
        seen[label] = response.content + json.dumps(dict(response.headers)).encode()

    assert form_bad.status_code == 422 and put_bad.status_code == 422
    assert form_next.status_code == 303
    assert unquote(form_next.headers["location"]) == (
        f"/competitions/judging/entries/{handle}?saved=1")
    assert put_good.status_code == 200 and put_good.json()["next"] is None
    copies = f"/api/v1/competitions/judging/entries/{handle}/copies"
    assert {f"{copies}/1", f"{copies}/1/thumbnail", f"{copies}/2"} <= {
        unquote(u) for u in followed}  # the crawl reached the aliased copies
    needles = _forbidden(appealed)
    for label, body in seen.items():
        leaked = [n for n in needles if n in body]
        assert not leaked, f"{label} shows {leaked[:3]}"
    for url in [*followed, form_next.headers["location"]]:
        assert appealed["code"] not in unquote(urlsplit(url).path), url


async def test_a_judge_given_the_entry_by_hand_after_the_publicity_sees_an_alias(
        appealed, staff, platform, make_client):
    # A manual change after the 公示 is not the appeal round, but is just as late.
    j3_id = await add_judge(platform, "j3")
    await invite(staff, appealed["activity_id"], 1, "j3")
    changed = await staff.post(
        f"/api/v1/competitions/activities/{appealed['activity_id']}/assignments/change",
        json={"code": appealed["code"], "from_judge": appealed["j2_id"], "to_judge": j3_id,
              "note": "评委临时有事"})
    assert changed.status_code == 201, changed.text
    j3 = await _client(make_client, platform, "j3")
    [(_code, _status, assignment_id)] = await _held(platform, j3_id)

    queue = (await j3.get("/api/v1/competitions/judging/queue")).json()["activities"][0]
    by_code = await j3.get(f"/api/v1/competitions/judging/entries/{appealed['code']}")

    assert [e["code"] for e in queue["entries"]] == [f"复核-{assignment_id}"]
    assert by_code.status_code == 404


@pytest.mark.parametrize(("handle", "expected"), [
    pytest.param("复核-12", 12, id="alias"),
    pytest.param("复核-012", None, id="leading-zero"),
    pytest.param("复核-", None, id="no-id"),
    pytest.param("K2026-01-00012", None, id="entry-code"),
    pytest.param("复核-01-00001", None, id="code-with-that-prefix"),
])
def test_only_an_alias_parses_as_one(handle, expected):
    assert aliases.parse(handle) == expected
