"""A guardian on a phone registers a child for a competition and uploads a photo."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import bangyaer_competitions.plugin as competitions
import pytest
from bangyaer.testing import TinyDistrict
from bangyaer_competitions.models import Activity, Group
from bangyaer_competitions.testing import jpeg
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


async def seed(platform):
    district = await TinyDistrict().build(platform)
    now = dt.datetime.now(dt.UTC)
    async with platform.db.transaction() as session:
        activity = Activity(
            org_id=district.ids["district"], org_path=district.paths["district"],
            title="区少儿书画比赛", category="艺术", type_id="artwork", status="open",
            code_prefix="K2026", eligibility={}, registration_opens_at=now - dt.timedelta(hours=1),
            registration_closes_at=now + dt.timedelta(days=1),
            submission_deadline=now + dt.timedelta(days=2))
        session.add(activity)
        await session.flush()
        session.add(Group(activity_id=activity.id, number=1, name="小学低段", stage="primary",
                          grade_min=1, grade_max=3))
    return district


@pytest.fixture
def server(make_live_server):
    return make_live_server([competitions], seed=seed)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_guardian_registers_a_child_and_uploads_a_photo_from_a_phone(server, phone_page,
                                                                      tmp_path: Path):
    page = phone_page
    photo = tmp_path / "画.jpg"
    photo.write_bytes(jpeg(1200, 900))
    page.goto(server.url("/login"))
    page.get_by_label("用户名").fill("parent")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(server.url("/"))
    page.goto(server.url("/me"))
    page.get_by_role("button", name=re.compile("王小明")).click()

    page.goto(server.url("/"))
    page.get_by_role("link", name="竞赛活动").first.click()
    expect(page.get_by_role("heading", name="区少儿书画比赛")).to_be_visible()
    assert no_sideways_scroll(page)
    page.get_by_role("button", name=re.compile("一键报名")).click()

    expect(page.get_by_role("heading", name="报名成功")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("K2026-01-00001")
    page.screenshot(path=tmp_path / "registered.png", full_page=True)
    page.get_by_label(re.compile("选择文件")).set_input_files(str(photo))
    expect(page.locator("#cx-staged img")).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_text("上传完成")
    page.get_by_label(re.compile("作品名称")).fill("我的家乡")
    page.get_by_role("button", name="提交作品").click()

    expect(page.get_by_role("heading", name="已提交的作品")).to_be_visible()
    expect(page.locator("#cx-status")).to_have_text("已提交")
    expect(page.locator('#cx-timeline li[data-step="submitted"]')).to_have_class("done")
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "submitted.png", full_page=True)
    assert page.console_errors == []
