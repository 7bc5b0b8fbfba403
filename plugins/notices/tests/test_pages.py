"""The reader pages: three columns, order, paging, search, an item, downloads, feeds."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from bangyaer.db import utcnow
from bangyaer.platform import Platform
from bangyaer_notices.models import Column

from .conftest import HOUR, ClientFor, MakeItem

ATOM = "{http://www.w3.org/2005/Atom}"


def titles_in(html: str) -> list[str]:
    return [t.strip() for t in re.findall(
        r'<span class="notice-title">(?:<span class="tag tag-pin">置顶</span>)?([^<]*)</span>',
        html)]


async def test_module_page_shows_the_three_columns(client_for: ClientFor,
                                                  make_item: MakeItem) -> None:
    await make_item("寒假报名通知", column=Column.notice)
    await make_item("获奖名单公示", column=Column.publicity)
    await make_item("合唱展演", column=Column.news)
    anonymous = await client_for(None)

    page = await anonymous.get("/notices/")

    assert page.status_code == 200
    for heading in ("通知", "公示", "新闻"):
        assert f'">{heading}</h2>' in page.text
    assert titles_in(page.text) == ["寒假报名通知", "获奖名单公示", "合唱展演"]


async def test_pinned_items_come_first_then_the_newest(client_for: ClientFor,
                                                      make_item: MakeItem) -> None:
    await make_item("旧的置顶", pinned=True, publish_at=utcnow() - 48 * HOUR)
    await make_item("较早", publish_at=utcnow() - 24 * HOUR)
    await make_item("最新", publish_at=utcnow() - HOUR)
    anonymous = await client_for(None)

    page = await anonymous.get("/notices/c/notice")

    assert titles_in(page.text) == ["旧的置顶", "最新", "较早"]


async def test_column_pages_are_paged(client_for: ClientFor, make_item: MakeItem) -> None:
    for n in range(22):
        await make_item(f"通知{n:02d}", publish_at=utcnow() - (n + 1) * HOUR)
    anonymous = await client_for(None)

    first = await anonymous.get("/notices/c/notice")
    second = await anonymous.get("/notices/c/notice?page=2")

    assert len(titles_in(first.text)) == 20
    assert "第 1 / 2 页" in first.text
    assert 'href="/notices/c/notice?page=2"' in first.text
    assert titles_in(second.text) == ["通知20", "通知21"]


async def test_a_page_number_that_is_not_a_number_is_refused(client_for: ClientFor) -> None:
    anonymous = await client_for(None)

    response = await anonymous.get("/api/v1/notices/items?page=abc")

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "page 应为 1 到 10000 之间的整数"


async def test_search_finds_every_word_in_titles_or_text(client_for: ClientFor,
                                                        make_item: MakeItem) -> None:
    await make_item("寒假培训班报名", body="国画 书法")
    await make_item("元旦开放时间", body="培训课程顺延")
    await make_item("合唱展演", body="少先队员")
    anonymous = await client_for(None)

    page = await anonymous.get("/notices/", params={"q": "培训"})
    narrowed = await anonymous.get("/notices/", params={"q": "培训 国画"})

    assert set(titles_in(page.text)) == {"寒假培训班报名", "元旦开放时间"}
    assert "“培训”共找到 2 条" in page.text
    assert titles_in(narrowed.text) == ["寒假培训班报名"]


async def test_search_treats_percent_as_a_character_not_a_wildcard(
        client_for: ClientFor, make_item: MakeItem) -> None:
    await make_item("中签率 50% 的说明")
    await make_item("普通通知")
    anonymous = await client_for(None)

    response = await anonymous.get("/api/v1/notices/items", params={"q": "%"})

    assert [i["title"] for i in response.json()["items"]] == ["中签率 50% 的说明"]


async def test_unknown_column_is_not_found(client_for: ClientFor) -> None:
    anonymous = await client_for(None)

    response = await anonymous.get("/notices/c/ads")

    assert response.status_code == 404


async def test_publicity_item_shows_its_open_period_and_how_to_object(
        client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("科技创新大赛获奖名单公示", column=Column.publicity,
                           objection_contact="竞赛部 302 室",
                           objection_url="/competitions/7/appeal")
    anonymous = await client_for(None)

    page = await anonymous.get(f"/notices/{item.id}")

    assert "公示期" in page.text
    assert '<span class="tag period-open">公示中</span>' in page.text
    assert "竞赛部 302 室" in page.text
    assert 'href="/competitions/7/appeal">提出异议</a>' in page.text


async def test_publicity_item_after_its_period_says_it_is_closed(
        client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("已结束的公示", column=Column.publicity,
                           period_start=utcnow() - 72 * HOUR, period_end=utcnow() - HOUR)
    anonymous = await client_for(None)

    response = await anonymous.get(f"/api/v1/notices/items/{item.id}")

    assert response.json()["item"]["period"]["state"] == "closed"


async def test_item_page_shows_body_date_and_attachment(client_for: ClientFor,
                                                       make_item: MakeItem) -> None:
    item = await make_item("报名通知", body="## 报名时间\n\n- 1 月 2 日")
    staff = await client_for("staff")
    await staff.post(f"/api/v1/notices/items/{item.id}/attachments",
                     files={"file": ("报名表.pdf", b"%PDF-1.7 form", "application/pdf")})
    anonymous = await client_for(None)

    page = await anonymous.get(f"/notices/{item.id}")

    assert "<h2>报名时间</h2>" in page.text
    assert "<li>1 月 2 日</li>" in page.text
    assert "发布于" in page.text
    assert re.search(rf'href="/notices/{item.id}/files/\d+">报名表.pdf</a>', page.text)


async def test_attachment_downloads_with_its_chinese_name(client_for: ClientFor,
                                                         make_item: MakeItem) -> None:
    item = await make_item("报名通知")
    staff = await client_for("staff")
    upload = await staff.post(f"/api/v1/notices/items/{item.id}/attachments",
                              files={"file": ("寒假 报名表.pdf", b"%PDF-1.7 form", "x/y")})
    anonymous = await client_for(None)

    response = await anonymous.get(upload.json()["attachment"]["url"])

    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 form"
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"__ ___.pdf\"; "
        "filename*=UTF-8''%E5%AF%92%E5%81%87%20%E6%8A%A5%E5%90%8D%E8%A1%A8.pdf")


async def test_cover_image_is_served_with_its_sniffed_type(client_for: ClientFor,
                                                          make_item: MakeItem) -> None:
    item = await make_item("合唱展演", column=Column.news)
    staff = await client_for("staff")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    await staff.put(f"/api/v1/notices/items/{item.id}/cover",
                    files={"file": ("合影.png", png, "application/octet-stream")})
    anonymous = await client_for(None)

    page = await anonymous.get(f"/notices/{item.id}")
    cover = await anonymous.get(f"/notices/{item.id}/cover")

    assert f'src="/notices/{item.id}/cover"' in page.text
    assert cover.headers["content-type"] == "image/png"
    assert cover.content == png


async def test_feed_lists_only_public_items_of_its_column(client_for: ClientFor,
                                                         make_item: MakeItem) -> None:
    public = await make_item("公开通知")
    await make_item("登录可见", public=False)
    await make_item("一条新闻", column=Column.news)
    anonymous = await client_for(None)

    response = await anonymous.get("/notices/feeds/notice.atom")

    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["公开通知"]
    assert entries[0].findtext(f"{ATOM}id") == f"http://127.0.0.1:8000/notices/{public.id}"


async def test_feed_carries_the_body_as_escaped_html(client_for: ClientFor,
                                                    make_item: MakeItem) -> None:
    await make_item("通知", body="**重要** <script>x</script>")
    anonymous = await client_for(None)

    response = await anonymous.get("/notices/feeds/notice.atom")

    content = ET.fromstring(response.content).find(f"{ATOM}entry/{ATOM}content")
    assert content is not None
    assert content.text == "<p><strong>重要</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"


async def test_home_screen_has_the_notices_tile(client_for: ClientFor) -> None:
    anonymous = await client_for(None)

    page = await anonymous.get("/")

    assert 'href="/notices/"' in page.text


async def test_reading_an_item_is_counted_once_per_person(
        platform: Platform, client_for: ClientFor, make_item: MakeItem) -> None:
    from bangyaer_notices.models import Read
    from sqlalchemy import func, select

    item = await make_item("通知")
    parent = await client_for("parent")
    anonymous = await client_for(None)

    for client in (parent, parent, anonymous):
        assert (await client.get(f"/notices/{item.id}")).status_code == 200

    async with platform.db.session() as session:
        reads: Any = await session.scalar(select(func.count(Read.id)))
    assert reads == 1


async def test_module_page_reads_in_english_when_asked(client_for: ClientFor,
                                                      make_item: MakeItem) -> None:
    await make_item("寒假报名通知", pinned=True)
    anonymous = await client_for(None)

    page = await anonymous.get("/notices/?lang=en")

    assert "<h1>Notices</h1>" in page.text
    assert '">Public notice periods</h2>' in page.text
    assert '<span class="tag tag-pin">Pinned</span>' in page.text
