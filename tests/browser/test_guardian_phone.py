"""A guardian on a phone: sign in, pick a child, see the tiles and a message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bangyaer import NavItem, PluginInfo, hookimpl
from bangyaer.notifications import notify
from bangyaer.testing import TinyDistrict
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


class FamilyModules:
    """Home tiles like the ones the module plugins give guardians."""

    @hookimpl
    def plugin_info(self):
        return PluginInfo(id="family", title_zh="家庭模块", title_en="Family modules",
                          requires_core=">=0.1")

    @hookimpl
    def nav_items(self, actor):
        if not actor.children:
            return []
        tiles = [("竞赛报名", "Competitions", "/family/competitions", 2),
                 ("培训班", "Training classes", "/family/training", None),
                 ("社团", "Clubs", "/family/clubs", None),
                 ("第二课堂", "Second classroom", "/family/classroom", None),
                 ("成长记录", "Growth record", "/family/growth", None)]
        return [NavItem("family", zh, en, url, order=i, badge=badge)
                for i, (zh, en, url, badge) in enumerate(tiles)]


@pytest.fixture
def server(make_live_server):
    live = make_live_server([FamilyModules()])
    parent_id = live.seeded.ids["parent"]

    async def message(platform):
        async with platform.db.transaction() as session:
            await notify(session, [parent_id], source="core", title="区科技节作品征集开始",
                         body="请在 5 月 20 日前为孩子提交作品。")

    live.run(message)
    return live


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_guardian_signs_in_picks_a_child_and_reads_a_message(server, phone_page,
                                                             tmp_path: Path):
    page = phone_page
    page.goto(server.url("/login"))
    page.get_by_label("用户名").fill("parent")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(server.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("你好，王大明")
    page.get_by_role("link", name="请先选择孩子").click()

    expect(page).to_have_url(server.url("/me"))
    page.get_by_role("button", name=re.compile("王小红")).click()
    expect(page.get_by_role("button", name=re.compile("王小红"))).to_have_attribute(
        "aria-current", "true")
    page.screenshot(path=tmp_path / "me.png", full_page=True)

    tabs = page.get_by_role("navigation", name="主导航")
    tabs.get_by_role("link", name="首页").click()
    expect(page.get_by_text("正在为 王小红 办理")).to_be_visible()
    tiles = page.locator(".tile-title")
    expect(tiles).to_have_text(["竞赛报名", "培训班", "社团", "第二课堂", "成长记录"])
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "home.png", full_page=True)

    tabs.get_by_role("link", name=re.compile("消息")).click()
    expect(page).to_have_url(server.url("/me/inbox"))
    expect(page.get_by_role("heading", name=re.compile("区科技节作品征集开始"))).to_be_visible()
    expect(page.get_by_text("请在 5 月 20 日前为孩子提交作品。")).to_be_visible()
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "inbox.png", full_page=True)

    assert page.console_errors == []


def test_staff_signs_in_with_the_keyboard_alone_and_opens_the_cockpit(live_server, phone_page,
                                                                      tmp_path: Path):
    page = phone_page
    page.goto(live_server.url("/dashboard"))
    expect(page).to_have_url(re.compile(r"/login\?next=/dashboard$"))
    page.screenshot(path=tmp_path / "login.png", full_page=True)

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到正文")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type("staff")
    page.keyboard.press("Tab")
    page.keyboard.type(TinyDistrict.PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.url("/dashboard"))
    expect(page.get_by_role("heading", name="学校数")).to_be_visible()
    expect(page.get_by_label("范围")).to_have_value("")
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    assert page.console_errors == []
