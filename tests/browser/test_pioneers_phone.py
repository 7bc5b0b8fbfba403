"""A family on a phone hands in a photo for a Young Pioneers activity and sees it waits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import bangyaer_pioneers.plugin as pioneers_plugin
import pytest
from bangyaer.db import utcnow
from bangyaer.testing import TinyDistrict
from bangyaer_pioneers.models import Activity, Kind
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


async def seed(platform):
    district = await TinyDistrict().build(platform)
    async with platform.db.transaction() as session:
        now = utcnow()
        session.add(Activity(title="我和国旗合个影", kind=Kind.photo,
                             theme="和家人一起在国旗下拍一张照片。",
                             org_path=district.paths["school_b"],
                             opens_at=now - dt.timedelta(days=1),
                             closes_at=now + dt.timedelta(days=7)))
    return district


@pytest.fixture
def server(make_live_server):
    return make_live_server([pioneers_plugin], seed=seed)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_family_hands_in_a_photo_for_an_activity_on_a_phone(server, phone_page,
                                                           tmp_path: Path):
    photo = tmp_path / "国旗.jpg"
    Image.new("RGB", (64, 48), (192, 48, 26)).save(photo, "JPEG")
    page = phone_page
    page.goto(server.url("/login?next=/pioneers/"))
    page.get_by_label("用户名").fill("parent_b")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("西湖少先队")
    expect(page.get_by_text("乙中学大队 · 初一(1)班中队")).to_be_visible()
    assert no_sideways_scroll(page)
    page.get_by_role("link", name="我和国旗合个影").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("我和国旗合个影")
    page.get_by_label("选择照片").set_input_files(str(photo))
    page.get_by_role("button", name="提交照片").click()

    expect(page.get_by_role("status")).to_contain_text("照片已提交，等待辅导员审核")
    expect(page.get_by_text("待审核")).to_be_visible()
    expect(page.get_by_role("img", name="提交的照片")).to_be_visible()
    assert page.evaluate("document.querySelector('img.handed-in').naturalWidth") == 64
    assert no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "handed-in.png", full_page=True)
    assert page.console_errors == []
