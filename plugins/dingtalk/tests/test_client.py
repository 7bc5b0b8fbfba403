"""Tokens and retries: cached per corp, refreshed in time, one request however many wait."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from bangyaer_dingtalk._client import REFRESH_MARGIN, DingTalkClient, DingTalkError, TokenCache
from bangyaer_dingtalk._config import parse_config

CORP_A = "dingcorpa0001"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def config(corp_settings):
    return parse_config(corp_settings("AB"))


@pytest.fixture
def sleeps() -> list[float]:
    return []


def client(config, http, tokens, sleeps, corp_id: str = CORP_A) -> DingTalkClient:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return DingTalkClient(config.corp(corp_id), config, http, tokens, sleep=sleep)


async def test_a_token_is_reused_until_shortly_before_it_expires(sandbox, config, sleeps):
    clock = Clock()
    tokens = TokenCache(clock)
    async with httpx.AsyncClient() as http:
        c = client(config, http, tokens, sleeps)
        first = await c.access_token()
        clock.now += 7200 - REFRESH_MARGIN - 1
        assert await c.access_token() == first
        clock.now += 2  # now inside the margin: take a new one before DingTalk refuses
        await c.access_token()
    assert sandbox.token_requests == {CORP_A: 2}


async def test_concurrent_requests_without_a_token_cause_one_token_request(
        sandbox, config, sleeps):
    tokens = TokenCache()
    async with httpx.AsyncClient() as http:
        c = client(config, http, tokens, sleeps)
        results = await asyncio.gather(*[c.edu_departments() for _ in range(20)])
    assert all(r == results[0] for r in results)
    assert sandbox.token_requests == {CORP_A: 1}
    assert tokens.fetches[CORP_A] == 1


async def test_tokens_are_kept_per_corp(sandbox, config, sleeps):
    tokens = TokenCache()
    async with httpx.AsyncClient() as http:
        a = await client(config, http, tokens, sleeps).access_token()
        b = await client(config, http, tokens, sleeps, "dingcorpb0002").access_token()
    assert a != b
    assert sandbox.token_requests == {CORP_A: 1, "dingcorpb0002": 1}


@pytest.mark.parametrize("errcode", [pytest.param(40014, id="invalid"),
                                     pytest.param(42001, id="expired")])
async def test_a_refused_token_is_replaced_once_and_the_call_succeeds(
        sandbox, config, sleeps, errcode):
    tokens = TokenCache()
    async with httpx.AsyncClient() as http:
        c = client(config, http, tokens, sleeps)
        await c.access_token()
        sandbox.fail_next("/topapi/edu/dept/list", errcode)
        departments = await c.edu_departments()
    assert [d["dept_id"] for d in departments] == [100]
    assert tokens.fetches[CORP_A] == 2


async def test_a_token_refused_twice_in_a_row_is_reported(sandbox, config, sleeps):
    async with httpx.AsyncClient() as http:
        c = client(config, http, TokenCache(), sleeps)
        sandbox.fail_next("/topapi/edu/dept/list", 40014, times=2)
        with pytest.raises(DingTalkError, match="errcode 40014: 不合法的access_token") as info:
            await c.edu_departments()
    assert info.value.request_id


async def test_an_expired_token_at_dingtalk_is_replaced_even_when_our_clock_disagrees(
        sandbox, config, sleeps):
    tokens = TokenCache(Clock())  # our clock never moves: only DingTalk says it expired
    async with httpx.AsyncClient() as http:
        c = client(config, http, tokens, sleeps)
        old = await c.access_token()
        sandbox.advance(7201)
        await c.edu_departments()
        assert await c.access_token() != old


@pytest.mark.parametrize("errcode", [pytest.param(90018, id="corp-qps"),
                                     pytest.param(90002, id="global-qps")])
async def test_throttled_calls_are_retried_with_growing_backoff(
        sandbox, config, sleeps, errcode):
    async with httpx.AsyncClient() as http:
        sandbox.fail_next("/topapi/edu/dept/list", errcode, times=3)
        departments = await client(config, http, TokenCache(), sleeps).edu_departments()
    assert [d["dept_id"] for d in departments] == [100]
    assert len(sleeps) == 3
    assert sleeps[0] <= 0.5 and sleeps[2] >= 1.0


async def test_throttling_that_does_not_end_is_reported(sandbox, config, sleeps):
    async with httpx.AsyncClient() as http:
        sandbox.fail_next("/topapi/edu/dept/list", 90018, times=10)
        with pytest.raises(DingTalkError, match="errcode 90018"):
            await client(config, http, TokenCache(), sleeps).edu_departments()
    assert len(sleeps) == 4


async def test_the_legacy_gettoken_endpoint_can_be_chosen(sandbox, corp_settings, sleeps):
    config = parse_config(corp_settings("A", token_endpoint="gettoken"))
    async with httpx.AsyncClient() as http:
        token = await client(config, http, TokenCache(), sleeps).access_token()
    assert len(token) == 32
    assert sandbox.state.calls == {}  # no topapi call was needed to get it


async def test_a_wrong_app_secret_is_reported_with_dingtalks_code(sandbox, corp_settings,
                                                                  monkeypatch, sleeps):
    monkeypatch.setenv("BANGYAER_DINGTALK_A_APP_SECRET", "wrong")
    config = parse_config(corp_settings("A"))
    async with httpx.AsyncClient() as http:
        with pytest.raises(DingTalkError, match="invalidClientIdOrSecret"):
            await client(config, http, TokenCache(), sleeps).access_token()


async def test_user_detail_reads_a_user_and_names_a_missing_one(sandbox, config, sleeps):
    async with httpx.AsyncClient() as http:
        c = client(config, http, TokenCache(), sleeps)
        user = await c.user_detail("ta1")
        with pytest.raises(DingTalkError, match="errcode 60121: 找不到该用户"):
            await c.user_detail("nobody")
    assert (user["userid"], user["name"], user["dept_id_list"]) == ("ta1", "张老师", [1111])
