"""A guardian on a phone reads the 公示 of a competition and appeals against the result."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import bangyaer_competitions.plugin as competitions
import pytest
from bangyaer.identity import Account
from bangyaer.testing import TinyDistrict
from bangyaer_competitions.judging.models import Assignment
from bangyaer_competitions.models import Activity, Entry, Group
from bangyaer_competitions.results.models import Publication, Result
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.browser


async def seed(platform):
    district = await TinyDistrict().build(platform)
    now = dt.datetime.now(dt.UTC)
    async with platform.db.transaction() as session:
        activity = Activity(
            org_id=district.ids["district"], org_path=district.paths["district"],
            title="区少儿书画比赛", category="艺术", type_id="artwork", status="results",
            code_prefix="K2026", eligibility={}, registration_opens_at=now - dt.timedelta(days=9),
            registration_closes_at=now - dt.timedelta(days=8),
            submission_deadline=now - dt.timedelta(days=7))
        session.add(activity)
        await session.flush()
        group = Group(activity_id=activity.id, number=1, name="小学低段", stage="primary",
                      grade_min=1, grade_max=3, last_seq=2)
        session.add(group)
        await session.flush()
        for seq, (child, name, award, rank) in enumerate(
                [("child_1", "王小明", "二等奖", 2), ("child_2", "王小红", "一等奖", 1)], 1):
            entry = Entry(activity_id=activity.id, group_id=group.id, code=f"K2026-01-{seq:05d}",
                          seq=seq, slot=1, status="submitted", student_id=district.ids[child],
                          student_name=name, school_id=district.ids["school_a"],
                          school_name="甲小学", org_path=district.paths["school_a"],
                          submitted_at=now - dt.timedelta(days=7))
            session.add(entry)
            await session.flush()
            session.add(Result(activity_id=activity.id, version=1, entry_id=entry.id,
                               group_id=group.id, score=90.0 - rank, rank=rank, award=award,
                               flagged=False, details={}))
        session.add(Publication(activity_id=activity.id, version=1, kind="publicised",
                                published_at=now, appeal_until=now + dt.timedelta(days=5)))
    return district


@pytest.fixture
def server(make_live_server):
    return make_live_server([competitions], seed=seed)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_guardian_reads_the_publicity_and_appeals_from_a_phone(server, phone_page,
                                                               tmp_path: Path):
    page = phone_page
    page.goto(server.url("/login"))
    page.get_by_label("用户名").fill("parent")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(server.url("/"))
    page.goto(server.url("/me"))
    page.get_by_role("button", name=re.compile("王小明")).click()

    page.goto(server.url("/competitions/activities/1"))
    awards = page.get_by_role("region", name="获奖名单公示")
    expect(awards).to_contain_text("王*明")
    expect(awards).to_contain_text("王*红")
    expect(awards).not_to_contain_text("王小明")
    assert no_sideways_scroll(page)

    page.goto(server.url("/competitions/entries/K2026-01-00001"))
    expect(page.locator("#rs-award")).to_have_text("二等奖")
    page.get_by_label(re.compile("申诉理由")).fill("作品细节丰富，请复核评分")
    page.get_by_role("button", name="提交申诉").click()

    expect(page.locator("#rs-appeal-status")).to_have_text("申诉：待处理")
    expect(page.get_by_role("button", name="提交申诉")).to_have_count(0)
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "appealed.png", full_page=True)
    assert page.console_errors == []


async def seed_judged(platform):
    """Two entries in judging, each scored by the district's judge."""
    district = await TinyDistrict().build(platform)
    now = dt.datetime.now(dt.UTC)
    async with platform.db.transaction() as session:
        judge = await session.scalar(select(Account.id).where(Account.username == "judge"))
        activity = Activity(
            org_id=district.ids["district"], org_path=district.paths["district"],
            title="区少儿书画比赛", category="艺术", type_id="artwork", status="judging",
            code_prefix="K2026", eligibility={}, registration_opens_at=now - dt.timedelta(days=9),
            registration_closes_at=now - dt.timedelta(days=8),
            submission_deadline=now - dt.timedelta(days=7))
        session.add(activity)
        await session.flush()
        group = Group(activity_id=activity.id, number=1, name="小学低段", stage="primary",
                      grade_min=1, grade_max=3, last_seq=2)
        session.add(group)
        await session.flush()
        for seq, (child, name, total) in enumerate(
                [("child_1", "王小明", 88), ("child_2", "王小红", 91)], 1):
            entry = Entry(activity_id=activity.id, group_id=group.id, code=f"K2026-01-{seq:05d}",
                          seq=seq, slot=1, status="submitted", student_id=district.ids[child],
                          student_name=name, school_id=district.ids["school_a"],
                          school_name="甲小学", org_path=district.paths["school_a"],
                          submitted_at=now - dt.timedelta(days=7))
            session.add(entry)
            await session.flush()
            session.add(Assignment(activity_id=activity.id, group_id=group.id, entry_id=entry.id,
                                   judge_account_id=judge, status="scored", total=total,
                                   scores={"theme": 28, "skill": total - 56, "creativity": 28},
                                   scored_at=now))
    return district


@pytest.fixture
def judged_server(make_live_server):
    return make_live_server([competitions], seed=seed_judged)


def test_staff_set_the_rule_compute_and_publish_from_a_phone(judged_server, phone_page):
    page = phone_page
    page.goto(judged_server.url("/login"))
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(judged_server.url("/"))

    page.goto(judged_server.url("/competitions/manage/1/results"))
    page.get_by_label("按名额").check()
    page.get_by_label("人数").check()
    page.get_by_label("一等奖").fill("1")
    page.get_by_label("二等奖").fill("1")
    page.get_by_role("button", name="保存评奖规则").click()
    expect(page.locator("#rs-done")).to_have_text("评奖规则已保存")
    expect(page.locator("#rs-rule-text")).to_contain_text("一等奖 1 名")
    page.get_by_role("button", name="计算结果").click()

    draft = page.get_by_role("region", name="结果（第 1 版）")
    expect(draft.get_by_role("row", name=re.compile("K2026-01-00002.*一等奖"))).to_be_visible()
    expect(draft.get_by_role("row", name=re.compile("K2026-01-00001.*二等奖"))).to_be_visible()
    assert no_sideways_scroll(page)
    page.get_by_role("button", name="发布公示").click()

    expect(page.locator("#rs-done")).to_have_text("结果已公示")
    expect(page.get_by_role("heading", name="申诉")).to_be_visible()
    assert page.console_errors == []
