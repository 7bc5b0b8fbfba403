"""On a phone: a family opens its order, pays, comes back and sees it paid."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.db import utcnow
from bangyaer.payments import create_order, get_order
from bangyaer.testing import TinyDistrict
from playwright.sync_api import expect

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


def test_a_family_pays_on_a_phone_and_sees_it_paid(  # type: ignore[no-untyped-def]
        make_live_server, phone_page, instant_payments):
    server = make_live_server([instant_payments], seed=seed)
    order_no = server.seeded.order_no
    page = phone_page
    page.goto(server.url(f"/login?next=/payments/orders/{order_no}"))
    page.get_by_label("用户名").fill("parent")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("2027 春季 书法初级班 学费")
    expect(page.locator(".amount")).to_have_text("金额：¥980.00")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="使用支付宝支付").click()

    expect(page.locator(".status")).to_have_text("已支付")
    expect(page.get_by_role("button", name="使用支付宝支付")).to_have_count(0)
    assert page.console_errors == []

    async def status(platform):  # type: ignore[no-untyped-def]
        async with platform.db.session() as session:
            return (await get_order(session, order_no)).status

    assert server.run(status) == "paid"
