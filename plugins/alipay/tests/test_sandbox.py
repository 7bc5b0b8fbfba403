"""The sandbox gateway speaks Alipay's protocol: checks, state machine, refunds, notifications."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import uvicorn
from bangyaer.payments import GatewayError
from bangyaer_alipay._bill import parse_bill
from bangyaer_alipay._client import AlipayClient
from bangyaer_alipay._config import AlipayConfig
from bangyaer_alipay._sign import sign, sign_content, verify
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from .conftest import APP_ID, SELLER_ID


class Receiver:
    """A merchant's notify_url on loopback that answers from a script, then ``success``."""

    def __init__(self, answers: list[str] | None = None) -> None:
        self.answers = list(answers or [])
        self.received: list[dict[str, str]] = []
        self.url = ""

        async def endpoint(request: Request) -> PlainTextResponse:
            form = await request.form()
            self.received.append({k: str(v) for k, v in form.items()})
            return PlainTextResponse(self.answers.pop(0) if self.answers else "success")

        self.app = Starlette(routes=[Route("/notify", endpoint, methods=["POST"])])


@contextlib.contextmanager
def receiving(receiver: Receiver) -> Iterator[Receiver]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(receiver.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.005)
    receiver.url = f"http://127.0.0.1:{sock.getsockname()[1]}/notify"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


async def wait_for(check, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


@pytest.fixture
def config(sandbox, app_key, gateway_key) -> AlipayConfig:
    return AlipayConfig(app_id=APP_ID, seller_id=SELLER_ID, gateway_url=sandbox.gateway_url,
                        app_key=app_key, alipay_key=gateway_key.public_key())


@pytest.fixture
async def client(config):
    async with httpx.AsyncClient(timeout=5) as http:
        yield AlipayClient(config, http)


async def open_cashier(client: AlipayClient, order_no: str = "P0001", *, amount: str = "1200.00",
                       notify_url: str = "", method: str = "alipay.trade.wap.pay",
                       expire: str = "") -> httpx.Response:
    biz = {"out_trade_no": order_no, "total_amount": amount, "subject": "书法初级班 学费",
           "product_code": "QUICK_WAP_WAY" if method.endswith("wap.pay")
           else "FAST_INSTANT_TRADE_PAY"}
    if expire:
        biz["time_expire"] = expire
    return await client.http.get(client.page_url(method, biz, notify_url=notify_url,
                                                 return_url="http://merchant.invalid/back"))


async def pay(client: AlipayClient, cashier: httpx.Response) -> httpx.Response:
    ticket = re.search(r'name="ticket" value="([^"]+)"', cashier.text).group(1)
    return await client.http.post(client.config.gateway_url.replace("gateway.do", "cashier/pay"),
                                  data={"ticket": ticket, "action": "pay"})


async def raw(client: AlipayClient, params: dict[str, str]) -> dict:
    response = await client.http.post(client.config.gateway_url, data=params)
    return response.json()


# -- the gateway's checks ------------------------------------------------------

async def test_a_request_without_signature_is_refused_as_missing(client):
    params = client.signed_params("alipay.trade.query", {"out_trade_no": "P0001"})
    del params["sign"]

    body = await raw(client, params)

    assert body["alipay_trade_query_response"]["code"] == "40001"
    assert body["alipay_trade_query_response"]["sub_code"] == "isv.missing-signature"


async def test_a_changed_parameter_breaks_the_signature(client):
    params = client.signed_params("alipay.trade.query", {"out_trade_no": "P0001"})
    params["biz_content"] = '{"out_trade_no":"P0002"}'

    body = await raw(client, params)

    answer = body["alipay_trade_query_response"]
    assert (answer["code"], answer["sub_code"]) == ("40002", "isv.invalid-signature")


async def test_a_request_signed_with_another_key_is_refused(client, stranger_key):
    params = client.signed_params("alipay.trade.query", {"out_trade_no": "P0001"})
    params["sign"] = sign(stranger_key, sign_content(params))

    body = await raw(client, params)

    assert body["alipay_trade_query_response"]["sub_code"] == "isv.invalid-signature"


async def test_an_unknown_method_answers_error_response(client):
    body = await raw(client, client.signed_params("alipay.trade.nonsense", {}))

    assert body["error_response"]["sub_code"] == "isv.invalid-method"


async def test_answers_are_signed_over_the_exact_response_text(client, gateway_key):
    response = await client.http.post(client.config.gateway_url, data=client.signed_params(
        "alipay.trade.query", {"out_trade_no": "P0001"}))
    text = response.text
    inner = text[text.index(":") + 1:text.rindex(',"sign"')]

    assert verify(gateway_key.public_key(), inner, json.loads(text)["sign"])


# -- the trade state machine ---------------------------------------------------

async def test_no_trade_exists_before_the_cashier_was_opened(client):
    with pytest.raises(GatewayError) as refused:
        await client.call("alipay.trade.query", {"out_trade_no": "P0001"})

    assert refused.value.code == "ACQ.TRADE_NOT_EXIST"


async def test_the_cashier_page_is_chinese_and_shows_the_amount(client):
    cashier = await open_cashier(client)

    assert cashier.status_code == 200
    assert '<html lang="zh-CN">' in cashier.text
    assert "1200.00" in cashier.text and "确认付款" in cashier.text and "放弃付款" in cashier.text


async def test_opening_the_cashier_waits_and_paying_succeeds(client):
    cashier = await open_cashier(client)
    waiting = await client.call("alipay.trade.query", {"out_trade_no": "P0001"})

    back = await pay(client, cashier)
    paid = await client.call("alipay.trade.query", {"out_trade_no": "P0001"})

    assert waiting["trade_status"] == "WAIT_BUYER_PAY"
    assert (paid["trade_status"], paid["total_amount"]) == ("TRADE_SUCCESS", "1200.00")
    assert back.status_code == 303
    assert back.headers["location"].startswith("http://merchant.invalid/back?")


async def test_the_return_parameters_are_signed_by_alipay(client, gateway_key):
    back = await pay(client, await open_cashier(client))
    params = dict(parse_qsl(urlsplit(back.headers["location"]).query))

    content = sign_content(params, exclude=("sign", "sign_type"))

    assert params["method"] == "alipay.trade.wap.pay.return"
    assert verify(gateway_key.public_key(), content, params["sign"])


async def test_the_same_order_number_with_another_amount_is_refused(client):
    await open_cashier(client)

    again = await open_cashier(client, amount="1.00")

    assert again.status_code == 400 and "ACQ.CONTEXT_INCONSISTENT" in again.text


async def test_the_cashier_refuses_a_subject_with_special_characters(client):
    biz = {"out_trade_no": "P0001", "total_amount": "1.00", "subject": "A&B",
           "product_code": "QUICK_WAP_WAY"}

    page = await client.http.get(client.page_url("alipay.trade.wap.pay", biz))

    assert page.status_code == 400 and "isv.invalid-parameter" in page.text


async def test_the_public_parameters_travel_in_the_url(client, sandbox):
    sent = []

    async def keep(request: httpx.Request) -> None:
        sent.append(request)

    client.http.event_hooks["request"].append(keep)

    with pytest.raises(GatewayError):
        await client.call("alipay.trade.query", {"out_trade_no": "P0001"})

    query = dict(parse_qsl(sent[0].url.query.decode()))
    assert query["charset"] == "utf-8" and "sign" in query and "biz_content" not in query
    assert dict(parse_qsl(sent[0].content.decode()))["biz_content"] == \
        '{"out_trade_no":"P0001"}'


async def test_a_paid_trade_cannot_be_closed(client):
    await pay(client, await open_cashier(client))

    with pytest.raises(GatewayError) as refused:
        await client.call("alipay.trade.close", {"out_trade_no": "P0001"})

    assert refused.value.code == "ACQ.TRADE_STATUS_ERROR"


async def test_a_trade_past_its_time_expire_is_closed(client, sandbox):
    soon = (sandbox.state.now() + dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    await open_cashier(client, expire=soon)

    sandbox.advance(6 * 60)
    answer = await client.call("alipay.trade.query", {"out_trade_no": "P0001"})

    assert answer["trade_status"] == "TRADE_CLOSED"


async def test_a_finished_trade_takes_no_refund(client, sandbox):
    await pay(client, await open_cashier(client))
    sandbox.finish("P0001")

    with pytest.raises(GatewayError) as refused:
        await client.call("alipay.trade.refund", {"out_trade_no": "P0001",
                                                  "refund_amount": "1.00",
                                                  "out_request_no": "R1"})

    assert refused.value.code == "ACQ.TRADE_HAS_FINISHED"


# -- refunds -------------------------------------------------------------------

def refund(no: str, amount: str) -> dict[str, str]:
    return {"out_trade_no": "P0001", "refund_amount": amount, "out_request_no": no}


async def test_a_refund_is_done_once_per_request_number(client, sandbox):
    await pay(client, await open_cashier(client))

    first = await client.call("alipay.trade.refund", refund("R1", "500.00"))
    again = await client.call("alipay.trade.refund", refund("R1", "500.00"))

    assert (first["fund_change"], again["fund_change"]) == ("Y", "N")
    assert again["refund_fee"] == "500.00"
    assert sandbox.trade("P0001").refunded_fen == 50000


async def test_the_same_request_number_with_another_amount_is_refused(client):
    await pay(client, await open_cashier(client))
    await client.call("alipay.trade.refund", refund("R1", "500.00"))

    with pytest.raises(GatewayError) as refused:
        await client.call("alipay.trade.refund", refund("R1", "400.00"))

    assert refused.value.code == "ACQ.DISCORDANT_REPEAT_REQUEST"


async def test_more_than_what_is_left_is_refused(client):
    await pay(client, await open_cashier(client))
    await client.call("alipay.trade.refund", refund("R1", "1000.00"))

    with pytest.raises(GatewayError) as refused:
        await client.call("alipay.trade.refund", refund("R2", "200.01"))

    assert refused.value.code == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"


async def test_a_full_refund_closes_the_trade(client, sandbox):
    await pay(client, await open_cashier(client))
    await client.call("alipay.trade.refund", refund("R1", "1000.00"))
    await client.call("alipay.trade.refund", refund("R2", "200.00"))

    answer = await client.call("alipay.trade.query", {"out_trade_no": "P0001"})

    assert answer["trade_status"] == "TRADE_CLOSED"


async def test_the_refund_query_knows_done_and_unknown_refunds(client):
    await pay(client, await open_cashier(client))
    await client.call("alipay.trade.refund", refund("R1", "300.00"))

    done = await client.call("alipay.trade.fastpay.refund.query",
                             {"out_trade_no": "P0001", "out_request_no": "R1"})
    unknown = await client.call("alipay.trade.fastpay.refund.query",
                                {"out_trade_no": "P0001", "out_request_no": "R9"})

    assert (done["refund_status"], done["refund_amount"]) == ("REFUND_SUCCESS", "300.00")
    assert "refund_amount" not in unknown


# -- notifications -------------------------------------------------------------

async def test_a_notification_is_retried_until_the_answer_is_success(client, sandbox,
                                                                     gateway_key):
    with receiving(Receiver(["fail", "oops"])) as merchant:
        await pay(client, await open_cashier(client, notify_url=merchant.url))
        await wait_for(lambda: any(d.acknowledged for d in sandbox.notifier.deliveries))

    attempts = [d.answer for d in sandbox.notifier.deliveries]
    params = merchant.received[-1]
    assert attempts == ["fail", "oops", "success"]
    assert {p["notify_id"] for p in merchant.received} == {params["notify_id"]}
    assert (params["trade_status"], params["seller_id"]) == ("TRADE_SUCCESS", SELLER_ID)
    assert verify(gateway_key.public_key(), sign_content(params, exclude=("sign", "sign_type")),
                  params["sign"])


async def test_duplicates_arrive_after_success(client, sandbox):
    sandbox.notifier.duplicates = 2
    with receiving(Receiver()) as merchant:
        await pay(client, await open_cashier(client, notify_url=merchant.url))
        await wait_for(lambda: len(merchant.received) == 3)

    assert len({p["notify_id"] for p in merchant.received}) == 1


async def test_a_dropped_notification_never_arrives(client, sandbox):
    sandbox.notifier.drop_next()
    with receiving(Receiver()) as merchant:
        await pay(client, await open_cashier(client, notify_url=merchant.url))
        await asyncio.sleep(0.3)

    assert merchant.received == []


async def test_held_notifications_arrive_in_the_order_released(client, sandbox):
    sandbox.notifier.hold()
    with receiving(Receiver()) as merchant:
        await pay(client, await open_cashier(client, notify_url=merchant.url))
        sandbox.finish("P0001")
        sandbox.notifier.release(order=[1, 0])
        await wait_for(lambda: len(merchant.received) == 2)

    assert [p["trade_status"] for p in merchant.received] == ["TRADE_FINISHED", "TRADE_SUCCESS"]


# -- the bill ------------------------------------------------------------------

async def test_no_bill_exists_for_today(client, sandbox):
    today = sandbox.state.now().date().isoformat()

    with pytest.raises(GatewayError) as refused:
        await client.call("alipay.data.dataservice.bill.downloadurl.query",
                          {"bill_type": "trade", "bill_date": today})

    assert refused.value.code == "isp.bill_not_exist"


async def test_the_bill_is_a_zip_of_gbk_csv_in_alipays_layout(client, sandbox):
    await pay(client, await open_cashier(client))
    await client.call("alipay.trade.refund", refund("R1", "300.00"))
    day = sandbox.state.now().date()
    sandbox.advance(24 * 3600)

    answer = await client.call("alipay.data.dataservice.bill.downloadurl.query",
                               {"bill_type": "trade", "bill_date": day.isoformat()})
    data = await client.download(answer["bill_download_url"])

    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    detail = next(n for n in names if n.endswith("_业务明细.csv"))
    text = zipfile.ZipFile(io.BytesIO(data)).read(detail).decode("gbk")
    assert any(n.endswith("_业务明细(汇总).csv") for n in names)
    assert text.startswith("#支付宝交易记录明细查询") and "退款" in text
    line, refunded = parse_bill(data)
    assert (line.order_no, line.status, line.amount_fen) == ("P0001", "paid", 120000)
    assert line.trade_no == sandbox.trade("P0001").trade_no
    assert (refunded.request_no, refunded.order_no, refunded.amount_fen) == ("R1", "P0001",
                                                                             30000)
    assert refunded.trade_no == line.trade_no and refunded.refunded_at is not None


# -- inspection ----------------------------------------------------------------

async def test_the_inspection_api_lists_and_resets_trades(client, sandbox):
    await pay(client, await open_cashier(client))
    base = sandbox.url

    listed = (await client.http.get(f"{base}/inspect")).json()
    await client.http.post(f"{base}/inspect/reset")
    after = (await client.http.get(f"{base}/inspect")).json()

    assert [(t["out_trade_no"], t["status"]) for t in listed["trades"]] == [
        ("P0001", "TRADE_SUCCESS")]
    assert after["trades"] == []
