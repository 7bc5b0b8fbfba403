"""On phones: a family applies to a club; the leader admits and takes attendance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import bangyaer_clubs.plugin as clubs_plugin
import pytest
from bangyaer.db import utcnow
from bangyaer.identity import Account
from bangyaer.testing import TinyDistrict
from bangyaer_clubs.models import Attendance, Club, Meeting, Round
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.browser


async def seed(platform):  # type: ignore[no-untyped-def]
    district = await TinyDistrict().build(platform)
    async with platform.db.transaction() as session:
        leader = await session.scalar(select(Account.id).where(Account.username == "teacher_a"))
        club = Club(name="童声合唱团", category="艺术", year_min=1, year_max=9,
                    leader_account_id=leader, leader_name="甲校老师", place="音乐教室",
                    meets="每周三 16:00", capacity=30)
        session.add(club)
        await session.flush()
        now = utcnow()
        session.add(Round(club_id=club.id, title="春季招新", opens_at=now - dt.timedelta(days=1),
                          closes_at=now + dt.timedelta(days=7), questions=["孩子喜欢唱什么歌？"]))
        meeting = Meeting(club_id=club.id, starts_at=now, topic="第一次排练")
        session.add(meeting)
        await session.flush()
        district.ids["club"], district.ids["meeting"] = club.id, meeting.id
    return district


@pytest.fixture
def server(make_live_server):  # type: ignore[no-untyped-def]
    return make_live_server([clubs_plugin], seed=seed)


def sign_in(page, server, username: str, target: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url(f"/login?next={target}"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_family_applies_and_leader_takes_attendance_on_phones(
        server, browser, phone_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    club_id, meeting_id = server.seeded.ids["club"], server.seeded.ids["meeting"]
    sign_in(page, server, "parent_b", "/clubs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("棒伢儿社团")
    page.get_by_role("link", name="童声合唱团").click()
    page.get_by_label("孩子喜欢唱什么歌？").fill("《茉莉花》")
    page.get_by_role("button", name="为 李小华 报名").click()
    expect(page.get_by_role("status")).to_have_text("申请状态：待审核")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    leader = page.context.browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        locale="zh-CN").new_page()
    sign_in(leader, server, "teacher_a", f"/clubs/manage/{club_id}")
    leader.get_by_label("面试结果（可选）").fill("音准好")
    leader.get_by_role("button", name="录取 李小华", exact=True).click()
    expect(leader.get_by_role("heading", level=2, name="成员（1 人）")).to_be_visible()

    leader.goto(server.url(f"/clubs/manage/meetings/{meeting_id}"))
    box = leader.get_by_role("checkbox", name="李小华")
    box.focus()
    leader.keyboard.press("Space")  # keyboard usable, not only taps
    expect(box).to_be_checked()
    leader.get_by_role("button", name="保存点名").click()
    expect(leader.get_by_role("status")).to_have_text("已保存：到场 1 人，共 1 人")
    leader.screenshot(path=tmp_path / "attendance.png", full_page=True)

    async def marks(platform):  # type: ignore[no-untyped-def]
        async with platform.db.session() as session:
            return [(a.child_id, a.present) for a in await session.scalars(select(Attendance))]

    assert server.run(marks) == [(server.seeded.ids["child_b"], True)]

    page.goto(server.url(f"/clubs/{club_id}"))
    expect(page.get_by_role("status")).to_have_text("李小华 已是本社团成员")
    assert page.console_errors == []
    leader.context.close()
