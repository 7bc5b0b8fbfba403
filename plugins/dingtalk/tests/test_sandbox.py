"""The sandbox speaks DingTalk's protocol: what clients rely on, checked over HTTP."""

from __future__ import annotations

import httpx
import pytest
from bangyaer_dingtalk.sandbox import CODE_TTL, TOKEN_TTL, FixtureError, Sandbox

CORP_A = "dingcorpa0001"


async def _token(sandbox: Sandbox, http: httpx.AsyncClient) -> str:
    r = await http.get(f"{sandbox.url}/gettoken",
                       params={"appkey": "key-A", "appsecret": "secret-A"})
    return str(r.json()["access_token"])


async def test_gettoken_returns_the_same_token_while_it_is_valid(sandbox):
    async with httpx.AsyncClient() as http:
        first = (await http.get(f"{sandbox.url}/gettoken",
                                params={"appkey": "key-A", "appsecret": "secret-A"})).json()
        second = await _token(sandbox, http)
    assert first["errcode"] == 0 and first["expires_in"] == TOKEN_TTL
    assert second == first["access_token"]


async def test_gettoken_with_a_wrong_secret_is_errcode_40089_on_http_200(sandbox):
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{sandbox.url}/gettoken",
                           params={"appkey": "key-A", "appsecret": "nope"})
    assert r.status_code == 200
    assert r.json() == {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"}


async def test_new_token_endpoint_refuses_a_wrong_secret_with_http_400(sandbox):
    async with httpx.AsyncClient() as http:
        good = await http.post(f"{sandbox.url}/v1.0/oauth2/accessToken",
                               json={"appKey": "key-B", "appSecret": "secret-B"})
        bad = await http.post(f"{sandbox.url}/v1.0/oauth2/accessToken",
                              json={"appKey": "key-B", "appSecret": "x"})
    assert good.status_code == 200 and good.json()["expireIn"] == TOKEN_TTL
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalidClientIdOrSecret" and bad.json()["requestid"]


async def test_an_unknown_token_is_errcode_40014_with_a_request_id(sandbox):
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{sandbox.url}/topapi/edu/dept/list",
                            params={"access_token": "forged"}, json={"page_no": 1,
                                                                     "page_size": 30})
    assert r.status_code == 200
    body = r.json()
    assert (body["errcode"], body["errmsg"]) == (40014, "不合法的access_token")
    assert body["request_id"]


async def test_a_token_older_than_7200_seconds_is_errcode_42001(sandbox):
    async with httpx.AsyncClient() as http:
        token = await _token(sandbox, http)
        sandbox.advance(TOKEN_TTL + 1)
        r = await http.post(f"{sandbox.url}/topapi/edu/dept/list",
                            params={"access_token": token}, json={"page_no": 1,
                                                                  "page_size": 30})
    assert r.json()["errcode"] == 42001


async def _getuserinfo(sandbox: Sandbox, http: httpx.AsyncClient, code: str) -> dict:
    token = await _token(sandbox, http)
    r = await http.post(f"{sandbox.url}/topapi/v2/user/getuserinfo",
                        params={"access_token": token}, json={"code": code})
    return dict(r.json())


async def test_a_login_code_works_once(sandbox):
    code = sandbox.issue_code(CORP_A, "ga1")
    async with httpx.AsyncClient() as http:
        first = await _getuserinfo(sandbox, http, code)
        again = await _getuserinfo(sandbox, http, code)
    assert first["errcode"] == 0 and first["result"]["userid"] == "ga1"
    assert (again["errcode"], again["errmsg"]) == (40078, "不存在的临时授权码")


async def test_a_login_code_expires_after_five_minutes(sandbox):
    code = sandbox.issue_code(CORP_A, "ga1")
    sandbox.advance(CODE_TTL + 1)
    async with httpx.AsyncClient() as http:
        body = await _getuserinfo(sandbox, http, code)
    assert body["errcode"] == 40078


async def test_a_code_issued_in_another_corp_is_refused(sandbox):
    code = sandbox.issue_code("dingcorpb0002", "gb1")
    async with httpx.AsyncClient() as http:
        body = await _getuserinfo(sandbox, http, code)  # exchanged with corp A's token
    assert body["errcode"] == 40078


async def test_auth_codes_endpoint_stands_in_for_the_phone(sandbox):
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{sandbox.url}/_sandbox/auth-codes",
                            json={"corp_id": CORP_A, "userid": "ta1"})
        missing = await http.post(f"{sandbox.url}/_sandbox/auth-codes",
                                  json={"corp_id": CORP_A, "userid": "nobody"})
        body = await _getuserinfo(sandbox, http, r.json()["code"])
    assert body["result"]["userid"] == "ta1"
    assert missing.status_code == 404


async def test_edu_lists_take_at_most_thirty_a_page(sandbox):
    async with httpx.AsyncClient() as http:
        token = await _token(sandbox, http)
        r = await http.post(f"{sandbox.url}/topapi/edu/user/list",
                            params={"access_token": token},
                            json={"class_id": 1112, "role": "student", "page_no": 1,
                                  "page_size": 31})
        page = await http.post(f"{sandbox.url}/topapi/edu/user/list",
                               params={"access_token": token},
                               json={"class_id": 1112, "role": "student", "page_no": 1,
                                     "page_size": 30})
    assert r.json()["errcode"] == 40035
    result = page.json()["result"]
    assert len(result["details"]) == 30 and result["has_more"] is True


async def test_class_departments_carry_chain_and_feature_as_json_strings(sandbox):
    async with httpx.AsyncClient() as http:
        token = await _token(sandbox, http)
        r = await http.post(f"{sandbox.url}/topapi/edu/dept/list",
                            params={"access_token": token},
                            json={"super_id": 111, "page_no": 1, "page_size": 30})
    first = r.json()["result"]["details"][0]
    assert first["dept_type"] == "class" and first["chain"] == "[100, 110, 111]"
    assert first["feature"] == '{"class_level": 0, "grade_level": 3}'


async def test_an_injected_fault_answers_the_next_call_only(sandbox):
    sandbox.fail_next("/topapi/edu/dept/list", 90018)
    async with httpx.AsyncClient() as http:
        token = await _token(sandbox, http)
        body = {"page_no": 1, "page_size": 30}
        first = await http.post(f"{sandbox.url}/topapi/edu/dept/list",
                                params={"access_token": token}, json=body)
        second = await http.post(f"{sandbox.url}/topapi/edu/dept/list",
                                 params={"access_token": token}, json=body)
    assert first.json()["errcode"] == 90018
    assert second.json()["errcode"] == 0


def test_a_fixture_with_a_class_outside_a_grade_is_refused_with_the_reason(roster):
    roster["corps"][0]["depts"].append(
        {"dept_id": 9, "super_id": 100, "name": "错班", "dept_type": "class"})
    with pytest.raises(FixtureError, match=r"corps\[0\]: class 9 needs a super_id that is a "
                                           r"grade, found 100"):
        Sandbox(roster)
