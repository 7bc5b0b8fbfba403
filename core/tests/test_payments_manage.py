"""Staff pages for the ledger: finding orders, one order's record, refunding, reconciling."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from bangyaer.db import utcnow
from bangyaer.identity import Account, AuditEntry
from bangyaer.payments import (
    GatewayTrade,
    GatewayUnavailable,
    Refund,
    create_order,
    record_payment,
    request_invoice,
)
from bangyaer.testing import drain
from sqlalchemy import select

AMOUNT = 125050
BEIJING = ZoneInfo("Asia/Shanghai")


async def account_id(platform, username):
    async with platform.db.session() as session:
        return await session.scalar(select(Account.id).where(Account.username == username))


async def new_order(platform, *, child="child_1", ref=None, plugin="training",
                    title="少儿书法初级班", payer=None, amount=AMOUNT):
    payer_id = await account_id(platform, payer) if payer else None
    async with platform.db.transaction() as session:
        order = await create_order(
            session, plugin=plugin, purpose_ref=ref or f"class:3:{child}", title=title,
            amount_fen=amount, payer_account_id=payer_id,
            subject_id=platform.people.ids[child], expires_at=utcnow() + dt.timedelta(hours=2))
        return order.order_no


async def pay(platform, gateway, order_no, amount=AMOUNT):
    trade = gateway.pay(order_no, amount_fen=amount)
    async with platform.db.transaction() as session:
        await record_payment(session, provider=gateway.id, trade=trade)
    return trade


async def audited(platform, action):
    async with platform.db.session() as session:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


async def refunds_of(platform):
    async with platform.db.session() as session:
        return list(await session.scalars(select(Refund).order_by(Refund.id)))


def refund_key(page_html):
    return re.search(r'name="key" value="([^"]+)"', page_html).group(1)


def order_links(page_html):
    return re.findall(r'href="/payments/manage/orders/([0-9A-Za-z]+)"', page_html)


# -- who may look ------------------------------------------------------------

@pytest.mark.parametrize("username", ["parent", "teacher_a", "head_a", "judge"])
@pytest.mark.parametrize("path", ["/payments/manage", "/payments/manage/reconciliation",
                                  "/payments/manage/orders/{order_no}"])
async def test_only_payments_staff_see_the_staff_pages(site, username, path):
    order_no = await new_order(site)
    client = await site.client_for(username)

    page = await client.get(path.format(order_no=order_no))

    assert page.status_code == 403
    assert "没有权限访问此页面" in page.text and "少儿书法初级班" not in page.text


async def test_only_payments_staff_may_post_a_refund(site, gateway):
    order_no = await new_order(site)
    await pay(site, gateway, order_no)
    parent = await site.client_for("parent")

    response = await parent.post(f"/payments/manage/orders/{order_no}/refunds",
                                 data={"amount": "1.00", "reason": "想退", "key": "k"})

    assert response.status_code == 403
    assert await refunds_of(site) == []


async def test_signing_in_is_required_for_the_staff_pages(site):
    response = await (await site.client_for()).get("/payments/manage")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/payments/manage"


async def test_staff_find_the_pages_on_their_me_page(site):
    staff, parent = await site.client_for("staff"), await site.client_for("parent")

    staff_me, parent_me = await staff.get("/me"), await parent.get("/me")

    assert 'href="/payments/manage"' in staff_me.text and "订单、退费与对账" in staff_me.text
    assert 'href="/payments/manage"' not in parent_me.text


async def test_the_family_order_page_links_staff_to_their_page(site):
    order_no = await new_order(site)
    staff, parent = await site.client_for("staff"), await site.client_for("parent")

    for_staff = await staff.get(f"/payments/orders/{order_no}")
    for_parent = await parent.get(f"/payments/orders/{order_no}")

    link = f'<a href="/payments/manage/orders/{order_no}">在订单管理中查看和退费</a>'
    assert link in for_staff.text
    assert "/payments/manage" not in for_parent.text


# -- the orders list ---------------------------------------------------------

async def test_orders_are_listed_newest_first_in_yuan_with_chinese_status(site, gateway):
    older = await new_order(site, ref="a", title="围棋班")
    newer = await new_order(site, ref="b", title="书法班", amount=9900)
    await pay(site, gateway, older)
    staff = await site.client_for("staff")

    page = await staff.get("/payments/manage")

    assert page.status_code == 200
    assert order_links(page.text) == [newer, older]
    assert "¥1250.50" in page.text and "¥99.00" in page.text
    assert "已支付" in page.text and "待支付" in page.text
    assert "共 2 笔订单" in page.text and "王小明" in page.text


async def test_orders_filter_by_status_and_plugin(site, gateway):
    paid_one = await new_order(site, ref="a")
    await new_order(site, ref="b")
    club = await new_order(site, ref="c", plugin="clubs")
    await pay(site, gateway, paid_one)
    staff = await site.client_for("staff")

    by_status = await staff.get("/payments/manage", params={"status": "paid"})
    by_plugin = await staff.get("/payments/manage", params={"plugin": "clubs"})

    assert order_links(by_status.text) == [paid_one]
    assert order_links(by_plugin.text) == [club]
    assert '<option value="paid" selected>' in by_status.text


async def test_orders_are_found_by_number_trade_or_name(site, gateway):
    mine = await new_order(site, ref="a", child="child_1")
    theirs = await new_order(site, ref="b", child="child_b", payer="parent_b")
    trade = await pay(site, gateway, theirs)
    staff = await site.client_for("staff")

    async def found(q):
        return order_links((await staff.get("/payments/manage", params={"q": q})).text)

    assert await found(mine) == [mine]
    assert await found(trade.trade_no) == [theirs]
    assert await found("小明") == [mine]  # the child
    assert await found("李大华") == [theirs]  # the paying guardian
    assert await found("%") == []  # a wildcard is just a character
    nothing = await staff.get("/payments/manage", params={"q": "没有这个人"})
    assert "没有符合条件的订单。" in nothing.text


async def test_orders_come_thirty_a_page(site):
    made = [await new_order(site, ref=f"r{i}") for i in range(31)]
    staff = await site.client_for("staff")

    first = await staff.get("/payments/manage")
    second = await staff.get("/payments/manage", params={"page": "2"})

    assert len(order_links(first.text)) == 30 and "第 1 / 2 页" in first.text
    assert 'rel="next" href="?q=&amp;status=&amp;plugin=&amp;page=2"' in first.text
    assert order_links(second.text) == [made[0]] and 'rel="prev"' in second.text


async def test_a_bill_the_gateway_has_not_made_yet_is_explained(site, gateway):
    from bangyaer.payments import GatewayError

    gateway.fail_next("bill", GatewayError("isp.bill_not_exist", "账单不存在"))
    staff = await site.client_for("staff")

    page = await staff.get("/payments/manage/reconciliation",
                           params={"provider": "alipay_test", "day": beijing_today()})

    assert page.status_code == 409
    assert "支付平台没有提供该日的对账单（账单不存在）。当天的对账单一般在次日生成。" in page.text


@pytest.mark.parametrize(("params", "message"), [
    pytest.param({"status": "lost"}, "没有这种订单状态", id="status"),
    pytest.param({"page": "0"}, "页码应为正整数", id="page-zero"),
    pytest.param({"page": "二"}, "页码应为正整数", id="page-not-a-number"),
])
async def test_bad_filters_are_refused_clearly(site, params, message):
    staff = await site.client_for("staff")

    page = await staff.get("/payments/manage", params=params)

    assert page.status_code == 422 and message in page.text


async def test_listing_orders_is_audited_with_the_filters(site):
    staff = await site.client_for("staff")

    await staff.get("/payments/manage", params={"status": "paid", "q": "王"})

    [entry] = await audited(site, "payments.orders_listed")
    assert entry.account_id == await account_id(site, "staff")
    assert (entry.detail["status"], entry.detail["query"]) == ("paid", "王")


async def test_the_orders_page_speaks_english(site):
    await new_order(site)
    staff = await site.client_for("staff")

    page = await staff.get("/payments/manage", params={"lang": "en"})

    assert "Orders and refunds" in page.text and "Awaiting payment" in page.text


# -- one order ---------------------------------------------------------------

async def test_the_order_shows_its_duplicate_refunds_and_invoice(site, gateway):
    order_no = await new_order(site, payer="parent")
    first = await pay(site, gateway, order_no)
    second = await pay(site, gateway, order_no)  # paid twice: refunded by the ledger
    async with site.db.transaction() as session:
        await request_invoice(session, order_no=order_no, buyer_kind="person",
                              buyer_name="王大明", buyer_tax_no="", email="",
                              actor_account_id=None)
    await drain(site)
    staff = await site.client_for("staff")

    page = await staff.get(f"/payments/manage/orders/{order_no}")

    assert page.status_code == 200
    assert first.trade_no in page.text and second.trade_no in page.text
    assert "已入账" in page.text and "重复支付，全额退回" in page.text
    assert "支付宝 · 交易号" in page.text
    assert "系统自动" in page.text and "已退回" in page.text  # the duplicate's refund
    assert "蓝字发票" in page.text and "已开具" in page.text
    pdf = re.search(r'href="(/payments/invoices/\d+\.pdf)"', page.text).group(1)
    assert (await staff.get(pdf)).content.startswith(b"%PDF-")
    assert "付款人" in page.text and "王大明" in page.text
    assert "最多还可退 ¥1250.50" in page.text


async def test_looking_at_an_order_is_audited(site):
    order_no = await new_order(site)
    staff = await site.client_for("staff")

    await staff.get(f"/payments/manage/orders/{order_no}")

    [entry] = await audited(site, "payments.order_viewed")
    assert entry.target_id == order_no and entry.account_id is not None


async def test_an_unknown_order_is_not_found(site):
    staff = await site.client_for("staff")

    page = await staff.get("/payments/manage/orders/P20260101nothere")

    assert page.status_code == 404 and "未找到该订单" in page.text


async def test_an_unpaid_order_offers_no_refund_form(site):
    order_no = await new_order(site)
    staff = await site.client_for("staff")

    page = await staff.get(f"/payments/manage/orders/{order_no}")

    assert 'name="amount"' not in page.text and "尚未收到付款。" in page.text


# -- refunding ---------------------------------------------------------------

async def test_a_double_submitted_refund_form_makes_one_refund(site, gateway):
    order_no = await new_order(site)
    await pay(site, gateway, order_no)
    staff = await site.client_for("staff")
    page = await staff.get(f"/payments/manage/orders/{order_no}")
    form = {"amount": "250.10", "reason": "已上 2 课时，退剩余课时费",
            "key": refund_key(page.text)}
    url = f"/payments/manage/orders/{order_no}/refunds"

    first, again = await staff.post(url, data=form), await staff.post(url, data=form)

    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    [refund] = await refunds_of(site)
    assert refund.amount_fen == 25010 and refund.reason == form["reason"]
    assert refund.actor_account_id == await account_id(site, "staff")
    [entry] = await audited(site, "payments.refund_requested")
    assert entry.account_id == refund.actor_account_id
    shown = await staff.get(first.headers["location"])
    assert f"退款 {refund.refund_no} 已提交" in shown.text
    assert "少年宫老师" in shown.text and "已受理" in shown.text
    assert "最多还可退 ¥1000.40" in shown.text
    assert refund_key(shown.text) != form["key"]  # the next refund is another one


async def test_a_link_cannot_announce_a_refund_the_order_does_not_have(site):
    order_no = await new_order(site)
    staff = await site.client_for("staff")

    page = await staff.get(f"/payments/manage/orders/{order_no}",
                           params={"refund": "请拨打 400 电话"})

    assert "请拨打" not in page.text and "已提交" not in page.text


async def test_a_refund_done_by_the_gateway_shows_on_the_order(site, gateway):
    order_no = await new_order(site)
    await pay(site, gateway, order_no)
    staff = await site.client_for("staff")
    page = await staff.get(f"/payments/manage/orders/{order_no}")
    await staff.post(f"/payments/manage/orders/{order_no}/refunds",
                     data={"amount": "1250.5", "reason": "停课", "key": refund_key(page.text)})

    await drain(site)
    shown = await staff.get(f"/payments/manage/orders/{order_no}")

    assert "已退款" in shown.text and 'name="amount"' not in shown.text


BAD_AMOUNT = "请输入正确的退款金额（元），如 120.50"


@pytest.mark.parametrize(("amount", "reason", "status", "message"), [
    pytest.param("1250.51", "多退", 409, "退款金额超过可退金额，最多还可退 ¥1250.50",
                 id="too-much"),
    pytest.param("12.345", "退款", 422, BAD_AMOUNT, id="three-decimals"),
    pytest.param("-5", "退款", 422, BAD_AMOUNT, id="negative"),
    pytest.param("一百", "退款", 422, BAD_AMOUNT, id="words"),
    pytest.param("0", "退款", 422, "退款金额应大于 0 元", id="zero"),
    pytest.param("10", "   ", 422, "请填写退款原因", id="no-reason"),
])
async def test_a_refused_refund_keeps_what_was_typed(site, gateway, amount, reason, status,
                                                      message):
    order_no = await new_order(site)
    await pay(site, gateway, order_no)
    staff = await site.client_for("staff")
    key = refund_key((await staff.get(f"/payments/manage/orders/{order_no}")).text)

    page = await staff.post(f"/payments/manage/orders/{order_no}/refunds",
                            data={"amount": amount, "reason": reason, "key": key})

    assert page.status_code == status
    assert f'<p class="error" id="refund-error" role="alert">{message}</p>' in page.text
    assert f'name="amount" value="{amount}"' in page.text
    assert refund_key(page.text) == key
    assert await refunds_of(site) == []


async def test_what_is_left_counts_refunds_already_asked(site, gateway):
    order_no = await new_order(site)
    await pay(site, gateway, order_no)
    staff = await site.client_for("staff")
    url = f"/payments/manage/orders/{order_no}/refunds"
    await staff.post(url, data={"amount": "1000", "reason": "退 8 课时", "key": "a"})

    page = await staff.post(url, data={"amount": "300", "reason": "再退", "key": "b"})

    assert page.status_code == 409 and "最多还可退 ¥250.50" in page.text
    assert [r.amount_fen for r in await refunds_of(site)] == [100000]


async def test_refunding_an_unpaid_order_is_refused_on_the_page(site):
    order_no = await new_order(site)
    staff = await site.client_for("staff")

    page = await staff.post(f"/payments/manage/orders/{order_no}/refunds",
                            data={"amount": "10", "reason": "误报名", "key": "k"})

    assert page.status_code == 409 and "只有已支付的订单可以退款" in page.text


async def test_a_refund_form_without_its_key_is_refused(site, gateway):
    order_no = await new_order(site)
    await pay(site, gateway, order_no)
    staff = await site.client_for("staff")

    page = await staff.post(f"/payments/manage/orders/{order_no}/refunds",
                            data={"amount": "10", "reason": "退款"})

    assert page.status_code == 422 and "表单已过期，请核对后重新提交" in page.text
    assert 'name="amount" value="10"' in page.text and refund_key(page.text)
    assert await refunds_of(site) == []


async def test_refunding_an_unknown_order_is_not_found(site):
    staff = await site.client_for("staff")

    page = await staff.post("/payments/manage/orders/P1/refunds",
                            data={"amount": "10", "reason": "退款", "key": "k"})

    assert page.status_code == 404


async def test_a_refund_form_needs_its_csrf_token(site, gateway):
    order_no = await new_order(site)
    await pay(site, gateway, order_no)
    staff = await site.client_for("staff")
    del staff.headers["X-CSRF-Token"]

    page = await staff.post(f"/payments/manage/orders/{order_no}/refunds",
                            data={"amount": "10", "reason": "退款", "key": "k"})

    assert page.status_code == 403
    assert await refunds_of(site) == []


# -- reconciliation ----------------------------------------------------------

def beijing_today():
    return utcnow().astimezone(BEIJING).date()


async def test_reconciliation_starts_on_yesterday_in_beijing(site):
    staff = await site.client_for("staff")

    page = await staff.get("/payments/manage/reconciliation")

    yesterday = (beijing_today() - dt.timedelta(days=1)).isoformat()
    assert page.status_code == 200
    assert f'name="day" value="{yesterday}"' in page.text
    assert '<option value="alipay_test" selected>支付宝</option>' in page.text
    assert await audited(site, "payments.reconciled") == []  # nothing asked yet


async def test_reconciliation_shows_totals_and_every_category(site, gateway):
    matched, lost, differs, absent = [await new_order(site, ref=f"r{i}") for i in range(4)]
    for order_no in (matched, differs, absent):
        await pay(site, gateway, order_no)
    gateway.pay(lost, amount_fen=AMOUNT)  # paid at the gateway, notification lost
    wrong = gateway.trades[differs]
    gateway.trades[differs] = GatewayTrade(differs, "paid", wrong.trade_no, 100, wrong.paid_at)
    del gateway.trades[absent]
    staff = await site.client_for("staff")

    page = await staff.get("/payments/manage/reconciliation",
                           params={"provider": "alipay_test", "day": beijing_today()})

    assert page.status_code == 200
    counts = dict(re.findall(r'rc-count rc-(\w+)"><span>[^<]+</span> <strong>(\d+)</strong>',
                             page.text))
    assert counts == {"matched": "1", "missing_in_ledger": "1", "missing_at_gateway": "1",
                      "amount_differs": "1"}
    assert '<dd class="rc-ledger">¥3751.50</dd>' in page.text
    assert '<dd class="rc-gateway">¥2502.00</dd>' in page.text
    assert '<dd class="rc-difference error">-¥1249.50</dd>' in page.text
    assert "账本 ¥1250.50 · 平台 ¥1.00" in page.text
    for order_no in (matched, lost, differs, absent):
        assert f'href="/payments/manage/orders/{order_no}"' in page.text
    [entry] = await audited(site, "payments.reconciled")
    assert entry.detail["amount_differs"] == 1 and entry.target_id == "alipay_test"


async def test_reconciliation_shows_the_days_refunds_beside_its_payments(site, gateway):
    order_no = await new_order(site)
    await pay(site, gateway, order_no)
    staff = await site.client_for("staff")
    for key, fen in (("kept", 20000), ("lost", 5000)):
        await staff.post(f"/api/v1/payments/orders/{order_no}/refunds",
                         json={"amount_fen": fen, "reason": "按课时退费"},
                         headers={"Idempotency-Key": key})
    await drain(site)
    [lost_no] = [no for no, (view, _at) in gateway.refunded.items() if view.amount_fen == 5000]
    del gateway.refunded[lost_no]

    page = await staff.get("/payments/manage/reconciliation",
                           params={"provider": "alipay_test", "day": beijing_today()})

    counts = dict(re.findall(
        r'rc-count rc-refund-(\w+)"><span>[^<]+</span> <strong>(\d+)</strong>', page.text))
    assert counts == {"matched": "1", "missing_in_ledger": "0", "missing_at_gateway": "1",
                      "amount_differs": "0"}
    assert '<dd class="rc-refund-ledger">¥250.00</dd>' in page.text
    assert '<dd class="rc-refund-gateway">¥200.00</dd>' in page.text
    assert f"退款号 {lost_no}" in page.text and "账本确认于" in page.text
    [entry] = await audited(site, "payments.reconciled")
    assert (entry.detail["refunds_matched"], entry.detail["refunds_missing_at_gateway"]) == (
        1, 1)


async def test_an_unavailable_gateway_is_a_clear_message(site, gateway):
    gateway.fail_next("bill", GatewayUnavailable("timeout"))
    staff = await site.client_for("staff")
    day = beijing_today() - dt.timedelta(days=1)

    page = await staff.get("/payments/manage/reconciliation",
                           params={"provider": "alipay_test", "day": day})

    assert page.status_code == 503
    assert "支付平台暂时无法提供对账单，请稍后再试" in page.text
    assert f'name="day" value="{day}"' in page.text


@pytest.mark.parametrize(("params", "message"), [
    pytest.param({"provider": "nope", "day": "2026-03-01"}, "请选择一个支付平台", id="provider"),
    pytest.param({"provider": "alipay_test", "day": "2026-13-01"}, "请选择要对账的日期",
                 id="bad-day"),
    pytest.param({"provider": "alipay_test", "day": ""}, "请选择要对账的日期", id="no-day"),
])
async def test_reconciliation_refuses_bad_choices(site, params, message):
    staff = await site.client_for("staff")

    page = await staff.get("/payments/manage/reconciliation", params=params)

    assert page.status_code == 422 and message in page.text


async def test_a_day_still_to_come_cannot_be_reconciled(site, gateway):
    staff = await site.client_for("staff")
    tomorrow = beijing_today() + dt.timedelta(days=1)

    page = await staff.get("/payments/manage/reconciliation",
                           params={"provider": "alipay_test", "day": tomorrow})

    assert page.status_code == 422 and "只能对今天及以前的日期对账" in page.text
    assert ("bill", tomorrow.isoformat()) not in gateway.calls


async def test_a_busy_day_lists_only_the_first_matched_trades(site, gateway):
    from bangyaer.payments._web_reconcile import MATCHED_SHOWN

    for i in range(MATCHED_SHOWN + 1):
        await pay(site, gateway, await new_order(site, ref=f"busy{i}"))
    staff = await site.client_for("staff")

    page = await staff.get("/payments/manage/reconciliation",
                           params={"provider": "alipay_test", "day": beijing_today()})

    assert f"只列出前 {MATCHED_SHOWN} 笔。" in page.text
    assert page.text.count('href="/payments/manage/orders/') == MATCHED_SHOWN
