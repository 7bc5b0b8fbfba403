"""Login-free sign-in: a code from DingTalk, checked with DingTalk, mapped through the roster."""

from __future__ import annotations

import pytest
from bangyaer.identity import Account, ExternalIdentity
from bangyaer.settings import ConfigError
from bangyaer_dingtalk._config import parse_config
from sqlalchemy import select

CORP_A = "dingcorpa0001"


async def link(platform, username: str, corp_id: str, userid: str) -> int:
    async with platform.db.transaction() as s:
        account = await s.scalar(select(Account).where(Account.username == username))
        s.add(ExternalIdentity(account_id=account.id, provider="dingtalk", tenant=corp_id,
                               subject=userid))
        return account.id


@pytest.fixture
async def app(dt_platform, make_client):
    platform = await dt_platform()
    await link(platform, "parent", CORP_A, "ga1")
    async with make_client(platform) as client:
        client.platform = platform
        yield client


async def login(client, corp_id: str, code: str):
    return await client.post("/api/v1/dingtalk/login", json={"corp_id": corp_id, "code": code})


async def test_guardian_signs_in_with_a_code_and_acts_for_their_children(app, sandbox):
    r = await login(app, CORP_A, sandbox.issue_code(CORP_A, "ga1"))
    assert r.status_code == 200
    assert r.json()["person"]["name"] == "王大明"
    app.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    me = (await app.get("/api/v1/me")).json()
    assert sorted(c["name"] for c in me["children"]) == ["王小明", "王小红"]


async def test_sign_in_records_the_time_and_an_audit_entry(app, sandbox):
    from bangyaer.identity import AuditEntry

    await login(app, CORP_A, sandbox.issue_code(CORP_A, "ga1"))
    async with app.platform.db.session() as s:
        account = await s.scalar(select(Account).where(Account.username == "parent"))
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "dingtalk.sign_in"))
    assert account.last_login_at is not None
    assert entry.detail == {"corp_id": CORP_A}


@pytest.mark.parametrize("make_code", [
    pytest.param(lambda sb: "never-issued", id="unknown"),
    pytest.param(lambda sb: sb.issue_code("dingcorpb0002", "gb1"), id="other-corp"),
])
async def test_a_code_dingtalk_does_not_know_is_refused(app, sandbox, make_code):
    r = await login(app, CORP_A, make_code(sandbox))
    assert r.status_code == 401
    assert r.json()["error"] == {
        "code": "invalid_code",
        "message": "钉钉登录码无效、已过期或已被使用，请从钉钉工作台重新打开本应用"}
    assert (await app.get("/api/v1/me")).status_code == 401


async def test_a_reused_code_is_refused_and_the_second_caller_is_not_signed_in(
        app, sandbox, make_client):
    code = sandbox.issue_code(CORP_A, "ga1")
    assert (await login(app, CORP_A, code)).status_code == 200
    async with make_client(app.platform) as other:
        r = await login(other, CORP_A, code)
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_code"
        assert (await other.get("/api/v1/me")).status_code == 401


async def test_a_code_older_than_five_minutes_is_refused(app, sandbox):
    code = sandbox.issue_code(CORP_A, "ga1")
    sandbox.advance(301)
    r = await login(app, CORP_A, code)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_code"


async def test_a_dingtalk_user_missing_from_the_roster_is_refused(app, sandbox):
    r = await login(app, CORP_A, sandbox.issue_code(CORP_A, "ga2"))
    assert r.status_code == 403
    assert r.json()["error"] == {
        "code": "not_in_roster",
        "message": "学校的家校通讯录中没有您的钉钉账号，请联系班主任核对后再试"}
    assert (await app.get("/api/v1/me")).status_code == 401


async def test_a_corp_not_in_the_configuration_is_refused_without_asking_dingtalk(
        app, sandbox):
    r = await login(app, "dingunknowncorp", "whatever")
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "unknown_corp",
        "message": "该学校尚未开通钉钉登录（企业 ID 未在平台配置），请联系学校管理员"}
    assert sandbox.token_requests == {}


async def test_an_inactive_account_is_refused(app, sandbox):
    async with app.platform.db.transaction() as s:
        account = await s.scalar(select(Account).where(Account.username == "parent"))
        account.active = False
    r = await login(app, CORP_A, sandbox.issue_code(CORP_A, "ga1"))
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "您的账号已停用，请联系学校管理员"


async def test_dingtalk_refusing_the_app_is_reported_as_unavailable(app, sandbox):
    sandbox.fail_next("/topapi/v2/user/getuserinfo", 90018, times=10)
    r = await login(app, CORP_A, sandbox.issue_code(CORP_A, "ga1"))
    assert r.status_code == 502
    assert r.json()["error"] == {"code": "dingtalk_unavailable",
                                 "message": "暂时无法连接钉钉，请稍后再试"}


async def test_the_client_cannot_choose_who_it_signs_in_as(app, sandbox):
    r = await app.post("/api/v1/dingtalk/login",
                       json={"corp_id": CORP_A, "code": "x", "userid": "ga1"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_field"


async def test_the_homepage_hands_the_corp_and_client_id_to_a_static_script(app):
    r = await app.get(f"/dingtalk/open?corpId={CORP_A}&next=/me")
    assert r.status_code == 200
    assert f'data-corp-id="{CORP_A}"' in r.text and 'data-client-id="key-A"' in r.text
    assert 'data-next="/me"' in r.text
    assert '<script src="/static/dingtalk/open.js" defer></script>' in r.text
    assert "<script>" not in r.text  # CSP: script-src 'self', no inline scripts
    assert "sandbox-jsapi.js" not in r.text


async def test_the_homepage_never_redirects_off_site(app):
    r = await app.get(f"/dingtalk/open?corpId={CORP_A}&next=//evil.example/")
    assert 'data-next="/"' in r.text


async def test_the_homepage_names_an_unconfigured_corp(app):
    r = await app.get("/dingtalk/open?corpId=dingstranger")
    assert r.status_code == 400
    assert "该学校尚未开通钉钉登录" in r.text


async def test_the_homepage_loads_the_configured_jsapi_script(dt_platform, make_client):
    platform = await dt_platform(jsapi_script="/static/vendor/dingtalk.open.js")
    async with make_client(platform) as client:
        r = await client.get(f"/dingtalk/open?corpId={CORP_A}")
    assert '<script src="/static/vendor/dingtalk.open.js" defer></script>' in r.text


async def test_hook_identity_providers_dingtalk_shows_a_button_on_the_login_page(app):
    r = await app.get("/login")
    assert 'href="/dingtalk/open"' in r.text and "钉钉登录" in r.text


def test_a_missing_secret_variable_is_a_configuration_error_naming_it():
    values = {"corps": [{"corp_id": CORP_A, "school_code": "A-1", "agent_id": 1}]}
    with pytest.raises(ConfigError, match=r"corps\[0\] \(A-1\): environment variable "
                                          r"BANGYAER_DINGTALK_A_1_APP_KEY is not set"):
        parse_config(values, environ={})


def test_a_corp_listed_twice_is_a_configuration_error():
    corp = {"corp_id": CORP_A, "school_code": "A", "agent_id": 1}
    env = {"BANGYAER_DINGTALK_A_APP_KEY": "k", "BANGYAER_DINGTALK_A_APP_SECRET": "s"}
    with pytest.raises(ConfigError, match="corp_id 'dingcorpa0001' is listed twice"):
        parse_config({"corps": [corp, corp]}, environ=env)


def test_an_agent_id_that_is_not_a_number_is_a_configuration_error():
    corp = {"corp_id": CORP_A, "school_code": "A", "agent_id": "3095"}
    with pytest.raises(ConfigError, match=r"agent_id: expected the app's AgentId"):
        parse_config({"corps": [corp]}, environ={})


async def test_the_homepage_reads_in_english_when_asked(app):
    r = await app.get(f"/dingtalk/open?corpId={CORP_A}&lang=en")
    assert "Sign in with DingTalk" in r.text and "Signing you in through DingTalk" in r.text
