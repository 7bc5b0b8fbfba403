"""The acting child, ``/api/v1/me``, the home tiles and the 我的 page."""

import re

import pytest
from bangyaer import NavItem, PluginInfo, hookimpl
from bangyaer.identity import authorize
from bangyaer.notifications import notify
from bangyaer.testing import TinyDistrict, login

pytestmark = pytest.mark.anyio
PASSWORD = TinyDistrict.PASSWORD


class Modules:
    """A plugin with a tile for guardians, one for staff, and a 我的 link."""

    @hookimpl
    def plugin_info(self):
        return PluginInfo(id="demo_mod", title_zh="示例", title_en="Demo",
                          requires_core=">=0.1")

    @hookimpl
    def nav_items(self, actor):
        items = []
        if actor.children:
            items += [
                NavItem("demo_mod", "竞赛报名", "Competitions", "/demo_mod/", order=10,
                        badge=2),
                NavItem("demo_mod", "我的作品", "My works", "/demo_mod/mine", placement="me"),
            ]
        if authorize(actor, "core.cockpit.school"):
            items.append(NavItem("demo_mod", "报名审核", "Review", "/demo_mod/review",
                                 order=20))
        return items


@pytest.fixture
async def modules_client(make_platform, make_client):
    platform = await make_platform([Modules()])
    district = await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        client.district = district
        client.platform = platform
        yield client


def tiles(html: str) -> list[str]:
    return re.findall(r'<span class="tile-title">([^<]+)</span>', html)


async def test_api_me_returns_person_roles_children_and_no_child_until_one_is_chosen(
        client, district):
    await login(client, "parent", PASSWORD)

    body = (await client.get("/api/v1/me")).json()

    assert body["person"] == {"id": district.ids["parent"], "name": "王大明", "kind": "guardian"}
    assert body["roles"] == [{"role": "guardian", "org_id": district.ids["district"],
                              "title": "家长"}]
    assert sorted(c["id"] for c in body["children"]) == sorted(
        [district.ids["child_1"], district.ids["child_2"]])
    assert body["acting_child"] is None
    assert body["csrf_token"]


async def test_api_me_needs_sign_in(client, district):
    response = await client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == {"error": {"code": "sign_in_required", "message": "请先登录"}}


async def test_guardian_of_one_child_acts_for_that_child_at_once(client, district):
    await login(client, "parent_b", PASSWORD)

    body = (await client.get("/api/v1/me")).json()

    assert body["acting_child"]["id"] == district.ids["child_b"]


async def test_guardian_chooses_the_child_to_act_for(client, district):
    await login(client, "parent", PASSWORD)

    chosen = await client.post("/api/v1/me/acting-child",
                               json={"child_id": district.ids["child_2"]})
    me = (await client.get("/api/v1/me")).json()

    assert chosen.status_code == 200
    assert chosen.json()["acting_child"]["name"] == "王小红"
    assert me["acting_child"]["id"] == district.ids["child_2"]


async def test_choosing_another_familys_child_is_403_and_changes_nothing(client, district):
    await login(client, "parent", PASSWORD)
    await client.post("/api/v1/me/acting-child", json={"child_id": district.ids["child_1"]})

    response = await client.post("/api/v1/me/acting-child",
                                 json={"child_id": district.ids["child_b"]})

    assert response.status_code == 403
    assert response.json() == {"error": {"code": "not_your_child",
                                         "message": "只能选择自己的孩子"}}
    me = (await client.get("/api/v1/me")).json()
    assert me["acting_child"]["id"] == district.ids["child_1"]


async def test_acting_child_with_a_non_integer_id_is_422(client, district):
    await login(client, "parent", PASSWORD)

    response = await client.post("/api/v1/me/acting-child", json={"child_id": "1"})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "字段 child_id 应为 integer"


async def test_acting_child_form_switches_and_returns_to_me(client, district):
    await login(client, "parent", PASSWORD)

    response = await client.post("/me/acting-child",
                                 data={"child_id": str(district.ids["child_2"])})
    me = await client.get("/me")

    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    assert re.search(rf'value="{district.ids["child_2"]}"\s+class="child current" '
                     r'aria-current="true"', me.text)


async def test_acting_child_form_for_another_familys_child_shows_a_403_page(client, district):
    await login(client, "parent", PASSWORD)

    response = await client.post("/me/acting-child",
                                 data={"child_id": str(district.ids["child_b"])})

    assert response.status_code == 403
    assert '<h1 id="error-title">只能选择自己的孩子</h1>' in response.text


async def test_me_page_lists_the_children_with_school_and_class(client, district):
    await login(client, "parent", PASSWORD)

    html = (await client.get("/me")).text

    assert "王小明" in html and "王小红" in html
    assert "甲小学 三(1)班" in html and "甲小学 三(2)班" in html
    assert "李小华" not in html
    assert '<legend>选择要办理的孩子</legend>' in html


async def test_me_page_shows_role_titles_not_role_codes(client, district):
    await login(client, "head_a", PASSWORD)

    html = (await client.get("/me")).text

    assert '<span class="tag">学校管理员</span>' in html
    assert "school_admin" not in html


async def test_me_page_links_to_the_inbox_with_the_unread_count(client, district, platform):
    async with platform.db.transaction() as session:
        await notify(session, [district.ids["parent"]] * 1, source="core", title="甲")
        await notify(session, [district.ids["parent"]], source="core", title="乙")
    await login(client, "parent", PASSWORD)

    html = (await client.get("/me")).text

    assert re.search(r'<a class="inbox-link" href="/me/inbox">消息 '
                     r'<span class="badge">2 条未读</span></a>', html)


async def test_hook_nav_items_me_placement_becomes_links_on_the_me_page(modules_client):
    await login(modules_client, "parent", PASSWORD)

    html = (await modules_client.get("/me")).text

    assert '<li><a href="/demo_mod/mine">我的作品</a></li>' in html
    assert "竞赛报名" not in html  # a home tile, not a 我的 link


async def test_hook_nav_items_home_tiles_follow_the_viewer(modules_client):
    await login(modules_client, "parent", PASSWORD)
    guardian = tiles((await modules_client.get("/")).text)
    await login(modules_client, "head_a", PASSWORD)
    head = tiles((await modules_client.get("/")).text)

    assert guardian == ["竞赛报名"]
    assert head == ["报名审核", "数据驾驶舱"]


async def test_hook_nav_items_tile_badge_is_announced(modules_client):
    await login(modules_client, "parent", PASSWORD)

    html = (await modules_client.get("/")).text

    assert '<span class="badge"><span class="visually-hidden">待办 </span>2</span>' in html


async def test_hook_nav_items_of_a_disabled_plugin_are_not_shown(make_platform, make_client):
    platform = await make_platform([Modules()], disabled_plugins=("demo_mod",))
    await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        await login(client, "parent", PASSWORD)
        html = (await client.get("/")).text

    assert tiles(html) == []
    assert "暂无可用的功能模块。" in html


async def test_hook_nav_items_in_english_use_the_english_titles(modules_client):
    await login(modules_client, "parent", PASSWORD)

    html = (await modules_client.get("/?lang=en")).text

    assert tiles(html) == ["Competitions"]


async def test_home_page_greets_the_guardian_and_asks_to_choose_a_child(client, district):
    await login(client, "parent", PASSWORD)

    html = (await client.get("/")).text

    assert "你好，王大明" in html
    assert '<a class="button" href="/me">请先选择孩子</a>' in html


async def test_home_page_names_the_acting_child_in_the_top_bar(client, district):
    await login(client, "parent", PASSWORD)
    await client.post("/api/v1/me/acting-child", json={"child_id": district.ids["child_1"]})

    html = (await client.get("/")).text

    assert "正在为 王小明 办理" in html
    assert ('<a href="/me" class="child-chip"><span class="visually-hidden">当前孩子：'
            '</span>王小明</a>') in html


async def test_home_page_for_a_visitor_offers_sign_in(client, district):
    html = (await client.get("/")).text

    assert '<a class="button" href="/login">登录</a>' in html
    assert 'href="/me"' not in html


async def test_tab_bar_marks_the_current_page(client, district):
    await login(client, "parent", PASSWORD)

    html = (await client.get("/me")).text

    assert '<a href="/me" aria-current="page">' in html
    assert '<a href="/" aria-current="page">' not in html
