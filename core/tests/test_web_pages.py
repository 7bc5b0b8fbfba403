"""What every page shares: landmarks, the skip link, labels and the language tag."""

import re

import pytest
from bangyaer.testing import TinyDistrict, login
from bangyaer.web import gettext

pytestmark = pytest.mark.anyio


async def test_every_page_has_the_landmarks_and_a_skip_link(client, district):
    await login(client, "parent", TinyDistrict.PASSWORD)

    for path in ("/", "/me", "/me/inbox", "/nowhere"):
        html = (await client.get(path)).text
        assert '<a class="skip" href="#main">跳到正文</a>' in html, path
        assert '<header class="topbar">' in html, path
        assert '<main id="main" tabindex="-1">' in html, path
        assert '<nav class="tabbar" aria-label="主导航">' in html, path
        assert '<footer class="footer">' in html, path
        assert html.count("<h1") == 1, path


async def test_page_titles_name_the_page_first(client, district):
    html = (await client.get("/login")).text

    assert "<title>登录 · 棒伢儿</title>" in html


async def test_every_form_control_has_a_label(client, district):
    await login(client, "admin", TinyDistrict.PASSWORD)

    for path in ("/login", "/dashboard"):
        html = (await client.get(path)).text
        ids = re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html)
        visible = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*>', html)
        assert len(ids) == len(visible), path
        for control in ids:
            assert f'<label for="{control}">' in html, (path, control)


async def test_viewport_is_set_for_phones(client, district):
    html = (await client.get("/")).text

    assert ('<meta name="viewport" content="width=device-width, initial-scale=1, '
            'viewport-fit=cover">') in html


def test_gettext_outside_a_request_returns_the_chinese_text_with_values():
    assert gettext("你好，%(name)s", name="王大明") == "你好，王大明"
