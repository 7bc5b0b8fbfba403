"""The family's order page and the staff API, through the real app."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.db import utcnow
from bangyaer.identity import AuditEntry
from bangyaer.payments import create_order, get_order, record_payment
from bangyaer.payments.testing import MemoryGateway, cashier_url
from bangyaer.testing import TinyDistrict, build_plugin, login
from sqlalchemy import select

PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Mobile/15E148 DingTalk/7.0.0")


async def new_order(platform, child="child_1", ref=None):
    async with platform.db.transaction() as session:
        order = await create_order(
            session, plugin="training", purpose_ref=ref or f"class:3:{child}",
            title="少儿书法初级班",
            amount_fen=125050, payer_account_id=None, subject_id=platform.people.ids[child],
            expires_at=utcnow() + dt.timedelta(hours=2))
        return order.order_no


async def test_the_family_sees_the_order_in_chinese_with_a_pay_button(site):
    order_no = await new_order(site)
    parent = await site.client_for("parent")

    page = await parent.get(f"/payments/orders/{order_no}")

    assert page.status_code == 200
    assert "少儿书法初级班" in page.text and "¥1250.50" in page.text
    assert "待支付" in page.text and "请在此时间前支付" in page.text
    assert 'name="provider" value="alipay_test"' in page.text
    assert "使用支付宝支付" in page.text
    assert 'name="viewport"' in page.text


async def test_another_family_gets_not_found(site):
    order_no = await new_order(site)
    other = await site.client_for("parent_b")

    page = await other.get(f"/payments/orders/{order_no}")

    assert page.status_code == 404
    assert "少儿书法初级班" not in page.text


async def test_signing_in_is_required(site):
    order_no = await new_order(site)

    page = await (await site.client_for()).get(f"/payments/orders/{order_no}")

    assert page.status_code == 303 and page.headers["location"].startswith("/login")


async def test_paying_on_a_phone_goes_to_the_gateway_as_a_phone(site, gateway):
    order_no = await new_order(site)
    parent = await site.client_for("parent")

    response = await parent.post(f"/payments/orders/{order_no}/pay",
                                 data={"provider": "alipay_test"},
                                 headers={"User-Agent": PHONE_UA})

    assert response.status_code == 200
    assert cashier_url(response.text) == f"https://gateway.invalid/cashier/{order_no}?device=phone"
    assert '<script src="/static/core/payments.js"></script>' in response.text
    desktop = await parent.post(f"/payments/orders/{order_no}/pay",
                                data={"provider": "alipay_test"},
                                headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"})
    assert "device=desktop" in desktop.text


async def test_an_unknown_provider_is_refused_on_the_page(site):
    order_no = await new_order(site)
    parent = await site.client_for("parent")

    response = await parent.post(f"/payments/orders/{order_no}/pay", data={"provider": "x"})

    assert response.status_code == 422 and "请选择一种支付方式" in response.text


async def test_coming_back_repairs_a_lost_notification(site, gateway):
    order_no = await new_order(site)
    parent = await site.client_for("parent")
    await parent.post(f"/payments/orders/{order_no}/pay", data={"provider": "alipay_test"})
    gateway.pay(order_no, amount_fen=125050)

    back = await parent.get(f"/payments/orders/{order_no}/return")
    page = await parent.get(back.headers["location"])

    assert "已支付" in page.text and "pay-button" not in page.text
    async with site.db.session() as session:
        assert (await get_order(session, order_no)).status == "paid"


async def paid(site, gateway, order_no):
    trade = gateway.pay(order_no, amount_fen=125050)
    async with site.db.transaction() as session:
        await record_payment(session, provider=gateway.id, trade=trade)


async def test_staff_refund_over_the_api_is_idempotent_and_audited(site, gateway):
    order_no = await new_order(site)
    await paid(site, gateway, order_no)
    staff = await site.client_for("staff")
    url = f"/api/v1/payments/orders/{order_no}/refunds"
    body = {"amount_fen": 25010, "reason": "已上 2 课时，退剩余课时费"}

    first = await staff.post(url, json=body, headers={"Idempotency-Key": "r-1"})
    again = await staff.post(url, json=body, headers={"Idempotency-Key": "r-1"})

    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert first.json()["amount_fen"] == 25010 and isinstance(first.json()["amount_fen"], int)
    async with site.db.session() as session:
        audited = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "payments.refund_requested")))
    assert len(audited) == 1 and audited[0].account_id is not None


async def test_staff_refund_refusals_are_clear(site, gateway):
    order_no = await new_order(site)
    await paid(site, gateway, order_no)
    staff = await site.client_for("staff")
    url = f"/api/v1/payments/orders/{order_no}/refunds"

    no_key = await staff.post(url, json={"amount_fen": 1, "reason": "x"})
    too_much = await staff.post(url, json={"amount_fen": 125051, "reason": "x"},
                                headers={"Idempotency-Key": "k"})
    a_float = await staff.post(url, json={"amount_fen": 12.5, "reason": "x"},
                               headers={"Idempotency-Key": "f"})
    unknown = await staff.post("/api/v1/payments/orders/P1/refunds",
                               json={"amount_fen": 1, "reason": "x"},
                               headers={"Idempotency-Key": "u"})

    assert (no_key.status_code, no_key.json()["error"]["code"]) == (
        422, "idempotency_key_required")
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (409, "refund_too_large")
    assert (a_float.status_code, a_float.json()["error"]["code"]) == (422, "invalid_field")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "order_not_found")


@pytest.mark.parametrize("username", ["parent", "teacher_a", "head_a"])
async def test_only_payments_staff_use_the_staff_api(site, username):
    client = await site.client_for(username)

    listed = await client.get("/api/v1/payments/orders")

    assert listed.status_code == 403


async def test_staff_list_orders_with_int_amounts(site, gateway):
    order_no = await new_order(site)
    staff = await site.client_for("admin")

    listed = await staff.get("/api/v1/payments/orders?status=pending")

    [order] = listed.json()["orders"]
    assert order["order_no"] == order_no and type(order["amount_fen"]) is int
    assert type(order["refunded_fen"]) is int


async def test_reconciliation_sorts_every_trade_into_its_category(site, gateway):
    from bangyaer.payments import GatewayTrade

    matched, lost, differs, absent = [await new_order(site, ref=f"r{i}") for i in range(4)]
    for order_no in (matched, differs, absent):
        await paid(site, gateway, order_no)
    gateway.pay(lost, amount_fen=125050)  # paid at the gateway, notification lost
    wrong = gateway.trades[differs]
    gateway.trades[differs] = GatewayTrade(differs, "paid", wrong.trade_no, 100, wrong.paid_at)
    del gateway.trades[absent]
    day = utcnow().astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    staff = await site.client_for("staff")

    report = (await staff.get(f"/api/v1/payments/reconciliation?day={day}"
                              "&provider=alipay_test")).json()

    def orders(category):
        return [line["order_no"] for line in report[category]]

    assert (orders("matched"), orders("missing_in_ledger"), orders("missing_at_gateway"),
            orders("amount_differs")) == ([matched], [lost], [absent], [differs])
    assert [(line["ledger_fen"], line["gateway_fen"]) for line in report["amount_differs"]] \
        == [(125050, 100)]
    assert report["ledger_fen"] == 3 * 125050


async def test_reconciliation_sorts_every_refund_into_its_category(site, gateway):
    from bangyaer.payments import RefundView
    from bangyaer.testing import drain

    order_no = await new_order(site)
    await paid(site, gateway, order_no)
    staff = await site.client_for("staff")
    for key, fen in (("matched", 20000), ("differs", 30000), ("absent", 40000)):
        made = await staff.post(f"/api/v1/payments/orders/{order_no}/refunds",
                                json={"amount_fen": fen, "reason": "按课时退费"},
                                headers={"Idempotency-Key": key})
        assert made.status_code == 202
    await drain(site)
    numbers = {view.amount_fen: no for no, (view, _at) in gateway.refunded.items()}
    trade_no = gateway.trades[order_no].trade_no
    _view, at = gateway.refunded[numbers[30000]]
    gateway.refunded[numbers[30000]] = (RefundView(numbers[30000], order_no, trade_no, 3000,
                                                   "按课时退费"), at)
    del gateway.refunded[numbers[40000]]
    # Refunded by hand in the gateway's own console: the ledger never heard of it.
    gateway.refunded["BYHAND1"] = (RefundView("BYHAND1", order_no, trade_no, 500, ""), at)
    day = utcnow().astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()

    report = (await staff.get(f"/api/v1/payments/reconciliation?day={day}"
                              "&provider=alipay_test")).json()["refunds"]

    def fen(category):
        return [(line["ledger_fen"], line["gateway_fen"]) for line in report[category]]

    assert (fen("matched"), fen("amount_differs"), fen("missing_at_gateway"),
            fen("missing_in_ledger")) == ([(20000, 20000)], [(30000, 3000)],
                                          [(40000, None)], [(None, 500)])
    assert [line["refund_no"] for line in report["missing_in_ledger"]] == ["BYHAND1"]
    assert report["missing_in_ledger"][0]["order_no"] == order_no
    assert (report["ledger_fen"], report["gateway_fen"]) == (90000, 23500)
    assert all(line["done_at"] for line in report["matched"] + report["missing_at_gateway"])


async def test_a_refund_the_bill_names_is_matched_whatever_day_the_ledger_confirmed_it(
        site, gateway):
    from bangyaer.payments import Refund
    from bangyaer.testing import drain
    from sqlalchemy import update

    order_no = await new_order(site)
    await paid(site, gateway, order_no)
    staff = await site.client_for("staff")
    await staff.post(f"/api/v1/payments/orders/{order_no}/refunds",
                     json={"amount_fen": 20000, "reason": "按课时退费"},
                     headers={"Idempotency-Key": "late"})
    await drain(site)
    async with site.db.transaction() as session:  # confirmed a day after it was paid out
        await session.execute(update(Refund).values(
            done_at=utcnow() + dt.timedelta(days=1)))
    day = utcnow().astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()

    report = (await staff.get(f"/api/v1/payments/reconciliation?day={day}"
                              "&provider=alipay_test")).json()["refunds"]

    assert [line["ledger_fen"] for line in report["matched"]] == [20000]
    assert report["missing_in_ledger"] == [] == report["missing_at_gateway"]


async def test_reconciliation_refuses_a_malformed_day(site):
    staff = await site.client_for("staff")

    bad = await staff.get("/api/v1/payments/reconciliation?day=2026-13-01&provider=alipay_test")

    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_day")


async def test_the_order_page_speaks_english_when_asked(site):
    order_no = await new_order(site)
    parent = await site.client_for("parent")
    await parent.get("/lang/en")

    page = await parent.get(f"/payments/orders/{order_no}")

    assert "Awaiting payment" in page.text and "Pay with Alipay" in page.text


async def test_a_gateway_form_is_sent_on_with_the_gateways_origin_allowed(site, gateway):
    from bangyaer.payments import Checkout

    async def form_checkout(platform, order, *, device, return_url):
        return Checkout(form_html='<form name="pay" method="post" '
                                  'action="https://openapi.gateway.invalid/gateway.do">'
                                  '<input type="hidden" name="sign" value="abc">'
                                  '<button type="submit">继续</button></form>')

    gateway.checkout = form_checkout
    order_no = await new_order(site)
    parent = await site.client_for("parent")

    page = await parent.post(f"/payments/orders/{order_no}/pay",
                             data={"provider": "alipay_test"})

    assert page.status_code == 200
    assert 'action="https://openapi.gateway.invalid/gateway.do"' in page.text
    assert '<script src="/static/core/payments.js"></script>' in page.text
    policy = page.headers["content-security-policy"]
    assert "form-action 'self' https://openapi.gateway.invalid;" not in policy
    assert policy.endswith("form-action 'self' https://openapi.gateway.invalid")
    assert "script-src 'self';" in policy


async def test_the_family_asks_for_an_invoice_and_downloads_it(make_platform, make_client):
    from bangyaer.payments.testing import MemoryInvoicer
    from bangyaer.testing import drain

    gateway, invoicer = MemoryGateway(), MemoryInvoicer(polls=0)
    platform = await make_platform([build_plugin(
        "paytest", payment_providers=lambda: [gateway], invoice_providers=lambda: [invoicer])])
    platform.people = await TinyDistrict().build(platform)
    order_no = await new_order(platform)
    await paid(platform, gateway, order_no)
    async with make_client(platform) as parent, make_client(platform) as other:
        await login(parent, "parent", TinyDistrict.PASSWORD)
        await login(other, "parent_b", TinyDistrict.PASSWORD)
        form = await parent.get(f"/payments/orders/{order_no}")
        assert "申请电子发票" in form.text

        bad = await parent.post(f"/payments/orders/{order_no}/invoice",
                                data={"buyer_kind": "company", "buyer_name": "某科技有限公司",
                                      "buyer_tax_no": "12"})
        asked = await parent.post(f"/payments/orders/{order_no}/invoice",
                                  data={"buyer_kind": "person", "buyer_name": "王大明"})
        await drain(platform)
        page = await parent.get(f"/payments/orders/{order_no}")
        link = page.text.split('href="/payments/invoices/')[1].split('"')[0]
        pdf = await parent.get(f"/payments/invoices/{link}")
        stolen = await other.get(f"/payments/invoices/{link}")

    assert bad.status_code == 422 and "纳税人识别号" in bad.text
    assert asked.status_code == 303
    assert "已开具" in page.text
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"
    assert stolen.status_code == 404


async def test_after_a_failed_invoice_the_family_asks_again_from_a_filled_form(
        make_platform, make_client):
    from bangyaer.payments.testing import MemoryInvoicer
    from bangyaer.testing import drain

    gateway = MemoryGateway()
    invoicer = MemoryInvoicer(polls=0, refuse="开票失败：购方名称与税号不符")
    platform = await make_platform([build_plugin(
        "paytest", payment_providers=lambda: [gateway], invoice_providers=lambda: [invoicer])])
    platform.people = await TinyDistrict().build(platform)
    order_no = await new_order(platform)
    await paid(platform, gateway, order_no)
    details = {"buyer_kind": "company", "buyer_name": "某科技有限公司",
               "buyer_tax_no": "91330100MA2XXXXX0A"}
    async with make_client(platform) as parent:
        await login(parent, "parent", TinyDistrict.PASSWORD)
        await parent.post(f"/payments/orders/{order_no}/invoice", data=details)
        await drain(platform)
        failed = await parent.get(f"/payments/orders/{order_no}")
        invoicer.refuse = ""
        again = await parent.post(f"/payments/orders/{order_no}/invoice",
                                  data=details | {"buyer_tax_no": "91330100MA2XXXXX1B"})
        await drain(platform)
        issued = await parent.get(f"/payments/orders/{order_no}")

    assert "开票失败：购方名称与税号不符" in failed.text and "重新申请电子发票" in failed.text
    assert "开票失败：开票失败" not in failed.text
    assert 'value="某科技有限公司"' in failed.text
    assert 'value="company" checked' in failed.text
    assert again.status_code == 303
    assert issued.text.count("下载电子发票（PDF）") == 1
    assert "重新申请电子发票" not in issued.text and "开票失败" in issued.text


async def test_refunding_an_unpaid_order_over_the_api_is_a_conflict(site):
    order_no = await new_order(site)
    staff = await site.client_for("staff")

    response = await staff.post(f"/api/v1/payments/orders/{order_no}/refunds",
                                json={"amount_fen": 100, "reason": "误报名"},
                                headers={"Idempotency-Key": "x"})

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "order_state",
                                        "message": "只有已支付的订单可以退款"}


async def test_a_bill_the_gateway_refuses_is_a_conflict_naming_its_code(site, gateway):
    from bangyaer.payments import GatewayError

    gateway.fail_next("bill", GatewayError("isp.bill_not_exist", "账单不存在"))
    staff = await site.client_for("staff")

    response = await staff.get("/api/v1/payments/reconciliation?day=2026-12-01"
                               "&provider=alipay_test")

    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["detail"]["gateway_code"]) == ("bill_refused",
                                                                "isp.bill_not_exist")


async def test_reconciling_an_unknown_gateway_is_not_found(site):
    staff = await site.client_for("staff")

    response = await staff.get("/api/v1/payments/reconciliation?day=2026-12-01&provider=nope")

    assert (response.status_code, response.json()["error"]["code"]) == (
        404, "provider_not_found")


async def test_one_pay_button_per_available_gateway(make_platform, make_client):
    ready = MemoryGateway(id="first", title_zh="支付宝", title_en="Alipay")
    second = MemoryGateway(id="second", title_zh="云闪付", title_en="UnionPay")
    offline = MemoryGateway(id="offline", title_zh="停用的支付", enabled=False)
    platform = await make_platform([build_plugin(
        "paytest", payment_providers=lambda: [ready, second, offline])])
    platform.people = await TinyDistrict().build(platform)
    order_no = await new_order(platform)
    async with make_client(platform) as parent:
        await login(parent, "parent", TinyDistrict.PASSWORD)
        page = await parent.get(f"/payments/orders/{order_no}")
        refused = await parent.post(f"/payments/orders/{order_no}/pay",
                                    data={"provider": "offline"})

    assert page.text.count('class="pay-button"') == 2
    assert "使用支付宝支付" in page.text and "使用云闪付支付" in page.text
    assert "停用的支付" not in page.text
    assert refused.status_code == 422


async def test_starting_to_pay_is_audited(site, gateway):
    order_no = await new_order(site)
    parent = await site.client_for("parent")

    await parent.post(f"/payments/orders/{order_no}/pay", data={"provider": "alipay_test"})

    async with site.db.session() as session:
        entry = await session.scalar(select(AuditEntry).where(
            AuditEntry.action == "payments.checkout_started"))
    assert entry.target_id == order_no and entry.detail["provider"] == "alipay_test"
