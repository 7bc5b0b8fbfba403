"""Every page a demo account reaches by following links answers, across all installed plugins.

The demo district is the fullest data the platform has outside production:
several children per guardian, activities in every state, paid and unpaid
orders. Walking it as each printed account, the way a curious family or a
new member of staff clicks around, finds the pages that only fail for data
the plugin's own tests did not think of.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bangyaer.demo import seed_demo
from bangyaer.testing import drain, login

# Enough to reach every plugin's pages and a few of each kind of detail page.
PAGES_PER_ACCOUNT = 90
LINK = re.compile(r'href="([^"#]+)"')
# Leaving, switching language (a redirect back to a page already walked) and files.
SKIP = re.compile(r"/logout|/lang/|/static/|\.pdf$|\.csv$|\.zip$|/download|/export|/thumbnail")


def _links(base: str, html: str) -> list[str]:
    found = []
    for href in LINK.findall(html):
        url = urlsplit(urljoin(base, href.replace("&amp;", "&")))
        if url.netloc != "testserver" or SKIP.search(url.path):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


async def _walk(client, start: str = "/") -> tuple[int, list[tuple[str, int, str]]]:
    seen: set[str] = set()
    queue, broken = [start], []
    while queue and len(seen) < PAGES_PER_ACCOUNT:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = await client.get(path, follow_redirects=True)
        if response.status_code >= 500 or response.status_code == 404:
            broken.append((path, response.status_code, str(response.url)))
            continue
        if "text/html" in response.headers.get("content-type", ""):
            queue += [p for p in _links(str(response.url), response.text) if p not in seen]
    return len(seen), broken


async def test_no_link_a_demo_account_can_follow_is_broken(make_platform, make_client):
    platform = await make_platform(discover=True)
    result = await seed_demo(platform)
    await drain(platform)

    walked, broken = {}, {}
    for account in result.accounts:
        assert account.password is not None
        async with make_client(platform) as client:
            await login(client, account.username, account.password)
            walked[account.username], found = await _walk(client)
        if found:
            broken[account.username] = found

    assert broken == {}
    # The walk really went somewhere: the home page links every plugin's pages.
    assert min(walked.values()) > 10


async def test_the_english_pages_a_guardian_and_staff_reach_are_not_broken(
        make_platform, make_client):
    platform = await make_platform(discover=True)
    result = await seed_demo(platform)
    accounts = {a.username: a.password for a in result.accounts}

    broken = {}
    for username in ("parent", "staff"):
        async with make_client(platform) as client:
            await login(client, username, accounts[username])
            await client.get("/lang/en?next=/")
            home = await client.get("/")
            _walked, found = await _walk(client)
        assert 'lang="en"' in home.text
        if found:
            broken[username] = found

    assert broken == {}
