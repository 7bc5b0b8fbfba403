"""The ``identity_providers`` hook: extra sign-in buttons on the login page."""

from dataclasses import dataclass

import pytest
from bangyaer import PluginInfo, hookimpl

pytestmark = pytest.mark.anyio


@dataclass(frozen=True)
class Provider:
    id: str
    login_url: str
    title_zh: str
    title_en: str

    def title(self, locale):
        return self.title_en if locale.startswith("en") else self.title_zh


class Sso:
    @hookimpl
    def plugin_info(self):
        return PluginInfo(id="sso", title_zh="单点登录", title_en="Single sign-on",
                          requires_core=">=0.1", category="integration")

    @hookimpl
    def identity_providers(self):
        return [Provider("sso_work", "/sso/start", "用工作账号登录", "Sign in with work account"),
                Provider("sso_bad", "javascript:alert(1)", "坏链接", "Bad link")]


@pytest.fixture
async def sso_client(make_platform, make_client):
    platform = await make_platform([Sso()])
    async with make_client(platform) as client:
        yield client


async def test_hook_identity_providers_show_a_button_on_the_login_page(sso_client):
    html = (await sso_client.get("/login")).text

    assert ('<a class="button provider provider-sso_work" href="/sso/start">'
            '用工作账号登录</a>') in html
    assert "工作人员和评委请使用账号密码登录：" in html


async def test_hook_identity_providers_buttons_follow_the_language(sso_client):
    html = (await sso_client.get("/login", params={"lang": "en"})).text

    assert ">Sign in with work account</a>" in html


async def test_hook_identity_providers_unsafe_login_url_is_not_linked(sso_client):
    html = (await sso_client.get("/login")).text

    assert "javascript:" not in html
    assert 'href="#">坏链接</a>' in html


async def test_hook_identity_providers_none_means_only_the_password_form(client):
    html = (await client.get("/login")).text

    assert 'class="button provider' not in html
    assert "工作人员和评委请使用账号密码登录：" not in html
    assert '<form method="post" action="/login" class="form">' in html


async def test_hook_identity_providers_of_a_disabled_plugin_are_hidden(make_platform,
                                                                       make_client):
    platform = await make_platform([Sso()], disabled_plugins=("sso",))
    async with make_client(platform) as client:
        html = (await client.get("/login")).text

    assert "用工作账号登录" not in html
