"""The inbox: one's own messages only, newest first, marked read one's own way only."""

import datetime as dt
import re

import pytest
from bangyaer.notifications import Message, notify
from bangyaer.testing import TinyDistrict, login
from sqlalchemy import select, update

pytestmark = pytest.mark.anyio
PASSWORD = TinyDistrict.PASSWORD


async def send(platform, person_id, title, **extra):
    async with platform.db.transaction() as session:
        await notify(session, [person_id], source="core", title=title, **extra)
        return await session.scalar(select(Message.id).where(Message.title == title))


async def test_api_inbox_lists_only_ones_own_messages_newest_first(client, district, platform):
    await send(platform, district.ids["parent"], "第一条")
    await send(platform, district.ids["parent_b"], "别人的消息")
    await send(platform, district.ids["parent"], "第二条", body="正文", url="/x")
    await login(client, "parent", PASSWORD)

    body = (await client.get("/api/v1/me/inbox")).json()

    assert body["unread"] == 2
    assert [m["title"] for m in body["messages"]] == ["第二条", "第一条"]
    assert body["messages"][0]["body"] == "正文"
    assert body["messages"][0]["read"] is False


async def test_api_inbox_pages_with_before(client, district, platform):
    first = await send(platform, district.ids["parent"], "旧")
    second = await send(platform, district.ids["parent"], "新")
    await login(client, "parent", PASSWORD)

    body = (await client.get("/api/v1/me/inbox", params={"before": second})).json()

    assert [m["id"] for m in body["messages"]] == [first]


@pytest.mark.parametrize("before", ["x", "²", "-1"])
async def test_api_inbox_with_a_bad_before_is_422(client, district, before):
    await login(client, "parent", PASSWORD)

    response = await client.get("/api/v1/me/inbox", params={"before": before})

    assert response.status_code == 422
    assert response.json()["error"] == {"code": "invalid_parameter",
                                        "message": "参数 before 应为数字"}


async def test_api_inbox_needs_sign_in(client, district):
    assert (await client.get("/api/v1/me/inbox")).status_code == 401


async def test_api_mark_read_marks_ones_own_messages(client, district, platform):
    mine = await send(platform, district.ids["parent"], "我的")
    await login(client, "parent", PASSWORD)

    response = await client.post("/api/v1/me/inbox/read", json={"ids": [mine]})

    assert response.json() == {"marked": 1}
    assert (await client.get("/api/v1/me/inbox")).json()["unread"] == 0


async def test_api_mark_read_cannot_touch_another_persons_message(client, district, platform):
    theirs = await send(platform, district.ids["parent_b"], "别人的")
    await login(client, "parent", PASSWORD)

    response = await client.post("/api/v1/me/inbox/read", json={"ids": [theirs]})

    assert response.json() == {"marked": 0}
    async with platform.db.session() as session:
        assert (await session.get(Message, theirs)).read_at is None


async def test_api_mark_read_twice_marks_nothing_the_second_time(client, district, platform):
    mine = await send(platform, district.ids["parent"], "我的")
    await login(client, "parent", PASSWORD)
    await client.post("/api/v1/me/inbox/read", json={"ids": [mine]})

    again = await client.post("/api/v1/me/inbox/read", json={"ids": [mine]})

    assert again.json() == {"marked": 0}


@pytest.mark.parametrize("ids, message", [
    pytest.param(["1"], "ids 应为整数列表", id="strings"),
    pytest.param([True], "ids 应为整数列表", id="booleans"),
    pytest.param(list(range(501)), "一次最多标记 500 条消息", id="too-many"),
])
async def test_api_mark_read_refuses_bad_ids(client, district, ids, message):
    await login(client, "parent", PASSWORD)

    response = await client.post("/api/v1/me/inbox/read", json={"ids": ids})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == message


async def test_inbox_page_shows_own_messages_with_unread_marker(client, district, platform):
    await send(platform, district.ids["parent"], "比赛结果已公布", body="请查看")
    await send(platform, district.ids["parent_b"], "别人的消息")
    await login(client, "parent", PASSWORD)

    html = (await client.get("/me/inbox")).text

    assert '<li class="message unread">' in html
    assert '<span class="visually-hidden">未读：</span>' in html
    assert "比赛结果已公布" in html and "请查看" in html
    assert "别人的消息" not in html


async def test_inbox_page_shows_times_in_shanghai(client, district, platform):
    mid = await send(platform, district.ids["parent"], "深夜消息")
    async with platform.db.transaction() as session:
        await session.execute(update(Message).where(Message.id == mid).values(
            created_at=dt.datetime(2024, 3, 1, 16, 30, tzinfo=dt.UTC)))
    await login(client, "parent", PASSWORD)

    html = (await client.get("/me/inbox")).text

    assert '<time datetime="2024-03-02T00:30:00+08:00">2024-03-02 00:30</time>' in html


async def test_inbox_page_never_links_a_javascript_url(client, district, platform):
    await send(platform, district.ids["parent"], "可疑链接", url="javascript:alert(1)")
    await login(client, "parent", PASSWORD)

    html = (await client.get("/me/inbox")).text

    assert "javascript:" not in html


async def test_inbox_page_mark_all_read_ignores_other_peoples_ids(client, district, platform):
    mine = await send(platform, district.ids["parent"], "我的")
    theirs = await send(platform, district.ids["parent_b"], "别人的")
    await login(client, "parent", PASSWORD)

    response = await client.post("/me/inbox", data={"id": [str(mine), str(theirs)]})

    assert response.status_code == 303
    async with platform.db.session() as session:
        assert (await session.get(Message, mine)).read_at is not None
        assert (await session.get(Message, theirs)).read_at is None


async def test_tab_bar_shows_the_unread_count(client, district, platform):
    await send(platform, district.ids["parent"], "新消息")
    await login(client, "parent", PASSWORD)

    html = (await client.get("/")).text

    assert re.search(r'<span class="badge"><span class="visually-hidden">未读 </span>1</span>',
                     html)
    assert "你有 1 条未读消息" in html


async def test_empty_inbox_says_so(client, district):
    await login(client, "judge", PASSWORD)

    html = (await client.get("/me/inbox")).text

    assert '<p class="empty">暂无消息。</p>' in html
