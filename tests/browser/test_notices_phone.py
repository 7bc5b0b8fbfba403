"""A family on a phone reads the three notice columns and opens a 公示."""

from __future__ import annotations

from pathlib import Path

import bangyaer_notices.plugin as notices_plugin
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
    return make_live_server([notices_plugin], seed=seed_demo)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_family_reads_the_three_columns_and_opens_a_publicity_item(server, phone_page,
                                                                   tmp_path: Path):
    page = phone_page
    page.goto(server.url("/"))
    page.get_by_role("link", name="通知公告").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("通知公告")
    expect(page.get_by_role("heading", level=2)).to_have_text(["通知", "公示", "新闻"])
    first_notice = page.locator(".notice-column").first.locator(".notice-title").first
    expect(first_notice).to_contain_text("关于2027年寒假少年宫培训班报名的通知")  # pinned
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "notices.png", full_page=True)

    page.get_by_role("link", name="第十二届区青少年科技创新大赛获奖名单公示").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("获奖名单公示")
    expect(page.get_by_role("heading", name="公示期")).to_contain_text("公示中")
    expect(page.get_by_role("cell", name="王*明")).to_be_visible()
    expect(page.get_by_text("区青少年宫竞赛部")).to_be_visible()
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "publicity.png", full_page=True)
    assert page.console_errors == []  # a blocked inline script or style would show here


def test_signed_in_parent_sees_their_schools_notice(server, phone_page, tmp_path: Path):
    page = phone_page
    page.goto(server.url("/login?next=/notices/"))
    page.get_by_label("用户名").fill("parent")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("通知公告")
    page.get_by_role("link", name="甲小学：第二课堂选课提醒").click()

    expect(page.get_by_text("需登录")).to_be_visible()
    expect(page.get_by_text("面向：甲小学")).to_be_visible()
    page.screenshot(path=tmp_path / "school-notice.png", full_page=True)
    assert page.console_errors == []


def test_staff_write_a_notice_attach_a_file_and_publish_it(server, browser, tmp_path: Path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    form_pdf = tmp_path / "寒假报名表.pdf"
    form_pdf.write_bytes(b"%PDF-1.7\n% a form\n")
    try:
        page.goto(server.url("/login?next=/notices/manage"))
        page.get_by_label("用户名").fill("staff")
        page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
        page.get_by_role("button", name="登录").click()

        page.get_by_role("link", name="新建通知").click()
        page.get_by_label("标题").fill("寒假托管服务报名通知")
        page.get_by_label("正文").fill("请于 **1 月 5 日前** 填写报名表。")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("已保存为草稿")

        page.get_by_label("选择文件").set_input_files(str(form_pdf))
        page.get_by_role("button", name="上传附件").click()
        expect(page.get_by_role("status")).to_have_text("附件已上传")
        page.screenshot(path=tmp_path / "manage.png", full_page=True)

        page.get_by_role("button", name="发布", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("已发布")
        page.get_by_role("link", name="预览").click()
        expect(page.get_by_role("link", name="寒假报名表.pdf")).to_be_visible()
        expect(page.locator(".notice-body strong")).to_have_text("1 月 5 日前")
        assert errors == []
    finally:
        context.close()
