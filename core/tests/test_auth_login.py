"""Password sign-in and sign-out: the API, the /login page, the rate limit, ``next``."""

import pytest
from bangyaer.identity import Account
from bangyaer.testing import TinyDistrict, login
from sqlalchemy import update

# Module-level mark: the auto-mark comes after collection and would drop parametrize.
pytestmark = pytest.mark.anyio
PASSWORD = TinyDistrict.PASSWORD


async def test_api_login_starts_a_session_that_api_me_sees(client, district):
    body = await login(client, "parent", PASSWORD)

    me = await client.get("/api/v1/me")

    assert me.status_code == 200
    assert me.json()["person"]["name"] == "王大明"
    assert me.json()["account_id"] == body["account_id"]


async def test_api_login_sets_a_signed_http_only_session_cookie(client, district):
    response = await client.post("/api/v1/auth/login",
                                 json={"username": "staff", "password": PASSWORD})

    cookie = response.headers["set-cookie"]
    assert cookie.startswith("bangyaer_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()


async def test_tampered_session_cookie_is_treated_as_signed_out(client, district):
    await login(client, "admin", PASSWORD)
    value = client.cookies["bangyaer_session"]
    client.cookies.clear()
    forged = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    client.cookies.set("bangyaer_session", forged)

    me = await client.get("/api/v1/me")

    assert me.status_code == 401
    assert me.json() == {"error": {"code": "sign_in_required", "message": "请先登录"}}


@pytest.mark.parametrize("username, password", [
    pytest.param("parent", "wrong-password-1", id="wrong-password"),
    pytest.param("nobody", PASSWORD, id="unknown-user"),
])
async def test_wrong_password_and_unknown_user_get_the_same_401(client, district,
                                                                username, password):
    response = await client.post("/api/v1/auth/login",
                                 json={"username": username, "password": password})

    assert response.status_code == 401
    assert response.json() == {"error": {"code": "invalid_credentials",
                                         "message": "用户名或密码错误"}}
    assert "set-cookie" not in response.headers


async def test_inactive_account_is_refused_with_the_right_password(client, district, platform):
    async with platform.db.transaction() as session:
        await session.execute(update(Account).where(Account.username == "teacher_a")
                              .values(active=False))

    response = await client.post("/api/v1/auth/login",
                                 json={"username": "teacher_a", "password": PASSWORD})

    assert response.status_code == 403
    assert response.json()["error"] == {"code": "account_disabled",
                                        "message": "该账号已停用，请联系学校或区少年宫"}


async def test_inactive_account_with_wrong_password_looks_like_any_wrong_password(
        client, district, platform):
    async with platform.db.transaction() as session:
        await session.execute(update(Account).where(Account.username == "teacher_a")
                              .values(active=False))

    response = await client.post("/api/v1/auth/login",
                                 json={"username": "teacher_a", "password": "nope-nope-1"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


async def test_deactivating_an_account_ends_its_open_session(client, district, platform):
    await login(client, "teacher_a", PASSWORD)
    async with platform.db.transaction() as session:
        await session.execute(update(Account).where(Account.username == "teacher_a")
                              .values(active=False))

    assert (await client.get("/api/v1/me")).status_code == 401


async def test_login_rate_limit_answers_429_with_retry_after_and_chinese_wait(
        make_platform, make_client):
    platform = await make_platform(login_max_failures=3, login_window_seconds=600)
    await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        for _ in range(3):
            wrong = await client.post("/api/v1/auth/login",
                                      json={"username": "judge", "password": "bad-guess-1"})
            assert wrong.status_code == 401

        # Even the right password is refused until the window has passed.
        response = await client.post("/api/v1/auth/login",
                                     json={"username": "judge", "password": PASSWORD})

    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 590 <= wait <= 600
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert response.json()["error"]["message"] == "登录失败次数过多，请 10 分钟后再试"


async def test_login_rate_limit_counts_per_username(make_platform, make_client):
    platform = await make_platform(login_max_failures=2)
    await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        for _ in range(2):
            await client.post("/api/v1/auth/login",
                              json={"username": "judge", "password": "bad-guess-1"})

        other = await client.post("/api/v1/auth/login",
                                  json={"username": "staff", "password": PASSWORD})

    assert other.status_code == 200


async def test_login_failures_below_the_limit_still_allow_sign_in(make_platform, make_client):
    platform = await make_platform(login_max_failures=3)
    await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        for _ in range(2):
            await client.post("/api/v1/auth/login",
                              json={"username": "judge", "password": "bad-guess-1"})

        response = await client.post("/api/v1/auth/login",
                                     json={"username": "judge", "password": PASSWORD})

    assert response.status_code == 200


async def test_api_login_with_missing_field_names_it(client, district):
    response = await client.post("/api/v1/auth/login", json={"username": "parent"})

    assert response.status_code == 422
    assert response.json()["error"] == {"code": "missing_field", "message": "缺少字段 password",
                                        "detail": {"field": "password"}}


async def test_api_login_refuses_a_body_that_is_not_json_typed(client, district):
    # A cross-site text/plain form can be shaped to parse as JSON.
    response = await client.post(
        "/api/v1/auth/login", content=b'{"username": "parent", "password": "x"}',
        headers={"Content-Type": "text/plain"})

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


async def test_api_login_posted_from_another_site_is_refused(client, district):
    response = await client.post("/api/v1/auth/login",
                                 json={"username": "parent", "password": PASSWORD},
                                 headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "cross_origin"


async def test_api_logout_ends_the_session(client, district):
    await login(client, "parent", PASSWORD)

    out = await client.post("/api/v1/auth/logout")

    assert out.status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 401


async def _login_form(client, username, password, next_="/"):
    return await client.post("/login", data={
        "username": username, "password": password, "next": next_})


async def test_login_page_shows_the_form_with_labels(client, district):
    page = await client.get("/login")

    assert page.status_code == 200
    assert '<label for="username">用户名</label>' in page.text
    assert '<label for="password">密码</label>' in page.text
    assert 'autocomplete="current-password"' in page.text


async def test_login_page_signs_in_and_redirects_to_next(client, district):
    response = await _login_form(client, "parent", PASSWORD, "/me/inbox")

    assert response.status_code == 303
    assert response.headers["location"] == "/me/inbox"
    assert (await client.get("/api/v1/me")).json()["person"]["name"] == "王大明"


async def test_login_page_wrong_password_shows_the_error_and_keeps_the_username(
        client, district):
    response = await _login_form(client, "parent", "wrong-password-1")

    assert response.status_code == 401
    assert '<p class="error" role="alert" id="login-error">用户名或密码错误</p>' in response.text
    assert 'value="parent"' in response.text


async def test_login_page_rate_limited_shows_the_wait_and_retry_after(
        make_platform, make_client):
    platform = await make_platform(login_max_failures=1, login_window_seconds=120)
    await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        await _login_form(client, "parent", "wrong-password-1")
        response = await _login_form(client, "parent", PASSWORD)

    assert response.status_code == 429
    assert "登录失败次数过多，请 2 分钟后再试" in response.text
    assert 110 <= int(response.headers["Retry-After"]) <= 120


@pytest.mark.parametrize("target", [
    pytest.param("https://evil.example/", id="absolute"),
    pytest.param("//evil.example/", id="scheme-relative"),
    pytest.param("/\\evil.example/", id="backslash"),
    pytest.param("/\t/evil.example/", id="tab-stripped-by-browsers"),
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param("", id="empty"),
])
async def test_login_next_that_leaves_the_site_falls_back_to_home(client, district, target):
    response = await _login_form(client, "parent", PASSWORD, target)

    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_login_page_keeps_a_safe_next_from_the_query(client, district):
    page = await client.get("/login", params={"next": "/me?tab=children"})

    assert '<input type="hidden" name="next" value="/me?tab=children">' in page.text


async def test_login_page_escapes_next_from_the_query(client, district):
    page = await client.get("/login", params={"next": '/"><b>x</b>'})

    assert "<b>x</b>" not in page.text


async def test_page_that_needs_sign_in_redirects_to_login_with_next(client, district):
    response = await client.get("/me/inbox")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/me/inbox"


async def test_login_form_posted_from_another_site_is_refused(client, district):
    # No cookie yet, so the CSRF check does not apply; the origin check does.
    response = await client.post("/login", data={"username": "parent", "password": PASSWORD},
                                 headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert "跨站请求被拒绝，请从本站页面重新操作" in response.text
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_logout_page_clears_the_session_and_goes_home(client, district):
    await _login_form(client, "parent", PASSWORD)
    me = await client.get("/me")
    token = me.text.split('name="csrf_token" value="')[1].split('"')[0]

    response = await client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert (await client.get("/api/v1/me")).status_code == 401
