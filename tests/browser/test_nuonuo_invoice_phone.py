"""On a phone: a family that paid asks for a company e-invoice and downloads the PDF.

The invoice goes through the Nuonuo plugin to its in-process sandbox, which
checks the signed calls and issues the invoice asynchronously; the worker's
jobs run in between, as `bangyaer worker` would run them.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import bangyaer_nuonuo.plugin as nuonuo_plugin
import pytest
from bangyaer.db import utcnow
from bangyaer.jobs import Job
from bangyaer.payments import create_order
from bangyaer.testing import TinyDistrict, drain
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import update

pytestmark = pytest.mark.browser


async def seed(platform):  # type: ignore[no-untyped-def]
    district = await TinyDistrict().build(platform)
    async with platform.db.transaction() as session:
        order = await create_order(
            session, plugin="training", purpose_ref="class:1:child:1",
            title="2027 春季 书法初级班 学费", amount_fen=98000, payer_account_id=None,
            subject_id=district.ids["child_1"], expires_at=utcnow() + dt.timedelta(hours=24))
        district.order_no = order.order_no
    return district


async def run_jobs(platform):  # type: ignore[no-untyped-def]
    """Run what is queued, bringing each retry forward as if its backoff had passed."""
    for _ in range(6):
        async with platform.db.transaction() as session:
            await session.execute(update(Job).where(Job.status == "queued")
                                  .values(run_at=utcnow()))
        await drain(platform)


def test_a_family_asks_for_a_company_invoice_and_downloads_it(  # type: ignore[no-untyped-def]
        make_live_server, phone_page, instant_payments):
    server = make_live_server([instant_payments, nuonuo_plugin], seed=seed,
                              plugin_settings={"nuonuo": {"sandbox": True}})
    order_no = server.seeded.order_no
    page = phone_page
    page.goto(server.url(f"/login?next=/payments/orders/{order_no}"))
    page.get_by_label("用户名").fill("parent")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="使用支付宝支付").click()
    expect(page.locator(".status")).to_have_text("已支付")

    page.get_by_role("radio", name="单位").check()
    page.get_by_role("textbox", name="发票抬头").fill("杭州某某科技有限公司")
    page.get_by_role("textbox", name="纳税人识别号（单位必填）").fill("91330106MA2B3C4D5E")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".invoice-status")).to_have_text("开票中")

    server.run(run_jobs)
    page.reload()
    expect(page.locator(".invoice-status")).to_have_text("已开具")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载电子发票（PDF）").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = pdf.pages[0].extract_text()
    assert "杭州某某科技有限公司" in text and "91330106MA2B3C4D5E" in text
    assert "¥980.00" in text and "¥951.46" in text and "¥28.54" in text  # 3%
    assert page.console_errors == []
