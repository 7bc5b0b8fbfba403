"""On a phone, by keyboard: payments staff find a family's order and refund part of it."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.db import utcnow
from bangyaer.payments import Refund, create_order, record_payment
from bangyaer.payments.testing import MemoryGateway
from bangyaer.testing import TinyDistrict, build_plugin, drain
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.browser

GATEWAY = MemoryGateway(id="alipay_test", title_zh="支付宝", title_en="Alipay")


PLUGIN = build_plugin("paytest", title_zh="测试支付", title_en="Test payments",
                      category="integration", payment_providers=lambda: [GATEWAY])


async def seed(platform):  # type: ignore[no-untyped-def]
    district = await TinyDistrict().build(platform)
    async with platform.db.transaction() as session:
        for child, title in (("child_1", "2027 春季 书法初级班 学费"),
                             ("child_b", "2027 春季 围棋班 学费")):
            order = await create_order(
                session, plugin="training", purpose_ref=f"class:1:{child}", title=title,
                amount_fen=98000, payer_account_id=None, subject_id=district.ids[child],
                expires_at=utcnow() + dt.timedelta(hours=24))
            trade = GATEWAY.pay(order.order_no, amount_fen=98000)
            await record_payment(session, provider=GATEWAY.id, trade=trade)
            if child == "child_1":
                district.order_no = order.order_no
    return district


def tab_to(page, target, limit=60):  # type: ignore[no-untyped-def]
    """Press Tab until ``target`` has the focus: it is reachable by keyboard, in order."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} is not reachable with Tab")


def test_staff_find_an_order_and_refund_part_of_it(make_live_server, phone_page):  # type: ignore[no-untyped-def]
    server = make_live_server([PLUGIN], seed=seed)
    order_no = server.seeded.order_no
    page = phone_page
    page.goto(server.url("/login?next=/me"))
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_label("密码").press("Enter")

    tools = page.get_by_role("link", name="订单、退费与对账")
    tab_to(page, tools)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("订单与退费")
    search = page.get_by_label("订单号、交易号或姓名")
    tab_to(page, search)
    page.keyboard.type("王小明")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("共 1 笔订单")
    found = page.get_by_role("link", name="2027 春季 书法初级班 学费")
    expect(found).to_contain_text("¥980.00")
    expect(found).to_contain_text("已支付")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tab_to(page, found)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("2027 春季 书法初级班 学费")
    expect(page.get_by_text("最多还可退 ¥980.00")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    amount = page.get_by_label("退款金额（元）")
    tab_to(page, amount)
    page.keyboard.type("1000")
    tab_to(page, page.get_by_label("退款原因"))
    page.keyboard.type("已上 4 课时，退剩余课时费")
    submit = page.get_by_role("button", name="提交退款")
    tab_to(page, submit)
    page.keyboard.press("Enter")

    alert = page.get_by_role("alert")
    expect(alert).to_have_text("退款金额超过可退金额，最多还可退 ¥980.00")
    expect(page.get_by_label("退款原因")).to_have_value("已上 4 课时，退剩余课时费")
    page.get_by_label("退款金额（元）").fill("245.50")
    page.get_by_label("退款金额（元）").press("Enter")

    expect(page.get_by_role("status")).to_contain_text("已提交")
    expect(page.get_by_text("最多还可退 ¥734.50")).to_be_visible()
    server.run(drain)
    page.reload()
    expect(page.locator(".refund-status")).to_have_text("已退回")
    expect(page.locator(".pay-refunded")).to_have_text("¥245.50")
    # Chromium logs the refused form's 409 answer as a failed load; nothing else may fail.
    assert [e for e in page.console_errors if "status of 409" not in e] == []

    async def refunds(platform):  # type: ignore[no-untyped-def]
        async with platform.db.session() as session:
            return [(r.amount_fen, r.status) for r in await session.scalars(select(Refund))]

    assert server.run(refunds) == [(24550, "done")]
    assert order_no in page.url
