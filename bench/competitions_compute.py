"""Computing a district competition's results on the database: 12,530 entries × 3 scores.

    python bench/competitions_compute.py [--db sqlite|postgresql+asyncpg://…/postgres]
                                         [--entries 12530] [--rounds 3]

Builds a throw-away database with one activity in judging: the entries in
four groups, 150 judges, three scored assignments an entry (totals from a
fixed seed), and a quota award rule. Then, alternating round by round, it
times in one process:

- the baseline: the same reads and writes with nothing in between, i.e. one
  SELECT of the entries, one of the scored assignments, and one executemany
  INSERT of a result row per entry (score = plain mean, rank and award
  left empty), in one transaction;
- ``POST …/results/compute`` through the app in-process (httpx's ASGI
  transport, so no network): access checks, the pending-score check,
  ``aggregate`` (mean), ``rank_group`` per group with ``criterion:skill``,
  ``median``, ``give_awards``, one bulk INSERT of the new version, audit.

Each figure is the median of the rounds in wall-clock milliseconds. Result
rows of earlier rounds stay (each computation is a new version), so the
later rounds also show that versions do not slow each other down.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform as host
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

GROUPS = (("幼儿组", 2070), ("小学低段", 4083), ("小学高段", 4036), ("初中组", 2341))
JUDGES = 150
TIME_LIMIT = 900.0


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def build(platform: Any, entries: int) -> int:
    """Seed the district, the activity, its entries and their scores; the activity id."""
    from bangyaer.identity import Account, Organisation, OrgKind, Person, PersonKind, place_person
    from bangyaer.testing import TinyDistrict
    from bangyaer_competitions.judging.models import Assignment, JudgeInvite, JudgingSetup
    from bangyaer_competitions.models import Activity, Entry, Group

    district = await TinyDistrict().build(platform)
    rng = random.Random(20261204)
    scale = entries / sum(n for _, n in GROUPS)
    now = dt.datetime.now(dt.UTC)
    async with platform.db.transaction() as session:
        home = await session.get(Organisation, district.ids["district"])
        school = await session.get(Organisation, district.ids["school_a"])
        assert home is not None and school is not None and school.kind == OrgKind.school
        activity = Activity(org_id=home.id, org_path=home.path, title="区少儿书画比赛",
                            category="艺术", type_id="artwork", status="judging",
                            code_prefix="K2026", eligibility={}, registration_opens_at=now,
                            registration_closes_at=now, submission_deadline=now)
        session.add(activity)
        await session.flush()
        judge_ids = []
        for j in range(JUDGES):
            person = Person(kind=PersonKind.staff, name=f"评委{j}", external_no=f"BJ{j}")
            place_person(person, home)
            session.add(person)
            await session.flush()
            account = Account(person_id=person.id, username=f"bench-judge-{j}")
            session.add(account)
            await session.flush()
            judge_ids.append(account.id)
        session.add(JudgingSetup(activity_id=activity.id, judges_per_entry=3, rubric=[
            {"key": k, "title_zh": k, "title_en": k, "max_score": m}
            for k, m in (("theme", 30), ("skill", 40), ("creativity", 30))],
            tie_break=["criterion:skill", "median"], award_rule={
                "mode": "quota", "rounding": "floor", "cut_ties": "include",
                "levels": [{"name": "一等奖", "percent": 10}, {"name": "二等奖", "percent": 20},
                           {"name": "三等奖", "percent": 30}, {"name": "优胜奖", "percent": 20}]},
            withheld=[]))
        seq = 0
        for number, (name, size) in enumerate(GROUPS, 1):
            group = Group(activity_id=activity.id, number=number, name=name, stage="primary",
                          grade_min=1, grade_max=6)
            session.add(group)
            await session.flush()
            panel = judge_ids[(number - 1) * 30:(number - 1) * 30 + 30 + (30 if number == 4
                                                                          else 0)]
            await session.execute(insert(JudgeInvite), [
                {"activity_id": activity.id, "group_id": group.id, "account_id": a,
                 "status": "active", "invited_at": now} for a in panel])
            count = round(size * scale)
            students = [{"kind": PersonKind.student, "name": f"学生{seq + i}",
                         "external_no": f"BS{seq + i}", "school_id": school.id}
                        for i in range(count)]
            await session.execute(insert(Person), students)
            ids = list(await session.scalars(select(Person.id).where(
                Person.external_no.in_([s["external_no"] for s in students])).order_by(
                Person.id)))
            rows = [{"activity_id": activity.id, "group_id": group.id,
                     "code": f"K2026-{number:02d}-{i + 1:05d}", "seq": i + 1, "slot": 1,
                     "status": "submitted", "student_id": sid, "student_name": "学生",
                     "school_id": school.id, "school_name": school.name,
                     "org_path": school.path, "submitted_at": now, "created_at": now,
                     "updated_at": now} for i, sid in enumerate(ids)]
            await session.execute(insert(Entry), rows)
            entry_ids = list(await session.scalars(select(Entry.id).where(
                Entry.group_id == group.id).order_by(Entry.id)))
            marks = []
            for entry_id in entry_ids:
                for judge in rng.sample(panel, 3):
                    theme, skill, creativity = (rng.randint(10, 30), rng.randint(15, 40),
                                                rng.randint(10, 30))
                    marks.append({"activity_id": activity.id, "group_id": group.id,
                                  "panel": 1, "entry_id": entry_id, "judge_account_id": judge,
                                  "round": "initial", "status": "scored",
                                  "scores": {"theme": theme, "skill": skill,
                                             "creativity": creativity},
                                  "total": theme + skill + creativity, "comment": "",
                                  "assigned_at": now, "scored_at": now, "note": ""})
            await session.execute(insert(Assignment), marks)
            seq += count
        return activity.id


async def next_version(platform: Any, activity_id: int) -> int:
    from bangyaer_competitions.results.models import Result

    async with platform.db.session() as session:
        found = await session.scalar(select(func.max(Result.version)).where(
            Result.activity_id == activity_id))
    return int(found or 0) + 1


async def baseline(platform: Any, activity_id: int, version: int) -> None:
    from bangyaer_competitions.judging.models import Assignment
    from bangyaer_competitions.models import Entry
    from bangyaer_competitions.results.models import Result

    async with platform.db.transaction() as session:
        entries = (await session.execute(select(Entry.id, Entry.group_id).where(
            Entry.activity_id == activity_id))).all()
        totals: dict[int, list[int]] = {}
        for entry_id, total in await session.execute(select(
                Assignment.entry_id, Assignment.total).where(
                Assignment.activity_id == activity_id, Assignment.status == "scored")):
            totals.setdefault(entry_id, []).append(total)
        await session.execute(insert(Result), [
            {"activity_id": activity_id, "version": version, "entry_id": e, "group_id": g,
             "score": sum(totals[e]) / len(totals[e]), "rank": None, "award": None,
             "flagged": False, "details": {}} for e, g in entries])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--entries", type=int, default=12530)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import bangyaer_competitions.plugin
    from bangyaer.platform import Platform
    from bangyaer.settings import load_settings
    from bangyaer.testing import TinyDistrict, login
    from bangyaer.web import create_app
    from bangyaer_competitions.results.models import Result

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        url = (f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}" if args.db == "sqlite"
               else args.db)
        settings = load_settings(Path(tmp) / "data", environ={}, secret_key="b" * 32,
                                 database_url=url, embedded_worker=False)
        platform = Platform(settings, plugins=[bangyaer_competitions.plugin], discover=False)
        await platform.create_schema()
        try:
            activity_id = await build(platform, args.entries)
            app = create_app(platform=platform)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://bench", timeout=600) as client:
                await login(client, "staff", TinyDistrict.PASSWORD)
                times: dict[str, list[float]] = {"baseline": [], "compute": []}
                versions: list[int] = []
                for _ in range(args.rounds):
                    if time.monotonic() - started > TIME_LIMIT:
                        break
                    version = await next_version(platform, activity_id)
                    t = time.perf_counter()
                    await baseline(platform, activity_id, version)
                    times["baseline"].append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    response = await client.post(
                        f"/api/v1/competitions/activities/{activity_id}/results/compute",
                        json={})
                    times["compute"].append((time.perf_counter() - t) * 1000)
                    assert response.status_code == 201, response.text
                    versions.append(response.json()["computed_version"])
            async with platform.db.session() as session:
                awarded = await session.scalar(select(func.count(Result.id)).where(
                    Result.award.is_not(None), Result.version.in_(versions)))
        finally:
            await platform.close()
    rounds = len(times["compute"])
    say(f"{args.entries} entries, {rounds} rounds, {args.db.split(':')[0]}, "
        f"{host.processor() or host.machine()}, {os.cpu_count()} cores, "
        f"Python {host.python_version()}; awarded per version: {awarded // max(rounds, 1)}")
    say("| what | wall ms (median) |")
    say("|---|---|")
    for what, values in times.items():
        say(f"| {what} | {statistics.median(values):.0f} |")


if __name__ == "__main__":
    asyncio.run(main())
