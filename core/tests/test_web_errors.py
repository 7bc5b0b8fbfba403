"""Friendly Chinese error pages for people; the JSON envelope for /api/ paths."""

import httpx
import pytest
from bangyaer import PluginInfo, Routes, hookimpl
from bangyaer.web import ApiError, create_app
from starlette.responses import JSONResponse
from starlette.routing import Route

pytestmark = pytest.mark.anyio


class Failing:
    """A plugin whose handlers fail on purpose."""

    @hookimpl
    def plugin_info(self):
        return PluginInfo(id="failing", title_zh="出错示例", title_en="Failing",
                          requires_core=">=0.1")

    @hookimpl
    def routes(self):
        async def boom(request):
            raise RuntimeError("student 王小明 broke it")

        async def conflict(request):
            raise ApiError(409, "registration_closed", "报名已截止")

        async def fine(request):
            return JSONResponse({"ok": True})

        return Routes(
            pages=[Route("/boom", boom), Route("/closed", conflict)],
            api=[Route("/boom", boom), Route("/closed", conflict), Route("/fine", fine)],
        )


@pytest.fixture
async def failing(make_platform):
    platform = await make_platform([Failing()])
    app = create_app(platform=platform)
    # raise_app_exceptions=False: see what a browser would get, not the traceback.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_unknown_page_is_a_chinese_404_page(client):
    response = await client.get("/no/such/page")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<h1 id="error-title">页面不存在</h1>' in response.text
    assert '<html lang="zh-CN">' in response.text
    assert '<a class="button" href="/">返回首页</a>' in response.text


async def test_unknown_api_path_is_a_json_404(client):
    response = await client.get("/api/v1/no/such/thing")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "页面不存在"}}


async def test_wrong_method_on_the_api_is_a_json_405(client):
    response = await client.delete("/api/v1/me")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_unexpected_error_on_a_page_is_a_chinese_500_page(failing):
    response = await failing.get("/failing/boom")

    assert response.status_code == 500
    assert '<h1 id="error-title">服务器出错了，请稍后再试</h1>' in response.text
    assert "王小明" not in response.text
    assert "Traceback" not in response.text


async def test_unexpected_error_on_the_api_is_a_json_500(failing):
    response = await failing.get("/api/v1/failing/boom")

    assert response.status_code == 500
    assert response.json() == {"error": {"code": "server_error",
                                         "message": "服务器出错了，请稍后再试"}}


async def test_500_responses_still_carry_the_security_headers(failing):
    response = await failing.get("/failing/boom")

    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


async def test_unexpected_error_is_logged_with_the_path(failing, caplog):
    with caplog.at_level("ERROR", logger="bangyaer.web"):
        await failing.get("/failing/boom")

    assert any(r.getMessage() == "unhandled error on GET /failing/boom" for r in caplog.records)


async def test_api_error_from_a_plugin_keeps_its_code_and_status(failing):
    response = await failing.get("/api/v1/failing/closed")

    assert response.status_code == 409
    assert response.json() == {"error": {"code": "registration_closed",
                                         "message": "报名已截止"}}


async def test_api_error_raised_by_a_page_shows_its_message_on_a_page(failing):
    response = await failing.get("/failing/closed")

    assert response.status_code == 409
    assert '<h1 id="error-title">报名已截止</h1>' in response.text


async def test_error_page_in_english_when_english_is_chosen(client):
    response = await client.get("/no/such/page", params={"lang": "en"})

    assert '<h1 id="error-title">Page not found</h1>' in response.text
    assert '<html lang="en">' in response.text


async def test_disabled_plugin_routes_answer_404(make_platform, make_client):
    platform = await make_platform([Failing()], disabled_plugins=("failing",))
    async with make_client(platform) as client:
        response = await client.get("/api/v1/failing/fine")

    assert response.status_code == 404
