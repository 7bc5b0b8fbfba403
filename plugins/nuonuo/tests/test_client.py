"""Tokens and signed calls against the sandbox over HTTP."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import replace

import httpx
import pytest
from bangyaer.payments import GatewayError, GatewayUnavailable
from bangyaer_nuonuo._client import REFRESH_MARGIN, NuonuoClient, TokenCache
from bangyaer_nuonuo._config import parse_config
from bangyaer_nuonuo._invoice import BILLING, QUERY, billing_content
from bangyaer_nuonuo._sign import sign
from bangyaer_nuonuo.sandbox import DEMO_APP, TOKEN_TTL


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def config(nuonuo_settings):
    return parse_config(nuonuo_settings(), {"BANGYAER_NUONUO_APP_SECRET": DEMO_APP.app_secret})


async def test_a_token_is_fetched_once_and_reused_until_an_hour_before_expiry(
        sandbox, config):
    clock = Clock()
    tokens = TokenCache(clock)
    async with httpx.AsyncClient() as http:
        client = NuonuoClient(config, http, tokens, clock=clock)
        first = await client.access_token()
        for _ in range(3):
            await client.call(QUERY, {"serialNos": ["nothing"]})
        clock.now += TOKEN_TTL - REFRESH_MARGIN - 1
        assert await client.access_token() == first
        clock.now += 2
        assert await client.access_token() != first
    assert sandbox.token_requests == {DEMO_APP.app_key: 2}


async def test_a_wrong_secret_gets_no_token(sandbox, nuonuo_settings):
    config = parse_config(nuonuo_settings(), {"BANGYAER_NUONUO_APP_SECRET": "wrong"})
    async with httpx.AsyncClient() as http:
        with pytest.raises(GatewayError) as refused:
            await NuonuoClient(config, http, TokenCache()).call(QUERY, {"serialNos": ["x"]})
    assert refused.value.code == "070305"
    assert "拒绝发放令牌" in refused.value.message


async def test_the_sandbox_refuses_a_call_signed_with_the_wrong_secret(sandbox, config,
                                                                       nuonuo_settings):
    tokens = TokenCache()
    async with httpx.AsyncClient() as http:
        await NuonuoClient(config, http, tokens).access_token()  # a valid token
        forged = parse_config(nuonuo_settings(), {"BANGYAER_NUONUO_APP_SECRET": "wrong"})
        with pytest.raises(GatewayError) as refused:
            await NuonuoClient(forged, http, tokens).call(QUERY, {"serialNos": ["x"]})
    assert refused.value.code == "070601"
    assert sandbox.calls == [(QUERY, "070601")]


async def test_a_body_changed_after_signing_is_refused(sandbox, config):
    tokens = TokenCache()
    async with httpx.AsyncClient() as http:
        token = await NuonuoClient(config, http, tokens).access_token()
        query = {"senid": "b" * 32, "nonce": "87654321", "appkey": DEMO_APP.app_key,
                 "timestamp": str(int(time.time()))}
        signed = json.dumps({"serialNos": ["A"]})
        signature = sign(DEMO_APP.app_secret, config.api_url, app_key=DEMO_APP.app_key,
                         senid=query["senid"], nonce=query["nonce"],
                         timestamp=query["timestamp"], body=signed)
        headers = {"X-Nuonuo-Sign": signature, "accessToken": token, "method": QUERY,
                   "Content-Type": "application/json"}
        good = await http.post(config.api_url, params=query, headers=headers, content=signed)
        bad = await http.post(config.api_url, params=query, headers=headers,
                              content=json.dumps({"serialNos": ["B"]}))
    assert good.json()["code"] == "E0000"
    assert bad.json() == {"code": "070601", "describe": "签名不匹配", "result": None}


async def test_an_expired_token_is_replaced_once_and_the_call_succeeds(sandbox, config):
    tokens = TokenCache()  # our clock thinks the token is fresh; the platform's does not
    async with httpx.AsyncClient() as http:
        client = NuonuoClient(config, http, tokens)
        await client.access_token()
        sandbox.advance(TOKEN_TTL + 1)
        client.clock = lambda: time.time() + TOKEN_TTL + 1
        assert await client.call(QUERY, {"serialNos": ["x"]}) == []
    assert sandbox.token_requests == {DEMO_APP.app_key: 2}
    assert [code for _, code in sandbox.calls] == ["070301", "E0000"]


async def test_a_platform_asking_to_retry_later_is_unavailable_not_an_error(
        sandbox, config, person):
    sandbox.refuse_next_issue("040102")
    async with httpx.AsyncClient() as http:
        with pytest.raises(GatewayUnavailable, match="040102"):
            await NuonuoClient(config, http, TokenCache()).call(
                BILLING, billing_content(config, person(), dt.datetime.now(dt.UTC)))


async def test_an_unreachable_platform_is_unavailable(config):
    gone = replace(config, token_url="http://127.0.0.1:9/accessToken")
    async with httpx.AsyncClient() as http:
        with pytest.raises(GatewayUnavailable, match="ConnectError"):
            await NuonuoClient(gone, http, TokenCache()).access_token()
