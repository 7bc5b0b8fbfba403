"""The PaymentProvider against the sandbox over HTTP: every call, and how failures are sorted."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qsl, urlsplit

import bangyaer_alipay.plugin as alipay_plugin
import httpx
import pytest
from bangyaer.payments import (
    GatewayError,
    GatewayUnavailable,
    OrderView,
    PaymentProvider,
    RefundView,
)
from bangyaer_alipay._provider import AlipayProvider
from bangyaer_alipay.sandbox import Sandbox, serve

from .conftest import APP_ID, DESKTOP_UA, FAST_RETRIES, SELLER_ID

EXPIRES = dt.datetime(2027, 3, 1, 4, 30, tzinfo=dt.UTC)  # 12:30 in Beijing


@pytest.fixture
def provider() -> AlipayProvider:
    return alipay_plugin.PROVIDER


@pytest.fixture
async def platform(make_platform, alipay_settings):
    return await make_platform([alipay_plugin], base_url="https://bangyaer.example.edu.cn",
                               plugin_settings={"alipay": alipay_settings})


def order(no: str = "P0001", amount: int = 120000) -> OrderView:
    return OrderView(no, "2027 春季 书法初级班 学费", amount, EXPIRES)


def refund(no: str = "R0001", amount: int = 50000, trade_no: str | None = None) -> RefundView:
    return RefundView(no, "P0001", trade_no, amount, "少上 5 次课")


async def paid(provider, platform, no: str = "P0001") -> None:
    """Open the cashier the checkout points to and pay there, as a payer would."""
    checkout = await provider.checkout(platform, order(no), device="phone",
                                       return_url="https://x.invalid/o")
    async with httpx.AsyncClient() as http:
        cashier = await http.get(checkout.url)
        ticket = cashier.text.split('name="ticket" value="', 1)[1].split('"', 1)[0]
        await http.post(checkout.url.split("/gateway.do")[0] + "/cashier/pay",
                        data={"ticket": ticket, "action": "pay"})


def test_the_provider_follows_the_ledger_contract(provider):
    assert isinstance(provider, PaymentProvider)
    assert provider.id == "alipay"


async def test_it_is_available_once_configured(provider, platform):
    assert provider.available(platform)


async def test_a_phone_pays_through_wap_pay(provider, platform, sandbox):
    checkout = await provider.checkout(platform, order(), device="phone",
                                       return_url="https://x.invalid/orders/P0001")

    params = dict(parse_qsl(urlsplit(checkout.url).query))
    biz = json.loads(params["biz_content"])
    assert checkout.url.startswith(sandbox.gateway_url + "?")
    assert (params["method"], params["sign_type"], params["charset"]) == (
        "alipay.trade.wap.pay", "RSA2", "utf-8")
    assert params["notify_url"] == "https://bangyaer.example.edu.cn/api/v1/alipay/notify"
    assert params["return_url"] == "https://bangyaer.example.edu.cn/alipay/return"
    assert biz == {"out_trade_no": "P0001", "total_amount": "1200.00",
                   "subject": "2027 春季 书法初级班 学费", "product_code": "QUICK_WAP_WAY",
                   "time_expire": "2027-03-01 12:30:00",
                   "quit_url": "https://x.invalid/orders/P0001"}


async def test_a_desktop_pays_through_page_pay(provider, platform):
    checkout = await provider.checkout(platform, order(amount=5), device="desktop",
                                       return_url="https://x.invalid/o")

    params = dict(parse_qsl(urlsplit(checkout.url).query))
    biz = json.loads(params["biz_content"])
    assert params["method"] == "alipay.trade.page.pay"
    assert (biz["product_code"], biz["total_amount"]) == ("FAST_INSTANT_TRADE_PAY", "0.05")
    assert "quit_url" not in biz


async def test_characters_alipay_refuses_in_a_subject_are_left_out(provider, platform):
    view = OrderView("P0001", "书法/国画班 A&B 学费=1200", 120000, EXPIRES)

    checkout = await provider.checkout(platform, view, device="phone", return_url="https://x")
    async with httpx.AsyncClient() as http:
        cashier = await http.get(checkout.url)

    biz = json.loads(dict(parse_qsl(urlsplit(checkout.url).query))["biz_content"])
    assert biz["subject"] == "书法 国画班 A B 学费 1200"
    assert cashier.status_code == 200


async def test_the_checkout_opens_the_sandbox_cashier(provider, platform):
    checkout = await provider.checkout(platform, order(), device="desktop",
                                       return_url="https://x.invalid/o")

    async with httpx.AsyncClient(headers={"User-Agent": DESKTOP_UA}) as http:
        cashier = await http.get(checkout.url)

    assert cashier.status_code == 200 and "¥</span>1200.00" in cashier.text


async def test_query_before_the_cashier_is_not_found(provider, platform):
    trade = await provider.query(platform, "P0001")

    assert trade.status == "not_found"


async def test_query_after_paying_reports_the_trade(provider, platform, sandbox):
    await paid(provider, platform)

    trade = await provider.query(platform, "P0001")

    assert (trade.status, trade.amount_fen) == ("paid", 120000)
    assert trade.trade_no == sandbox.trade("P0001").trade_no
    assert trade.paid_at is not None and trade.paid_at.tzinfo is not None


async def test_closing_an_unknown_trade_is_fine(provider, platform):
    await provider.close(platform, "P0404")


async def test_closing_a_waiting_trade_closes_it(provider, platform, sandbox):
    checkout = await provider.checkout(platform, order(), device="phone",
                                       return_url="https://x.invalid")
    async with httpx.AsyncClient() as http:  # the payer opened the cashier, then left
        await http.get(checkout.url)

    await provider.close(platform, "P0001")

    assert (await provider.query(platform, "P0001")).status == "closed"


async def test_closing_a_paid_trade_is_refused(provider, platform):
    await paid(provider, platform)

    with pytest.raises(GatewayError, match=r"ACQ\.TRADE_STATUS_ERROR"):
        await provider.close(platform, "P0001")


async def test_a_partial_refund_is_done(provider, platform, sandbox):
    await paid(provider, platform)

    answer = await provider.refund(platform, refund())

    assert (answer.status, answer.amount_fen) == ("done", 50000)
    assert sandbox.trade("P0001").refunded_fen == 50000


async def test_a_refund_after_system_error_is_retried_with_the_same_number(
        provider, platform, sandbox):
    await paid(provider, platform)
    sandbox.fail_next("alipay.trade.refund", "ACQ.SYSTEM_ERROR")

    with pytest.raises(GatewayUnavailable):
        await provider.refund(platform, refund())
    answer = await provider.refund(platform, refund())

    assert answer.status == "done"
    assert sandbox.trade("P0001").refunded_fen == 50000


async def test_a_refund_whose_answer_timed_out_is_confirmed_on_retry(provider, platform,
                                                                     sandbox):
    await paid(provider, platform)
    # Alipay refunds, but its answer comes after our 1 s timeout.
    sandbox.fail_next("alipay.trade.refund", delay=1.5, apply=True)

    with pytest.raises(GatewayUnavailable):
        await provider.refund(platform, refund())
    answer = await provider.refund(platform, refund())

    assert (answer.status, answer.amount_fen) == ("done", 50000)
    trade = sandbox.trade("P0001")
    assert trade.refunded_fen == 50000 and list(trade.refunds) == ["R0001"]


async def test_the_same_refund_number_with_another_amount_is_an_error(provider, platform):
    await paid(provider, platform)
    await provider.refund(platform, refund())

    with pytest.raises(GatewayError) as refused:
        await provider.refund(platform, refund(amount=40000))

    assert refused.value.code == "ACQ.DISCORDANT_REPEAT_REQUEST"


async def test_the_refund_query_says_done_or_not_found(provider, platform):
    await paid(provider, platform)
    await provider.refund(platform, refund())

    done = await provider.query_refund(platform, refund())
    unknown = await provider.query_refund(platform, refund("R0002"))

    assert (done.status, done.amount_fen) == ("done", 50000)
    assert unknown.status == "not_found"


async def test_the_bill_lists_the_days_payments(provider, platform, sandbox):
    await paid(provider, platform, "P0001")
    await paid(provider, platform, "P0002")
    day = sandbox.state.now().date()
    sandbox.advance(24 * 3600)

    lines = await provider.bill(platform, day)

    assert sorted((t.order_no, t.amount_fen) for t in lines) == [("P0001", 120000),
                                                                ("P0002", 120000)]


async def test_system_errors_are_unavailable(provider, platform, sandbox):
    sandbox.fail_next("alipay.trade.query", "aop.SYSTEM_ERROR", code="40004")

    with pytest.raises(GatewayUnavailable):
        await provider.query(platform, "P0001")


async def test_an_answer_signed_with_another_key_is_not_trusted(
        make_platform, alipay_settings, app_key, stranger_key):
    impostor = Sandbox(app_id=APP_ID, seller_id=SELLER_ID, app_public_key=app_key.public_key(),
                       key=stranger_key, retry_delays=FAST_RETRIES)
    with serve(impostor) as running:
        platform = await make_platform([alipay_plugin], plugin_settings={
            "alipay": {**alipay_settings, "gateway_url": running.gateway_url}})

        with pytest.raises(GatewayUnavailable, match="signature"):
            await AlipayProvider().query(platform, "P0001")


async def test_a_gateway_that_is_down_is_unavailable(make_platform, alipay_settings):
    platform = await make_platform([alipay_plugin], plugin_settings={
        "alipay": {**alipay_settings, "gateway_url": "http://127.0.0.1:9/gateway.do"}})

    with pytest.raises(GatewayUnavailable):
        await AlipayProvider().query(platform, "P0001")


async def test_every_amount_reported_is_int_fen(provider, platform, sandbox):
    await paid(provider, platform)
    answer = await provider.refund(platform, refund(amount=1))
    day = sandbox.state.now().date()
    sandbox.advance(24 * 3600)

    trade = await provider.query(platform, "P0001")
    confirmed = await provider.query_refund(platform, refund(amount=1))
    line, billed_refund = await provider.bill(platform, day)

    amounts = [trade.amount_fen, answer.amount_fen, confirmed.amount_fen, line.amount_fen,
               billed_refund.amount_fen]
    assert [type(a) for a in amounts] == [int] * 5
    assert amounts == [120000, 1, 1, 120000, 1]
