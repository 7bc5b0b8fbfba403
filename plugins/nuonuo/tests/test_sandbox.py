"""The sandbox's own protocol checks, spoken to with plain HTTP as Nuonuo's SDKs do."""

from __future__ import annotations

import datetime as dt
import json
import time

import httpx
import pytest
from bangyaer_nuonuo._config import parse_config
from bangyaer_nuonuo._invoice import BILLING, QUERY, billing_content
from bangyaer_nuonuo._sign import sign
from bangyaer_nuonuo.sandbox import DEMO_APP, TOKEN_LIMIT

FORM = {"client_id": DEMO_APP.app_key, "client_secret": DEMO_APP.app_secret,
        "grant_type": "client_credentials"}


async def token(http: httpx.AsyncClient, url: str) -> str:
    answer = (await http.post(f"{url}/accessToken", data=FORM)).json()
    return str(answer["access_token"])


async def call(http, url, *, access_token, method=QUERY, body='{"serialNos":["x"]}',
               app_key=DEMO_APP.app_key, secret=DEMO_APP.app_secret, user_tax="",
               timestamp=None, drop=()):
    query = {"senid": "c" * 32, "nonce": "23456789", "appkey": app_key,
             "timestamp": str(int(time.time()) if timestamp is None else timestamp)}
    signature = sign(secret, "/open/v1/services", app_key=app_key, senid=query["senid"],
                     nonce=query["nonce"], timestamp=query["timestamp"], body=body)
    headers = {"Content-Type": "application/json", "X-Nuonuo-Sign": signature,
               "accessToken": access_token, "method": method}
    if user_tax:
        headers["userTax"] = user_tax
    for name in drop:
        query.pop(name, None)
        headers.pop(name, None)
    response = await http.post(f"{url}/open/v1/services", params=query, headers=headers,
                               content=body.encode())
    assert response.status_code == 200  # Nuonuo answers 200 whatever happened
    return response.json()


@pytest.mark.parametrize(("form", "code"), [
    pytest.param({**FORM, "client_id": "nobody"}, "070304", id="client"),
    pytest.param({**FORM, "client_secret": "wrong"}, "070305", id="secret"),
    pytest.param({**FORM, "grant_type": "authorization_code"}, "070307", id="app-type"),
])
async def test_the_token_endpoint_refuses_bad_credentials(sandbox, form, code):
    async with httpx.AsyncClient() as http:
        answer = (await http.post(f"{sandbox.url}/accessToken", data=form)).json()
    assert answer["error"] == code and answer["error_description"]


async def test_the_token_endpoint_wants_a_form(sandbox):
    async with httpx.AsyncClient() as http:
        answer = (await http.post(f"{sandbox.url}/accessToken", json=FORM)).json()
    assert answer["error"] == "070315"


async def test_an_app_gets_at_most_fifty_tokens(sandbox):
    async with httpx.AsyncClient() as http:
        for _ in range(TOKEN_LIMIT):
            await token(http, sandbox.url)
        answer = (await http.post(f"{sandbox.url}/accessToken", data=FORM)).json()
    assert answer["error"] == "070306"


@pytest.mark.parametrize(("change", "code"), [
    pytest.param({"drop": ("senid",)}, "0201", id="no-senid"),
    pytest.param({"drop": ("X-Nuonuo-Sign",)}, "0201", id="no-signature"),
    pytest.param({"app_key": "SDNOBODY"}, "070101", id="unknown-app"),
    pytest.param({"access_token": "forged"}, "070301", id="unknown-token"),
    pytest.param({"secret": "wrong"}, "070601", id="bad-signature"),
    pytest.param({"timestamp": 1_000_000_000}, "070601", id="stale-timestamp"),
    pytest.param({"user_tax": "91330106MA2B3C4D5E"}, "070401", id="other-merchant"),
    pytest.param({"method": "nuonuo.OpeMplatform.nothing"}, "070501", id="unknown-method"),
    pytest.param({"body": "not json"}, "0201", id="bad-json"),
])
async def test_every_call_is_checked(sandbox, change, code):
    async with httpx.AsyncClient() as http:
        access = await token(http, sandbox.url)
        answer = await call(http, sandbox.url, **{"access_token": access, **change})
    assert answer["code"] == code and answer["result"] is None
    assert answer["describe"]


async def test_a_well_formed_call_succeeds(sandbox):
    async with httpx.AsyncClient() as http:
        access = await token(http, sandbox.url)
        answer = await call(http, sandbox.url, access_token=access,
                            user_tax=DEMO_APP.tax_no)
    assert answer == {"code": "E0000", "describe": "调用成功", "result": []}


async def test_the_tax_must_match_the_amount_within_six_fen(sandbox, nuonuo_settings, person):
    """Sent by hand: our own client never computes a wrong tax."""
    config = parse_config(nuonuo_settings(), {"BANGYAER_NUONUO_APP_SECRET": "x"})
    content = billing_content(config, person(), dt.datetime.now(dt.UTC))
    line = content["order"]["invoiceDetail"][0]
    line.update(taxExcludedAmount="97.00", tax="2.99")  # adds up, but 97.00 × 3% = 2.91
    async with httpx.AsyncClient() as http:
        access = await token(http, sandbox.url)
        answer = await call(http, sandbox.url, access_token=access, method=BILLING,
                            body=json.dumps(content, ensure_ascii=False))
    assert answer["code"] == "E9101" and "0.06" in answer["describe"]
