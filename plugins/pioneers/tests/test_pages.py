"""The family's pages: the brigade and its activities, handing in, the counsellor's review."""

from __future__ import annotations

import re

from bangyaer.db import utcnow
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict
from bangyaer_pioneers.models import News

from .conftest import Appoint, ClientFor, MakeActivity


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def test_index_shows_the_childs_brigade_squadron_news_and_activities(
        client_for: ClientFor, make_activity: MakeActivity, platform: Platform,
        district: TinyDistrict) -> None:
    await make_activity("class_a1", title="中队读书会")
    async with platform.db.transaction() as session:
        session.add(News(school_id=district.ids["school_a"], title="新队员入队仪式",
                         body="第一段\n\n第二段", published_at=utcnow()))
    parent = await client_for("parent", "child_1")

    page = (await parent.get("/pioneers/")).text

    assert "甲小学大队 · 三(1)班中队" in page
    assert "新队员入队仪式" in page and "<p>第二段</p>" in page
    assert "中队读书会" in page and "未提交" in page


async def test_the_other_squadrons_activity_is_not_on_the_childs_page(
        client_for: ClientFor, make_activity: MakeActivity) -> None:
    await make_activity("class_a2", title="二班的活动")
    parent = await client_for("parent", "child_1")

    page = (await parent.get("/pioneers/")).text

    assert "二班的活动" not in page and "暂时没有活动" in page


async def test_handing_in_through_the_form_shows_it_waits_for_review(
        client_for: ClientFor, make_activity: MakeActivity) -> None:
    activity = await make_activity()
    parent = await client_for("parent", "child_1")
    form = (await parent.get(f"/pioneers/activities/{activity}")).text

    response = await parent.post(f"/pioneers/activities/{activity}", data={
        "csrf_token": token(form), "text": "我读了《草房子》"})

    assert response.status_code == 200
    assert "已提交，等待辅导员审核" in response.text
    assert "我读了《草房子》" in response.text and "待审核" in response.text


async def test_a_refused_form_says_why(client_for: ClientFor,
                                      make_activity: MakeActivity) -> None:
    activity = await make_activity()
    parent = await client_for("parent", "child_1")
    form = (await parent.get(f"/pioneers/activities/{activity}")).text

    response = await parent.post(f"/pioneers/activities/{activity}",
                                 data={"csrf_token": token(form), "text": ""})

    assert response.status_code == 422
    assert 'role="alert"' in response.text and "这个活动需要写一段文字" in response.text


async def test_counsellor_returns_a_hand_in_from_the_review_page(
        client_for: ClientFor, make_activity: MakeActivity, appoint: Appoint) -> None:
    activity = await make_activity()
    parent = await client_for("parent", "child_1")
    await parent.post(f"/api/v1/pioneers/activities/{activity}/submission",
                      json={"text": "太短"})
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")
    listing = await teacher.get("/pioneers/review")
    sub = re.search(r'action="/pioneers/review/(\d+)"', listing.text)
    assert sub is not None and "王小明" in listing.text

    done = await teacher.post(f"/pioneers/review/{sub.group(1)}", data={
        "csrf_token": token(listing.text), "decision": "return", "comment": "请多写几句"},
        follow_redirects=True)

    assert "没有待审核的提交" in done.text
    seen = (await parent.get(f"/pioneers/activities/{activity}")).text
    assert "已退回" in seen and "请多写几句" in seen and "重新提交" in seen


async def test_review_page_is_refused_to_a_teacher_who_is_no_counsellor(
        client_for: ClientFor) -> None:
    response = await (await client_for("teacher_a")).get("/pioneers/review")

    assert response.status_code == 403


async def test_the_page_reads_in_english_when_asked(client_for: ClientFor,
                                                   make_activity: MakeActivity) -> None:
    await make_activity()
    parent = await client_for("parent", "child_1")
    await parent.get("/lang/en")

    page = (await parent.get("/pioneers/")).text

    assert "<h1>Young Pioneers</h1>" in page and "Online activities" in page
