"""Opening the app from (the demo's stand-in for) DingTalk signs a guardian in."""

from __future__ import annotations

import re

import bangyaer_dingtalk.plugin as dingtalk_plugin
import pytest
from bangyaer.identity import district_of
from bangyaer.testing import TinyDistrict
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


async def seed_demo(platform):
    district = await TinyDistrict().build(platform)
    async with platform.db.transaction() as session:
        await platform.host.acall("demo_data", session=session,
                                  district=await district_of(session))
    return district


@pytest.fixture
def server(make_live_server):
    return make_live_server([dingtalk_plugin], seed=seed_demo,
                            plugin_settings={"dingtalk": {"sandbox": True}})


def test_guardian_opens_the_app_from_the_workbench_and_arrives_signed_in(server, phone_page):
    page = phone_page
    page.goto(server.url("/dingtalk/workbench"))
    expect(page.get_by_role("heading", name="模拟钉钉工作台")).to_be_visible()
    page.get_by_role("link", name="王大明 · 家长").click()
    # The homepage got a code from the (sandbox) JSAPI, the server exchanged it,
    # and the page went on to the home screen: no password was typed.
    page.wait_for_url(re.compile(r"/$"))
    page.goto(server.url("/me"))
    expect(page.get_by_text("王小明").first).to_be_visible()
    expect(page.get_by_text("王小红").first).to_be_visible()
    assert page.console_errors == []  # a blocked (inline) script would show here


def test_opening_the_app_as_someone_the_roster_does_not_know_shows_why(server, phone_page):
    page = phone_page
    page.goto(server.url("/dingtalk/workbench"))
    corp = page.get_by_role("link", name="王大明 · 家长").get_attribute("href")
    corp_id = re.search(r"corpId=([^&]+)", corp).group(1)
    page.goto(server.url(f"/dingtalk/open?corpId={corp_id}"))  # nobody chosen
    expect(page.get_by_role("alert")).to_contain_text("钉钉没有给出登录码")
