"""A judge on a phone opens their queue, scores an entry with the keyboard and moves on."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import bangyaer_competitions.plugin as competitions
import pytest
from bangyaer.identity import Account, Actor
from bangyaer.testing import TinyDistrict, drain
from bangyaer_competitions import lifecycle
from bangyaer_competitions.judging import service
from bangyaer_competitions.judging.models import Assignment, JudgeInvite, JudgingSetup
from bangyaer_competitions.models import Activity, Entry, Group
from bangyaer_competitions.testing import add_entries
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.browser


async def seed(platform):
    district = await TinyDistrict().build(platform)
    now = dt.datetime.now(dt.UTC)
    async with platform.db.transaction() as session:
        activity = Activity(
            org_id=district.ids["district"], org_path=district.paths["district"],
            title="区少儿书画比赛", category="艺术", type_id="artwork", status="open",
            code_prefix="K2026", eligibility={}, registration_opens_at=now - dt.timedelta(days=3),
            registration_closes_at=now - dt.timedelta(days=2),
            submission_deadline=now - dt.timedelta(days=1))
        session.add(activity)
        await session.flush()
        session.add(Group(activity_id=activity.id, number=1, name="小学低段", stage="primary",
                          grade_min=1, grade_max=3))
        activity_id = activity.id
    await add_entries(platform, activity_id, 1, 2, school_id=district.ids["school_b"])
    async with platform.db.transaction() as session:
        group = (await session.scalars(select(Group))).one()
        account = (await session.scalars(select(Account).where(
            Account.person_id == district.ids["judge"]))).one()
        session.add(JudgeInvite(activity_id=activity_id, group_id=group.id,
                                account_id=account.id))
        session.add(JudgingSetup(activity_id=activity_id, judges_per_entry=1,
                                 rubric=[{"key": "theme", "title_zh": "主题表达",
                                          "title_en": "Theme", "max_score": 30},
                                         {"key": "skill", "title_zh": "技法",
                                          "title_en": "Technique", "max_score": 40}],
                                 tie_break=[], award_rule={}, withheld=[]))
    # Freeze and draw the way staff do: close submissions, make copies, draw.
    async with platform.db.transaction() as session:
        activity = await session.get(Activity, activity_id)
        staff = Actor(registry=platform.permissions, account_id=None)
        await lifecycle.move(session, activity, "submissions_closed", staff)
    await drain(platform)
    async with platform.db.transaction() as session:
        activity = await session.get(Activity, activity_id)
        setup = await session.get(JudgingSetup, activity_id)
        await service.draw(session, staff, activity, setup)
    return district


@pytest.fixture
def server(make_live_server):
    return make_live_server([competitions], seed=seed)


async def _scores(platform):
    async with platform.db.session() as session:
        rows = await session.execute(select(Entry.code, Assignment.scores, Assignment.comment)
                                     .join(Assignment, Assignment.entry_id == Entry.id)
                                     .order_by(Entry.code))
        return [tuple(r) for r in rows]


def test_a_judge_scores_an_entry_with_the_keyboard_on_a_phone(server, phone_page,
                                                              tmp_path: Path):
    page = phone_page
    page.goto(server.url("/login"))
    page.get_by_label("用户名").fill("judge")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(server.url("/"))

    page.get_by_role("link", name=re.compile("评审任务")).first.click()
    expect(page.get_by_role("heading", name="区少儿书画比赛")).to_be_visible()
    expect(page.get_by_text("已评 0 / 2 件")).to_be_visible()
    page.get_by_role("link", name=re.compile("评下一件")).click()

    expect(page.get_by_role("heading", name="K2026-01-00001")).to_be_visible()
    expect(page.get_by_role("img", name="作品图片 1")).to_be_visible()
    theme = page.get_by_label("主题表达（0–30）")
    expect(theme).to_be_focused()
    expect(theme).to_have_attribute("inputmode", "numeric")
    page.keyboard.type("25")
    page.keyboard.press("Tab")
    page.keyboard.type("33")
    expect(page.locator("#jx-total")).to_have_text("合计 58 分")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=tmp_path / "score.png", full_page=True)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="K2026-01-00002")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("已保存上一件作品的评分")
    assert server.run(_scores) == [("K2026-01-00001", {"theme": 25, "skill": 33}, ""),
                                   ("K2026-01-00002", None, "")]
    assert page.console_errors == []
