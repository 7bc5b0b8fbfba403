"""A guardian on a phone studies a recommended course, passes its quiz and gets a certificate."""

from __future__ import annotations

from pathlib import Path

import bangyaer_parent_school.plugin as parent_school_plugin
import pytest
from bangyaer.identity import district_of
from bangyaer.testing import TinyDistrict
from bangyaer_parent_school import _certificate
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


async def seed(platform):
    district = await TinyDistrict().build(platform)
    async with platform.db.transaction() as session:
        await platform.host.acall("demo_data", session=session,
                                  district=await district_of(session))
    return district


@pytest.fixture
def server(make_live_server):
    return make_live_server([parent_school_plugin], seed=seed)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_guardian_studies_a_course_and_passes_its_quiz_on_a_phone(server, phone_page,
                                                                 tmp_path: Path):
    page = phone_page
    page.goto(server.url("/login?next=/parent_school/"))
    page.get_by_label("用户名").fill("parent_b")  # a child in middle school
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("家长学校")
    recommended = page.get_by_role("region", name="为您推荐")
    expect(recommended.get_by_role("link")).to_have_text(["青春期沟通的艺术"])
    assert no_sideways_scroll(page)
    recommended.get_by_role("link", name="青春期沟通的艺术").click()

    for lesson in ("先听后说", "尊重孩子的隐私与选择"):
        page.get_by_role("link", name=lesson).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson)
        page.get_by_role("button", name="我学完了").click()
    expect(page.get_by_text("已学 2 / 2 节")).to_be_visible()
    page.get_by_role("link", name="参加结业测验").click()

    page.get_by_label("认真倾听，不急着评判").check()
    page.get_by_label("进房间前先敲门").check()
    page.get_by_label("在安全底线内让孩子自己做选择").check()
    page.get_by_role("button", name="交卷").click()

    expect(page.get_by_role("status")).to_contain_text("得分 100 分")
    expect(page.get_by_role("status")).to_contain_text("恭喜您通过测验，已结业！")
    if _certificate.available():
        expect(page.get_by_role("link", name="查看结业证书")).to_be_visible()
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "passed.png", full_page=True)
    assert page.console_errors == []
