"""A family on a phone finds a class their child may take and applies for its lottery."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import bangyaer_training.plugin as training_plugin
import pytest
from bangyaer.identity import Person
from bangyaer.testing import TinyDistrict
from bangyaer_training._demo import add_demo_term
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


async def seed(platform):
    district = await TinyDistrict().build(platform)
    async with platform.db.transaction() as session:
        await add_demo_term(session)
        child = await session.get(Person, district.ids["child_b"])
        child.birth_date = dt.date(2019, 6, 1)  # 7 when the term starts
    return district


@pytest.fixture
def server(make_live_server):
    return make_live_server([training_plugin], seed=seed)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_family_applies_for_a_lottery_class_on_a_phone(server, phone_page, tmp_path: Path):
    page = phone_page
    page.goto(server.url("/login?next=/training/"))
    page.get_by_label("用户名").fill("parent_b")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("培训班")
    page.get_by_label("类别").select_option("舞蹈")
    page.get_by_label("只看孩子可报的班").check()
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("link", name="中国舞考级一级班")).to_be_visible()
    expect(page.get_by_role("link", name="少儿街舞班")).to_be_visible()
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "catalogue.png", full_page=True)

    page.get_by_role("link", name="中国舞考级一级班").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中国舞考级一级班")
    page.get_by_role("button", name="申请摇号").click()

    expect(page.get_by_role("status")).to_contain_text("已报名，待摇号")
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "applied.png", full_page=True)
    page.get_by_role("link", name="查看我的培训班").click()
    expect(page.get_by_role("heading", level=2)).to_have_text(["中国舞考级一级班"])
    assert page.console_errors == []
