"""A guardian's view: the timeline newest first, filters, summary, download and print."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from bangyaer.certificates import Certificate
from pypdf import PdfReader


@pytest.fixture
async def history(feed, award):
    await feed("competitions.entry_registered", activity_title="区科技节", entry_code="K-1",
               occurred_at="2025-04-01T09:00:00+08:00")
    await feed("training.completed", class_name="少儿编程", lessons=16,
               occurred_at="2025-06-30T09:00:00+08:00")
    await feed("pioneers.took_part", title="清明祭英烈", category="德育",
               occurred_at="2026-04-04T09:00:00+08:00")
    await feed("classroom.course_completed", title="走进航天", category="科技",
               occurred_at="2026-05-01T09:00:00+08:00")
    await award(award="一等奖", key="award:1")
    await award(award="二等奖", key="award:2", activity="区书画比赛")
    await award(award="一等奖", key="award:3", activity="区朗诵比赛")


async def titles(client, url):
    response = await client.get(url)
    assert response.status_code == 200
    return [r["title"] for r in response.json()["records"]]


async def test_timeline_is_newest_first(client_for, district, history):
    parent = await client_for("parent")
    url = f"/api/v1/growth/students/{district.ids['child_1']}/records"

    found = await titles(parent, url)

    assert found[-4:] == ["完成课程“走进航天”", "参加“清明祭英烈”",
                          "培训班“少儿编程”结业", "报名“区科技节”"]


async def test_timeline_filtered_by_year_shows_that_year_only(client_for, district, history):
    parent = await client_for("parent")
    url = f"/api/v1/growth/students/{district.ids['child_1']}/records?year=2025"

    assert await titles(parent, url) == ["培训班“少儿编程”结业", "报名“区科技节”"]


async def test_timeline_filtered_by_category_shows_that_category_only(client_for, district,
                                                                      history):
    parent = await client_for("parent")
    url = (f"/api/v1/growth/students/{district.ids['child_1']}/records?category="
           f"{quote('德育')}")

    assert await titles(parent, url) == ["参加“清明祭英烈”"]


async def test_year_that_is_not_a_year_is_refused(client_for, district):
    parent = await client_for("parent")

    response = await parent.get(
        f"/api/v1/growth/students/{district.ids['child_1']}/records?year=20x5")

    assert response.status_code == 422
    assert response.json()["error"] == {"code": "invalid_parameter",
                                        "message": "year 应为 2000 到 2100 之间的年份"}


async def test_summary_counts_activities_awards_by_level_and_training_hours(
        client_for, district, history):
    parent = await client_for("parent")

    response = await parent.get(f"/api/v1/growth/students/{district.ids['child_1']}/records")

    assert response.json()["summary"] == {
        "activities": 4,
        "awards": [{"level": "一等奖", "count": 2}, {"level": "二等奖", "count": 1}],
        "training_hours": 16.0,
    }


async def test_page_shows_the_timeline_and_a_download_link(client_for, district, history):
    parent = await client_for("parent")

    page = await parent.get(f"/growth/students/{district.ids['child_1']}")

    assert page.status_code == 200
    assert "王小明的成长记录" in page.text and "区书画比赛 二等奖" in page.text
    assert page.text.count("下载证书") == 3 and page.text.count("打印证书") == 3


async def serial_of(platform, cert_id):
    async with platform.db.session() as session:
        return (await session.get(Certificate, cert_id)).serial


async def test_certificate_downloads_as_its_pdf_with_a_chinese_file_name(
        client_for, district, award, platform):
    cert_id = await award(award="一等奖", activity="区科技节")
    serial = await serial_of(platform, cert_id)
    parent = await client_for("parent")

    response = await parent.get(
        f"/growth/students/{district.ids['child_1']}/certificates/{cert_id}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="certificate-{serial}.pdf"; filename*=UTF-8\'\''
        + quote("王小明-区科技节-一等奖.pdf", safe=""))
    assert "王小明" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


async def test_certificate_opens_inline_for_printing(client_for, district, award):
    cert_id = await award()
    parent = await client_for("parent")

    response = await parent.get(
        f"/growth/students/{district.ids['child_1']}/certificates/{cert_id}?print=1")

    assert response.headers["content-disposition"].startswith("inline; ")


async def test_certificate_of_another_child_is_not_found_under_this_child(
        client_for, district, award):
    cert_id = await award(student="child_2")
    parent = await client_for("parent")

    response = await parent.get(
        f"/growth/students/{district.ids['child_1']}/certificates/{cert_id}")

    assert response.status_code == 404


async def test_another_familys_certificate_is_forbidden(client_for, district, award):
    cert_id = await award(student="child_b")
    parent = await client_for("parent")

    response = await parent.get(
        f"/growth/students/{district.ids['child_b']}/certificates/{cert_id}")

    assert response.status_code == 403


async def test_guardian_acting_for_a_child_is_sent_to_that_childs_record(
        client_for, district):
    parent = await client_for("parent")
    chosen = await parent.post("/api/v1/me/acting-child",
                               json={"child_id": district.ids["child_2"]})
    assert chosen.status_code == 200

    response = await parent.get("/growth/")

    assert response.status_code == 303
    assert response.headers["location"] == f"/growth/students/{district.ids['child_2']}"


async def test_guardian_without_an_acting_child_picks_one_of_their_children(
        client_for, district):
    parent = await client_for("parent")

    page = await parent.get("/growth/")

    assert page.status_code == 200
    assert "王小明" in page.text and "王小红" in page.text and "李小华" not in page.text
