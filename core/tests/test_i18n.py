"""Chinese message ids, the English catalogue that covers them, and the language switch."""

import re
from pathlib import Path

import bangyaer
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from bangyaer.testing import TinyDistrict, login

pytestmark = pytest.mark.anyio
CORE = Path(bangyaer.__file__).parent
CATALOGUE = CORE / "locale" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> dict[str, str]:
    """Every msgid in the core's templates and web code (pages too), with where it was found."""
    found: dict[str, str] = {}
    sources = [("jinja2.ext:babel_extract", p) for p in sorted(CORE.glob("templates/**/*.html"))]
    sources += [("python", p) for p in sorted((CORE / "web").glob("*.py"))]
    sources += [("python", p) for p in sorted((CORE / "payments").glob("_web*.py"))]
    for method, path in sources:
        with path.open("rb") as fh:
            for lineno, message, _comments, _context in extract(method, fh, DEFAULT_KEYWORDS):
                msgid = message if isinstance(message, str) else message[0]
                found.setdefault(msgid, f"{path.relative_to(CORE)}:{lineno}")
    return found


def english() -> dict[str, str]:
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="en")
    return {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}


def test_extraction_finds_the_core_messages():
    found = extracted()

    # Guards the test itself: an extractor that finds nothing would pass vacuously.
    assert "用户名或密码错误" in found  # Python, web/_auth.py
    assert "你好，%(name)s" in found  # a template, with a placeholder
    assert "出错了" in found  # marked with N_ in a table
    assert len(found) > 50


def test_every_core_message_has_an_english_translation():
    missing = {msgid: where for msgid, where in extracted().items()
               if msgid not in english()}

    assert missing == {}, "add these to locale/en/LC_MESSAGES/messages.po"


def test_english_translations_keep_every_placeholder():
    wrong = {msgid: text for msgid, text in english().items()
             if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text))}

    assert wrong == {}


def test_message_ids_are_chinese():
    not_chinese = [m for m in extracted() if not re.search(r"[\u4e00-\u9fff]", m)]

    assert not_chinese == []


async def test_pages_are_chinese_by_default(client, district):
    html = (await client.get("/login")).text

    assert '<html lang="zh-CN">' in html
    assert '<h1 id="login-title">登录</h1>' in html


async def test_lang_en_switches_pages_to_english_and_back(client, district):
    switch = await client.get("/lang/en", params={"next": "/login"})
    english_page = (await client.get("/login")).text
    await client.get("/lang/zh_CN")
    chinese_page = (await client.get("/login")).text

    assert switch.status_code == 303
    assert switch.headers["location"] == "/login"
    assert '<h1 id="login-title">Sign in</h1>' in english_page
    assert '<html lang="en">' in english_page
    assert '<h1 id="login-title">登录</h1>' in chinese_page


async def test_language_switch_link_keeps_the_page_and_its_query(client, district):
    html = (await client.get("/login", params={"next": "/me"})).text

    assert 'href="/lang/en?next=/login%3Fnext%3D%252Fme"' in html


async def test_lang_switch_refuses_to_leave_the_site(client, district):
    response = await client.get("/lang/en", params={"next": "//evil.example/"})

    assert response.headers["location"] == "/"


async def test_unknown_language_is_404(client, district):
    response = await client.get("/lang/fr")

    assert response.status_code == 404
    assert '<h1 id="error-title">不支持该语言</h1>' in response.text


async def test_api_error_messages_follow_the_language(client, district):
    await client.get("/lang/en")

    response = await client.post("/api/v1/auth/login",
                                 json={"username": "nobody", "password": "x"})

    assert response.json()["error"]["message"] == "Wrong username or password"


async def test_placeholders_are_filled_in_english(client, district):
    await login(client, "parent", TinyDistrict.PASSWORD)

    html = (await client.get("/", params={"lang": "en"})).text

    assert "Hello, 王大明" in html


async def test_role_titles_follow_the_language(client, district):
    await login(client, "head_a", TinyDistrict.PASSWORD)

    body = (await client.get("/api/v1/me", params={"lang": "en"})).json()

    assert body["roles"][0]["title"] == "School admin"
