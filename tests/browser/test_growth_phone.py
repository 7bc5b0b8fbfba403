"""A guardian on a phone opens a child's growth record and downloads a certificate."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import bangyaer_growth.plugin as growth_plugin
import pytest
from bangyaer.certificates import CertificateTemplate, issue_certificate
from bangyaer.events import emit
from bangyaer.testing import TinyDistrict, drain
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser


async def seed_history(platform):
    district = await TinyDistrict().build(platform)
    child = district.ids["child_1"]
    async with platform.db.transaction() as session:
        await emit(session, "training.completed", subject_id=child, class_name="少儿编程",
                   lessons=16, occurred_at="2026-06-30T09:00:00+08:00")
        await issue_certificate(
            session, platform, holder_id=child, source=("competitions", "award:1"),
            template=CertificateTemplate(), award="一等奖", activity_title="区科技节",
            issued_on=dt.date(2026, 11, 20))
    await drain(platform)
    return district


@pytest.fixture
def server(make_live_server):
    return make_live_server([growth_plugin], seed=seed_history)


def test_guardian_opens_the_growth_record_and_downloads_a_certificate(
        server, phone_page, tmp_path: Path):
    page = phone_page
    page.goto(server.url("/login?next=/growth/"))
    page.get_by_label("用户名").fill("parent")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("成长记录")
    page.get_by_role("link", name="王小明").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("王小明的成长记录")
    expect(page.locator(".summary-hours")).to_have_text("16.0")
    expect(page.locator(".growth-title")).to_have_text(
        ["区科技节 一等奖", "培训班“少儿编程”结业"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=tmp_path / "growth.png", full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="下载证书").click()
    download = info.value
    saved = tmp_path / "certificate.pdf"
    download.save_as(saved)

    assert download.suggested_filename == "王小明-区科技节-一等奖.pdf"
    text = PdfReader(io.BytesIO(saved.read_bytes())).pages[0].extract_text()
    assert "王小明" in text and "一等奖" in text
    assert page.console_errors == []
