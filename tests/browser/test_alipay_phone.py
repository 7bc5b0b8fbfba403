"""On a phone: a family pays an order at the Alipay sandbox cashier and comes back paid."""

from __future__ import annotations

import datetime as dt

import bangyaer_alipay.plugin as alipay_plugin
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


@pytest.fixture
def server(make_live_server):  # type: ignore[no-untyped-def]
    return make_live_server([alipay_plugin], seed=seed,
                            plugin_settings={"alipay": {"sandbox": True}})


def open_cashier(server, page):  # type: ignore[no-untyped-def]
    order_no = server.seeded.order_no
    page.goto(server.url(f"/login?next=/payments/orders/{order_no}"))
    page.get_by_label("用户名").fill("parent")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="使用支付宝支付").click()
    expect(page.get_by_role("heading", name="2027 春季 书法初级班 学费")).to_be_visible()
    return order_no


def status_of(server, order_no):  # type: ignore[no-untyped-def]
    async def status(platform):  # type: ignore[no-untyped-def]
        async with platform.db.session() as session:
            return (await get_order(session, order_no)).status

    return server.run(status)


def test_a_family_pays_at_the_sandbox_cashier(server, phone_page, tmp_path):  # type: ignore[no-untyped-def]
    page = phone_page
    order_no = open_cashier(server, page)

    expect(page.get_by_label("应付金额 980.00 元")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=tmp_path / "cashier.png", full_page=True)
    page.get_by_role("button", name="确认付款").click()

    page.wait_for_url(f"**/payments/orders/{order_no}")
    expect(page.locator(".status")).to_have_text("已支付")
    assert page.console_errors == []
    assert status_of(server, order_no) == "paid"


def test_a_family_that_gives_up_is_back_on_the_unpaid_order(server, phone_page):  # type: ignore[no-untyped-def]
    page = phone_page
    order_no = open_cashier(server, page)

    page.get_by_role("button", name="放弃付款").click()

    page.wait_for_url(f"**/payments/orders/{order_no}")
    expect(page.get_by_role("button", name="使用支付宝支付")).to_be_visible()
    assert page.console_errors == []
    assert status_of(server, order_no) == "pending"
