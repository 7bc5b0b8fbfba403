"""Every page a demo account reaches by following links answers, across all installed plugins.

The demo district is the fullest data the platform has outside production:
several children per guardian, activities in every state, paid and unpaid
orders. Walking it as each printed account, the way a curious family or a
new member of staff clicks around, finds the pages that only fail for data
the plugin's own tests did not think of. The demo is served on a real port
and walked over HTTP, as the browser tests in this directory are.
"""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

import httpx
from bangyaer.demo import seed_demo
from bangyaer.testing import drain

# Enough to reach every plugin's pages, walking each kind of page for a few of its
# records (three activities, not all of them) so that the cap reaches the deep ones.
PAGES_PER_ACCOUNT = 120
PER_SHAPE = 3
LINK = re.compile(r'href="([^"#]+)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
ID = re.compile(r'\sid="([^"]+)"')
# Leaving, switching language (a redirect back to a page already walked) and files.
SKIP = re.compile(r"/logout|/lang/|/static/|\.pdf$|\.csv$|\.zip$|/download|/export|/thumbnail")
# "：" or "（" right after an English word: a label translated on its own with the
# colon or bracket left outside the message. Demo data is Chinese and may put
# "（" after a Chinese name or a time ("17:00（名额…"), so the ASCII run before the
# mark must hold a letter.
GLUED = re.compile(r"[A-Za-z0-9][：（]")
SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]*>")


def _links(origin: str, base: str, html: str) -> list[str]:
    found = []
    for href in LINK.findall(html):
        url = urlsplit(urljoin(base, href.replace("&amp;", "&")))
        if f"{url.scheme}://{url.netloc}" != origin or SKIP.search(url.path):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def _shape(path: str) -> str:
    # /competitions/manage/3/judging and …/2/judging are one page with other data.
    return re.sub(r"\d+", "N", path.split("?")[0])


Check = Callable[[str], str]


def _walk(client: httpx.Client, start: str = "/",
          checks: tuple[Check, ...] = ()) -> tuple[int, list[tuple[str, int, str]]]:
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue, broken = [start], []
    while queue and len(seen) < PAGES_PER_ACCOUNT:
        path = queue.pop(0)
        if path in seen or shapes.get(_shape(path), 0) >= PER_SHAPE:
            continue
        seen.add(path)
        shapes[_shape(path)] = shapes.get(_shape(path), 0) + 1
        response = client.get(path, follow_redirects=True)
        if response.status_code >= 500 or response.status_code == 404:
            broken.append((path, response.status_code, str(response.url)))
            continue
        if "text/html" in response.headers.get("content-type", ""):
            for check in (_malformed, *checks):
                if problem := check(response.text):
                    broken.append((path, response.status_code, problem))
            found = _links(str(client.base_url).rstrip("/"), str(response.url), response.text)
            queue += [p for p in found if p not in seen]
    return len(seen), broken


def _malformed(html: str) -> str:
    """What is wrong with a page a screen reader reads: its title, its ids."""
    title = TITLE.search(html)
    if title is None or "<" in title.group(1):
        return "the <title> is missing or holds markup"
    ids = ID.findall(html)
    twice = sorted({i for i in ids if ids.count(i) > 1})
    return f"ids used twice: {', '.join(twice)}" if twice else ""


def _ascii_before(text: str, end: int) -> str:
    start = end
    while start > 0 and text[start - 1].isascii():
        start -= 1
    return text[start:end]


def _chinese_punctuation_in_english(html: str) -> str:
    """Text (screen-reader-only text too) where "：" or "（" follows an English word."""
    text = " ".join(html_text.unescape(TAG.sub("", SCRIPT.sub("", html))).split())
    glued = sorted({text[max(m.start() - 24, 0):m.end() + 8] for m in GLUED.finditer(text)
                    if re.search("[A-Za-z]", _ascii_before(text, m.end() - 1))})
    return f"Chinese punctuation after English: {glued}" if glued else ""


async def _seed(platform):
    result = await seed_demo(platform)
    await drain(platform)  # what the demo's worker would have done by the first click
    return {a.username: a.password for a in result.accounts}


@contextmanager
def _signed_in(server, username: str, password: str | None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        response = client.post("/api/v1/auth/login",
                               json={"username": username, "password": password})
        response.raise_for_status()
        yield client


def test_no_link_a_demo_account_can_follow_is_broken(make_live_server):
    server = make_live_server(discover=True, seed=_seed)

    walked, broken = {}, {}
    for username, password in server.seeded.items():
        assert password is not None
        with _signed_in(server, username, password) as client:
            walked[username], found = _walk(client)
        if found:
            broken[username] = found

    assert broken == {}
    # The walk really went somewhere: the home page links every plugin's pages.
    assert min(walked.values()) > 10


def test_the_punctuation_check_flags_an_english_label_and_not_chinese_data():
    assert _chinese_punctuation_in_english("<p>Registration closes：<time>2026-03-20</time>")
    assert _chinese_punctuation_in_english('<span class="visually-hidden">Roles：</span>')
    assert not _chinese_punctuation_in_english("<p>Registration closes: 2026-03-20</p>")
    assert not _chinese_punctuation_in_english("<p>For: 1 月 8 日 17:00（名额不足时摇号）</p>")
    assert not _chinese_punctuation_in_english("<td>王老师（wang）</td>")


def test_the_english_pages_a_guardian_and_staff_reach_are_not_broken(make_live_server):
    server = make_live_server(discover=True, seed=_seed)

    broken = {}
    for username in ("parent", "staff"):
        with _signed_in(server, username, server.seeded[username]) as client:
            client.get("/lang/en?next=/")
            home = client.get("/")
            _walked, found = _walk(client, checks=(_chinese_punctuation_in_english,))
        assert 'lang="en"' in home.text
        if found:
            broken[username] = found

    assert broken == {}
