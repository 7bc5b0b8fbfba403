"""End to end with the ledger: a family pays at the sandbox cashier, Alipay tells us, over HTTP.

The platform is served on loopback; the sandbox posts its notifications to
it, and the family's client follows every redirect a browser would.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from bangyaer.events import EventRecord
from bangyaer.payments import Order, Payment, Refund, request_refund
from bangyaer.testing import drain
from bangyaer_alipay._sign import sign, sign_content
from sqlalchemy import func, select

from .conftest import (
    DESKTOP_UA,
    acknowledged,
    make_jobs_due,
    new_order,
    open_cashier,
    press,
    until,
)


async def order_of(platform, order_no) -> Order:
    async with platform.db.session() as session:
        return await session.scalar(select(Order).where(Order.order_no == order_no))


async def count(platform, model, **where) -> int:
    async with platform.db.session() as session:
        query = select(func.count(model.id))
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return await session.scalar(query)


async def is_paid(platform, order_no) -> bool:
    return (await order_of(platform, order_no)).status == "paid"


async def test_a_phone_pays_and_the_notification_marks_the_order_paid(
        pay_platform, family, sandbox):
    order_no = await new_order(pay_platform)

    cashier = await open_cashier(family, order_no)
    landed = await press(family, cashier)
    await until(acknowledged(sandbox, order_no))

    order = await order_of(pay_platform, order_no)
    trade = sandbox.trade(order_no)
    assert sandbox.state.calls[0][0] == "alipay.trade.wap.pay"
    assert (order.status, order.provider, order.trade_no) == ("paid", "alipay", trade.trade_no)
    assert [d.answer for d in sandbox.notifier.deliveries] == ["success"]
    assert landed.status_code == 200
    assert landed.url.path == f"/payments/orders/{order_no}"
    assert await count(pay_platform, EventRecord, type="payments.order_paid") == 1


async def test_a_desktop_pays_through_the_page_cashier(pay_platform, family, sandbox):
    family.headers["User-Agent"] = DESKTOP_UA
    order_no = await new_order(pay_platform)

    await press(family, await open_cashier(family, order_no))
    await until(acknowledged(sandbox, order_no))

    assert sandbox.state.calls[0][0] == "alipay.trade.page.pay"
    assert await is_paid(pay_platform, order_no)


async def test_the_return_page_alone_marks_nothing_paid(pay_platform, family, sandbox):
    order_no = await new_order(pay_platform)
    sandbox.notifier.hold()  # the notification is late, and the trade was never paid
    await open_cashier(family, order_no)
    trade = sandbox.trade(order_no)
    forged = sandbox.signed({"out_trade_no": order_no, "trade_no": trade.trade_no,
                             "app_id": sandbox.state.app_id,
                             "total_amount": "1200.00", "method": "alipay.trade.wap.pay.return",
                             "sign_type": "RSA2"})

    landed = await family.get("/alipay/return", params=forged, follow_redirects=True)

    assert landed.url.path == f"/payments/orders/{order_no}"
    assert (await order_of(pay_platform, order_no)).status == "pending"


async def test_a_return_not_signed_by_alipay_is_refused(pay_platform, family, stranger_key):
    params = {"out_trade_no": "P1", "app_id": "2021004100000001", "total_amount": "1.00"}
    params["sign"] = sign(stranger_key, sign_content(params))

    response = await family.get("/alipay/return", params=params)

    assert response.status_code == 400
    assert "无法确认支付宝返回的信息" in response.text


# -- forged and mismatched notifications ---------------------------------------

async def post_notification(platform, params) -> httpx.Response:
    async with httpx.AsyncClient(base_url=platform.url) as alipay:
        return await alipay.post("/api/v1/alipay/notify", data=params)


async def paid_params(pay_platform, family, sandbox) -> tuple[str, dict[str, str]]:
    """A trade paid at the cashier whose notification was held back; its genuine params."""
    order_no = await new_order(pay_platform)
    sandbox.notifier.hold()
    await press(family, await open_cashier(family, order_no), follow=False)
    [held] = sandbox.notifier.held
    return order_no, dict(held.params)


@pytest.mark.parametrize("forge", [
    pytest.param(lambda p, box, stranger: {**p, "sign": sign(
        stranger, sign_content(p, exclude=("sign", "sign_type")))}, id="wrong-signature"),
    pytest.param(lambda p, box, stranger: {**p, "total_amount": "1.00"},
                 id="changed-after-signing"),
    pytest.param(lambda p, box, stranger: box.signed({**p, "app_id": "2021009999999999"}),
                 id="wrong-app-id"),
    pytest.param(lambda p, box, stranger: box.signed({**p, "seller_id": "2088999999999999"}),
                 id="wrong-seller-id"),
    pytest.param(lambda p, box, stranger: box.signed({**p, "total_amount": "1.00"}),
                 id="wrong-amount"),
    pytest.param(lambda p, box, stranger: box.signed({**p, "out_trade_no": "P404"}),
                 id="unknown-order"),
    pytest.param(lambda p, box, stranger: {k: v for k, v in p.items() if k != "sign"},
                 id="unsigned"),
    pytest.param(lambda p, box, stranger: box.signed(
        {k: v for k, v in p.items() if k not in ("trade_no", "sign")}), id="no-trade-no"),
    pytest.param(lambda p, box, stranger: box.signed({**p, "trade_status": "TRADE_PAID"}),
                 id="unknown-status"),
])
async def test_a_forged_or_mismatched_notification_is_refused_and_changes_nothing(
        pay_platform, family, sandbox, stranger_key, forge, caplog):
    order_no, genuine = await paid_params(pay_platform, family, sandbox)

    with caplog.at_level("WARNING", logger="bangyaer"):
        response = await post_notification(pay_platform, forge(genuine, sandbox, stranger_key))

    assert (response.status_code, response.text) == (200, "fail")
    assert any("refused" in r.getMessage() for r in caplog.records)
    assert (await order_of(pay_platform, order_no)).status == "pending"
    assert await count(pay_platform, Payment) == 0
    assert await count(pay_platform, EventRecord, type="payments.order_paid") == 0


async def test_the_genuine_notification_still_applies_after_forgeries(
        pay_platform, family, sandbox):
    order_no, genuine = await paid_params(pay_platform, family, sandbox)
    await post_notification(pay_platform, {**genuine, "total_amount": "1.00"})

    response = await post_notification(pay_platform, genuine)

    assert (response.text, response.headers["content-type"]) == (
        "success", "text/plain; charset=utf-8")
    assert await is_paid(pay_platform, order_no)


# -- duplicates, reordering, a lost notification -------------------------------

async def test_duplicate_notifications_apply_once(pay_platform, family, sandbox):
    sandbox.notifier.duplicates = 3
    order_no = await new_order(pay_platform)

    await press(family, await open_cashier(family, order_no))
    await until(acknowledged(sandbox, order_no, 4))

    assert await count(pay_platform, Payment) == 1
    assert await count(pay_platform, EventRecord, type="payments.order_paid") == 1


async def test_trade_success_after_trade_finished_applies_once(pay_platform, family, sandbox):
    order_no = await new_order(pay_platform)
    sandbox.notifier.hold()
    await press(family, await open_cashier(family, order_no))
    sandbox.finish(order_no)

    sandbox.notifier.release(order=[1, 0])  # TRADE_FINISHED arrives first
    await until(acknowledged(sandbox, order_no, 2))

    statuses = [d.trade_status for d in sandbox.notifier.deliveries]
    assert statuses == ["TRADE_FINISHED", "TRADE_SUCCESS"]
    assert await is_paid(pay_platform, order_no)
    assert await count(pay_platform, Payment) == 1


async def test_wait_buyer_pay_after_success_changes_nothing(pay_platform, family, sandbox):
    order_no = await new_order(pay_platform)
    await press(family, await open_cashier(family, order_no))
    await until(acknowledged(sandbox, order_no))

    sandbox.notify(order_no, trade_status="WAIT_BUYER_PAY")
    await until(acknowledged(sandbox, order_no, 2))

    assert await is_paid(pay_platform, order_no)


async def test_a_notification_that_never_comes_is_repaired_by_the_query_job(
        pay_platform, family, sandbox):
    sandbox.notifier.drop_next()
    order_no = await new_order(pay_platform)
    await press(family, await open_cashier(family, order_no), follow=False)
    assert (await order_of(pay_platform, order_no)).status == "pending"

    await make_jobs_due(pay_platform)  # a few minutes later
    await drain(pay_platform)

    assert await is_paid(pay_platform, order_no)
    assert ("alipay.trade.query", {"out_trade_no": order_no}) in sandbox.state.calls
    assert sandbox.notifier.deliveries == []


# -- double payment, refunds, expiry -------------------------------------------

async def test_a_second_trade_for_a_paid_order_is_refunded_automatically(
        pay_platform, family, sandbox):
    order_no = await new_order(pay_platform)
    await press(family, await open_cashier(family, order_no))
    await until(acknowledged(sandbox, order_no))

    twin = sandbox.second_trade(order_no)
    await until(acknowledged(sandbox, order_no, 2))
    await drain(pay_platform)

    first = sandbox.trade(order_no)
    assert (twin.status, twin.refunded_fen) == ("TRADE_CLOSED", 120000)
    assert (first.status, first.refunded_fen) == ("TRADE_SUCCESS", 0)
    order = await order_of(pay_platform, order_no)
    assert (order.status, order.trade_no, order.refunded_fen) == ("paid", first.trade_no, 0)
    assert await count(pay_platform, Payment, status="duplicate") == 1


async def test_a_partial_refund_retried_after_a_timeout_refunds_once(
        pay_platform, family, sandbox):
    order_no = await new_order(pay_platform)
    await press(family, await open_cashier(family, order_no))
    await until(acknowledged(sandbox, order_no))
    async with pay_platform.db.transaction() as session:
        refund = await request_refund(session, order_no=order_no, amount_fen=50000,
                                      reason="少上 5 次课", actor_account_id=None, key="r-1")
        refund_no = refund.refund_no
    # Alipay refunds, but its answer is slower than our timeout.
    sandbox.fail_next("alipay.trade.refund", delay=1.5, apply=True)

    await drain(pay_platform)
    async with pay_platform.db.session() as session:
        waiting = await session.scalar(select(Refund.status).where(Refund.refund_no == refund_no))
    await make_jobs_due(pay_platform)
    await drain(pay_platform)

    trade = sandbox.trade(order_no)
    calls = [biz for method, biz in sandbox.state.calls if method == "alipay.trade.refund"]
    assert waiting == "pending"
    assert [c["out_request_no"] for c in calls] == [refund_no, refund_no]
    assert (trade.refunded_fen, list(trade.refunds)) == (50000, [refund_no])
    order = await order_of(pay_platform, order_no)
    assert (order.status, order.refunded_fen) == ("paid", 50000)


async def test_an_unpaid_order_is_closed_at_alipay_when_it_expires(pay_platform, family,
                                                                   sandbox):
    order_no = await new_order(pay_platform, minutes=0.03)
    await open_cashier(family, order_no)  # the payer looked, and left
    await until(lambda: (sandbox.trade(order_no).time_expire is not None
                         and sandbox.state.now() > sandbox.trade(order_no).time_expire), 5)

    await until(lambda: _after(pay_platform, order_no), 5)
    await make_jobs_due(pay_platform)
    await drain(pay_platform)

    assert (await order_of(pay_platform, order_no)).status == "expired"
    assert ("alipay.trade.close", {"out_trade_no": order_no}) in sandbox.state.calls
    assert sandbox.trade(order_no).status == "TRADE_CLOSED"


async def _after(platform, order_no) -> bool:
    from bangyaer.db import utcnow

    return (await order_of(platform, order_no)).expires_at <= utcnow()


async def test_the_reconciliation_matches_the_ledger_with_alipays_bill(
        pay_platform, family, sandbox):
    from bangyaer.payments._reconcile import reconcile

    order_no = await new_order(pay_platform)
    await press(family, await open_cashier(family, order_no))
    await until(acknowledged(sandbox, order_no))
    day = sandbox.state.now().date()
    sandbox.advance(24 * 3600)  # the day's bill is out the next morning

    provider = pay_platform.host.collect_by_id("payment_providers")["alipay"]
    async with pay_platform.db.session() as session:
        report = await reconcile(session, pay_platform, provider, day)

    matched = report["matched"]
    assert [line["trade_no"] for line in matched] == [sandbox.trade(order_no).trade_no]
    for problem in ("missing_in_ledger", "missing_at_gateway", "amount_differs"):
        assert report[problem] == []
    assert report["ledger_fen"] == report["gateway_fen"] == 120000


async def test_the_reconciliation_matches_the_days_refunds_with_alipays_bill(
        pay_platform, family, sandbox):
    from bangyaer.payments._reconcile import reconcile

    order_no = await new_order(pay_platform)
    await press(family, await open_cashier(family, order_no))
    await until(acknowledged(sandbox, order_no))
    async with pay_platform.db.transaction() as session:
        refund = await request_refund(session, order_no=order_no, amount_fen=30000,
                                      reason="少上 3 次课", actor_account_id=None, key="r-1")
        refund_no = refund.refund_no
    await drain(pay_platform)
    day = sandbox.state.now().date()
    sandbox.advance(24 * 3600)

    provider = pay_platform.host.collect_by_id("payment_providers")["alipay"]
    async with pay_platform.db.session() as session:
        refunds = (await reconcile(session, pay_platform, provider, day))["refunds"]

    assert [(line["refund_no"], line["ledger_fen"], line["gateway_fen"])
            for line in refunds["matched"]] == [(refund_no, 30000, 30000)]
    for problem in ("missing_in_ledger", "missing_at_gateway", "amount_differs"):
        assert refunds[problem] == []
    assert refunds["ledger_fen"] == refunds["gateway_fen"] == 30000


async def test_the_refusal_is_in_english_for_english_readers(pay_platform, family):
    response = await family.get("/alipay/return", params={"out_trade_no": "P1", "lang": "en"})

    assert response.status_code == 400
    assert "We could not confirm what Alipay sent back" in response.text


async def test_the_notify_endpoint_is_in_the_openapi_document(pay_platform, family):
    document = (await family.get("/api/v1/openapi.json")).json()

    operation = document["paths"]["/api/v1/alipay/notify"]["post"]
    assert "异步通知" in operation["summary"]


async def test_simultaneous_deliveries_of_one_notification_apply_once(
        pay_platform, family, sandbox):
    order_no, genuine = await paid_params(pay_platform, family, sandbox)

    answers = await asyncio.gather(*(post_notification(pay_platform, genuine)
                                     for _ in range(5)))

    assert await is_paid(pay_platform, order_no)
    assert await count(pay_platform, Payment) == 1
    assert await count(pay_platform, EventRecord, type="payments.order_paid") == 1
    # Any that lost a race may say fail (Alipay delivers again); none is an error page.
    assert {a.text for a in answers} <= {"success", "fail"} and "success" in {
        a.text for a in answers}


async def test_a_busy_database_answers_fail_so_alipay_delivers_again(
        pay_platform, family, sandbox, monkeypatch):
    import bangyaer_alipay._notify as endpoint
    from sqlalchemy.exc import OperationalError

    order_no, genuine = await paid_params(pay_platform, family, sandbox)
    real = endpoint.record_payment

    async def locked(session, **kwargs):
        raise OperationalError("UPDATE core_payment_order", {}, Exception("database is locked"))

    monkeypatch.setattr(endpoint, "record_payment", locked)
    busy = await post_notification(pay_platform, genuine)
    monkeypatch.setattr(endpoint, "record_payment", real)
    again = await post_notification(pay_platform, genuine)

    assert (busy.status_code, busy.text, again.text) == (200, "fail", "success")
    assert await is_paid(pay_platform, order_no)
