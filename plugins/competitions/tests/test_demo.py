"""The demo's competitions: one open, one being judged by the demo judges, one in its 公示."""

from __future__ import annotations

import io
from typing import Any

import bangyaer_competitions.plugin
import bangyaer_notices.plugin
import pytest
from bangyaer.demo import demo_password, seed_demo
from bangyaer.identity import Account, Person, PersonKind
from bangyaer.platform import Platform
from bangyaer.testing import login
from bangyaer_competitions.demo import JUDGING, OPEN, PUBLICISED
from bangyaer_competitions.judging.models import Assignment, JudgingCopy, JudgingSetup
from bangyaer_competitions.models import Activity, Entry, WorkFile
from bangyaer_competitions.results.models import Publication
from bangyaer_notices.models import Item
from PIL import Image
from sqlalchemy import func, select


@pytest.fixture
async def demo(make_platform: Any) -> Platform:
    platform: Platform = await make_platform(
        plugins=[bangyaer_competitions.plugin, bangyaer_notices.plugin])
    result = await seed_demo(platform)
    assert result.plugin_failures == []
    return platform


async def activity(platform: Platform, spec: Any) -> Activity:
    async with platform.db.session() as s:
        found = await s.scalar(select(Activity).where(Activity.code_prefix == spec.prefix))
    assert found is not None
    return found


async def test_hook_demo_data_opens_an_activity_the_demo_parents_children_may_enter(
        demo: Platform, make_client: Any) -> None:
    opened = await activity(demo, OPEN)
    assert (opened.title, opened.status) == ("2027 区青少年书画大赛", "open")

    async with make_client(demo) as client:
        await login(client, "parent2", demo_password(demo.settings.secret_key, "parent2"))
        page = await client.get(f"/competitions/activities/{opened.id}")
        registered = await client.post(f"/api/v1/competitions/activities/{opened.id}/entries")

    assert page.status_code == 200 and "2027 区青少年书画大赛" in page.text
    assert registered.status_code == 201, registered.text


async def test_demo_judging_activity_is_frozen_with_clean_copies_and_drawn(
        demo: Platform) -> None:
    judging = await activity(demo, JUDGING)
    async with demo.db.session() as s:
        setup = await s.get(JudgingSetup, judging.id)
        entries = await s.scalar(select(func.count(Entry.id)).where(
            Entry.activity_id == judging.id))
        copies = list(await s.scalars(select(JudgingCopy).join(Entry).where(
            Entry.activity_id == judging.id)))
        originals = list(await s.scalars(select(WorkFile).join(Entry).where(
            Entry.activity_id == judging.id, WorkFile.content_type == "image/jpeg")))

    assert judging.status == "judging" and entries == 30
    assert setup is not None and setup.frozen_at and setup.assigned_at
    assert (setup.judges_per_entry, setup.withheld) == (2, [])
    assert len(copies) == entries
    # Some photos carried GPS and an author: the originals still do, no copy does.
    tagged = [f for f in originals if 0x8825 in exif_of(await read(demo, f.sha256))]
    assert tagged
    for copy in copies:
        assert copy.name.startswith(JUDGING.prefix)
        assert not exif_of(await read(demo, copy.sha256))


async def test_each_demo_judge_has_a_queue_partly_scored(demo: Platform) -> None:
    judging = await activity(demo, JUDGING)
    async with demo.db.session() as s:
        rows = (await s.execute(
            select(Account.username, Assignment.status, func.count(Assignment.id))
            .join(Account, Account.id == Assignment.judge_account_id)
            .where(Assignment.activity_id == judging.id)
            .group_by(Account.username, Assignment.status))).all()
    counts = {(u, status): n for u, status, n in rows}

    for judge in ("judge1", "judge2", "judge3"):
        assert counts[(judge, "assigned")] > 0 and counts[(judge, "scored")] > 0
    assert sum(counts.values()) == 60


async def test_a_demo_judges_queue_page_names_no_child(demo: Platform, make_client: Any
                                                      ) -> None:
    judging = await activity(demo, JUDGING)
    async with demo.db.session() as s:
        names = set(await s.scalars(select(Entry.student_name).where(
            Entry.activity_id == judging.id)))
        schools = set(await s.scalars(select(Entry.school_name).where(
            Entry.activity_id == judging.id)))

    async with make_client(demo) as client:
        await login(client, "judge1", demo_password(demo.settings.secret_key, "judge1"))
        page = await client.get("/competitions/judging/")

    assert page.status_code == 200
    assert JUDGING.title in page.text and f"{JUDGING.prefix}-" in page.text
    assert [n for n in names | schools if n in page.text] == []


async def test_demo_publicised_activity_lists_masked_awards_and_a_notice(
        demo: Platform, make_client: Any) -> None:
    shown = await activity(demo, PUBLICISED)
    async with demo.db.session() as s:
        pub = await s.scalar(select(Publication).where(Publication.activity_id == shown.id))
        notice = await s.get(Item, pub.notice_id) if pub and pub.notice_id else None
        # parent2's only child entered it, and the page may greet them by name.
        names = set(await s.scalars(select(Entry.student_name).where(
            Entry.activity_id == shown.id, Entry.registered_by.not_in(
                select(Account.id).where(Account.username == "parent2")))))

    async with make_client(demo) as client:
        await login(client, "parent2", demo_password(demo.settings.secret_key, "parent2"))
        awards = (await client.get(f"/api/v1/competitions/activities/{shown.id}/awards")).json()
        page = await client.get(f"/competitions/activities/{shown.id}")

    assert shown.status == "results" and pub is not None and pub.kind == "publicised"
    assert notice is not None and "获奖名单公示" in notice.title
    listed = [row for group in awards["groups"] for row in group["awards"]]
    assert {row["award"] for row in listed} == {"一等奖", "二等奖", "三等奖"}
    assert all("*" in row["name"] for row in listed)
    assert page.status_code == 200 and listed[0]["name"] in page.text
    assert [n for n in names if n in page.text] == []


async def test_demo_judges_of_the_publicised_activity_cannot_sign_in(demo: Platform) -> None:
    async with demo.db.session() as s:
        panel = list(await s.scalars(select(Account).join(Person).where(
            Account.username.like("kh-judge%"), Person.kind == PersonKind.staff)))
    assert len(panel) == 3 and all(a.password_hash is None for a in panel)


async def read(platform: Platform, sha256: str) -> bytes:
    return b"".join([chunk async for chunk in platform.blobs.open(sha256)])


def exif_of(data: bytes) -> dict[int, Any]:
    with Image.open(io.BytesIO(data)) as img:
        return dict(img.getexif())
