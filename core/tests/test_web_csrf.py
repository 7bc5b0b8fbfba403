"""CSRF on cookie sessions, the origin check, and the security headers on every response."""

import re

import pytest
from bangyaer.testing import TinyDistrict, login

pytestmark = pytest.mark.anyio
PASSWORD = TinyDistrict.PASSWORD
CSRF_FAILED = {"error": {"code": "csrf_failed", "message": "页面已过期，请刷新后重试"}}


def page_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def test_api_post_with_session_but_without_token_is_refused(client, district):
    await login(client, "parent", PASSWORD)
    del client.headers["X-CSRF-Token"]

    response = await client.post("/api/v1/me/acting-child",
                                 json={"child_id": district.ids["child_1"]})

    assert response.status_code == 403
    assert response.json() == CSRF_FAILED


async def test_api_post_with_a_wrong_token_is_refused(client, district):
    await login(client, "parent", PASSWORD)
    client.headers["X-CSRF-Token"] = "not-the-token"

    response = await client.post("/api/v1/auth/logout")

    assert response.status_code == 403
    assert response.json() == CSRF_FAILED


async def test_api_post_with_the_header_token_passes(client, district):
    await login(client, "parent", PASSWORD)

    response = await client.post("/api/v1/me/acting-child",
                                 json={"child_id": district.ids["child_1"]})

    assert response.status_code == 200


async def test_form_post_with_the_token_field_passes(client, district):
    await login(client, "parent", PASSWORD)
    del client.headers["X-CSRF-Token"]
    token = page_token((await client.get("/me")).text)

    response = await client.post("/me/acting-child", data={
        "child_id": str(district.ids["child_2"]), "csrf_token": token})

    assert response.status_code == 303


async def test_multipart_post_with_the_token_in_the_query_passes(client, district):
    await login(client, "parent", PASSWORD)
    token = client.headers.pop("X-CSRF-Token")

    # Multipart bodies stream to the handler unparsed, so the token rides in the URL.
    response = await client.post(f"/me/inbox?csrf_token={token}",
                                 files={"id": ("x.txt", b"1")})

    assert response.status_code == 303


async def test_multipart_post_without_a_token_is_refused(client, district):
    await login(client, "parent", PASSWORD)
    del client.headers["X-CSRF-Token"]

    response = await client.post("/me/inbox", files={"id": ("x.txt", b"1")})

    assert response.status_code == 403


async def test_refused_form_post_shows_a_friendly_page_not_json(client, district):
    await login(client, "parent", PASSWORD)
    del client.headers["X-CSRF-Token"]

    response = await client.post("/me/acting-child",
                                 data={"child_id": str(district.ids["child_1"])})

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert '<h1 id="error-title">页面已过期，请刷新后重试</h1>' in response.text
    assert 'href="/"' in response.text


async def test_cross_origin_post_is_refused_even_with_the_token(client, district):
    await login(client, "parent", PASSWORD)

    response = await client.post("/api/v1/auth/logout",
                                 headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert response.json()["error"] == {"code": "cross_origin",
                                        "message": "跨站请求被拒绝，请从本站页面重新操作"}


async def test_null_origin_is_refused(client, district):
    await login(client, "parent", PASSWORD)

    response = await client.post("/api/v1/auth/logout", headers={"Origin": "null"})

    assert response.status_code == 403


async def test_same_origin_post_with_the_token_passes(client, district):
    await login(client, "parent", PASSWORD)

    response = await client.post("/api/v1/auth/logout",
                                 headers={"Origin": "http://testserver"})

    assert response.status_code == 200


async def test_post_without_the_session_cookie_is_not_checked(client, district):
    # No cookie, no session to ride on: the handler answers (here: sign in first).
    response = await client.post("/api/v1/me/inbox/read", json={"ids": [1]})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "sign_in_required"


async def test_safe_methods_are_not_checked(client, district):
    await login(client, "parent", PASSWORD)
    del client.headers["X-CSRF-Token"]

    assert (await client.get("/api/v1/me")).status_code == 200


async def test_anonymous_page_views_set_no_session_cookie(client, district):
    response = await client.get("/login")

    assert "bangyaer_session" not in response.headers.get("set-cookie", "")
    assert 'name="csrf_token" value=""' in response.text


async def test_signing_in_again_gives_a_new_token(client, district):
    first = await login(client, "parent", PASSWORD)

    second = await login(client, "parent", PASSWORD)

    assert second["csrf_token"] != first["csrf_token"]


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/openapi.json", "/nowhere",
                                  "/api/v1/nowhere", "/static/core/app.css"])
async def test_security_headers_are_on_every_response(client, district, path):
    response = await client.get(path)

    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


async def test_pages_are_not_stored_by_caches_but_static_files_may_be(client, district):
    page = await client.get("/")
    css = await client.get("/static/core/app.css")

    assert page.headers["Cache-Control"] == "no-store"
    assert "no-store" not in css.headers.get("Cache-Control", "")


async def test_hsts_is_sent_when_cookies_are_secure(make_platform, make_client):
    platform = await make_platform(secure_cookies=True)
    await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        response = await client.post("/api/v1/auth/login",
                                     json={"username": "staff", "password": PASSWORD})

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "secure" in response.headers["set-cookie"].lower()


async def test_hsts_is_not_sent_over_plain_http_setups(client, district):
    response = await client.get("/")

    assert "Strict-Transport-Security" not in response.headers


async def test_templates_carry_no_inline_script_or_style(client, district):
    await login(client, "parent", PASSWORD)

    for path in ("/", "/me", "/me/inbox", "/login", "/nowhere"):
        html = (await client.get(path)).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        assert " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path
