"""The cockpit: who sees which scope, and widgets that fail without breaking the page."""

import re

import pytest
from bangyaer import PluginInfo, Widget, WidgetData, hookimpl
from bangyaer.testing import TinyDistrict, login

pytestmark = pytest.mark.anyio
PASSWORD = TinyDistrict.PASSWORD


class Widgets:
    """One working widget that reports its scope, and one that raises."""

    def __init__(self):
        self.scopes = []

    @hookimpl
    def plugin_info(self):
        return PluginInfo(id="demo_cockpit", title_zh="驾驶舱示例", title_en="Cockpit demo",
                          requires_core=">=0.1")

    @hookimpl
    def dashboard_widgets(self, scope):
        self.scopes.append(scope)

        async def scope_kind(session, scope):
            return WidgetData(value=7, note=scope.kind)

        async def broken(session, scope):
            raise RuntimeError("the data source is down")

        return [
            Widget("demo_cockpit.kind", "范围示例", "Scope demo", "number", scope_kind, order=1),
            Widget("demo_cockpit.broken", "坏组件", "Broken", "table", broken, order=2),
        ]


@pytest.fixture
async def cockpit(make_platform, make_client):
    plugin = Widgets()
    platform = await make_platform([plugin])
    district = await TinyDistrict().build(platform)
    async with make_client(platform) as client:
        client.district = district
        client.plugin = plugin
        yield client


def widget_ids(body):
    return [w["id"] for w in body["widgets"]]


async def test_district_role_sees_the_district_scope(client, district):
    await login(client, "staff", PASSWORD)

    body = (await client.get("/api/v1/dashboard")).json()

    assert body["scope"] == {"kind": "district", "org_id": district.ids["district"]}
    assert widget_ids(body) == ["core.schools", "core.active_accounts",
                                "core.students_by_school"]


async def test_district_role_may_look_at_one_school(client, district):
    await login(client, "admin", PASSWORD)

    body = (await client.get("/api/v1/dashboard",
                             params={"school": district.ids["school_b"]})).json()

    assert body["scope"] == {"kind": "school", "org_id": district.ids["school_b"]}
    students = next(w for w in body["widgets"] if w["id"] == "core.students_by_school")
    assert students["data"]["rows"] == [["乙中学", "初中", 1]]


async def test_school_admin_gets_their_own_school(client, district):
    await login(client, "head_a", PASSWORD)

    body = (await client.get("/api/v1/dashboard")).json()

    assert body["scope"] == {"kind": "school", "org_id": district.ids["school_a"]}
    assert "core.schools" not in widget_ids(body)


async def test_school_admin_asking_for_another_school_is_403(client, district):
    await login(client, "head_a", PASSWORD)

    response = await client.get("/api/v1/dashboard", params={"school": district.ids["school_b"]})

    assert response.status_code == 403
    assert response.json() == {"error": {"code": "forbidden", "message": "只能查看本校的数据"}}


async def test_school_admin_asking_for_another_school_page_is_a_403_page(client, district):
    await login(client, "head_a", PASSWORD)

    response = await client.get("/dashboard", params={"school": district.ids["school_b"]})

    assert response.status_code == 403
    assert '<h1 id="error-title">只能查看本校的数据</h1>' in response.text


async def test_unknown_school_is_404(client, district):
    await login(client, "admin", PASSWORD)

    response = await client.get("/api/v1/dashboard", params={"school": 999999})

    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "没有这所学校"}


async def test_school_parameter_must_be_a_number(client, district):
    await login(client, "admin", PASSWORD)

    response = await client.get("/api/v1/dashboard", params={"school": "A"})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "参数 school 应为数字"


@pytest.mark.parametrize("username", ["parent", "teacher_a", "judge"])
async def test_roles_without_a_cockpit_are_403(client, district, username):
    await login(client, username, PASSWORD)

    response = await client.get("/api/v1/dashboard")

    assert response.status_code == 403
    assert response.json()["error"] == {"code": "forbidden", "message": "没有权限执行此操作"}


async def test_cockpit_page_for_a_guardian_is_a_friendly_403(client, district):
    await login(client, "parent", PASSWORD)

    response = await client.get("/dashboard")

    assert response.status_code == 403
    assert '<h1 id="error-title">没有权限访问此页面</h1>' in response.text


async def test_cockpit_page_for_a_visitor_asks_to_sign_in(client, district):
    response = await client.get("/dashboard")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/dashboard"


async def test_hook_dashboard_widgets_receive_the_scope(cockpit):
    await login(cockpit, "head_b", PASSWORD)

    await cockpit.get("/api/v1/dashboard")

    assert [(s.kind, s.org_id) for s in cockpit.plugin.scopes] == [
        ("school", cockpit.district.ids["school_b"])]


async def test_hook_dashboard_widgets_broken_widget_shows_an_error_box(cockpit):
    await login(cockpit, "staff", PASSWORD)

    response = await cockpit.get("/dashboard")

    assert response.status_code == 200
    html = response.text
    broken = html[html.index("坏组件"):]
    assert '<p class="error widget-error">此组件暂时无法加载。</p>' in broken[:300]
    assert re.search(r'<p class="big-number">7 <span class="muted">district</span></p>', html)
    assert "各校学生数（按学段）" in html  # the widgets after it still load


async def test_hook_dashboard_widgets_broken_widget_is_flagged_in_json(cockpit):
    await login(cockpit, "staff", PASSWORD)

    body = (await cockpit.get("/api/v1/dashboard")).json()

    broken = next(w for w in body["widgets"] if w["id"] == "demo_cockpit.broken")
    working = next(w for w in body["widgets"] if w["id"] == "demo_cockpit.kind")
    assert broken == {"id": "demo_cockpit.broken", "title": "坏组件", "kind": "table",
                      "ok": False, "data": None}
    assert working["data"]["value"] == 7


async def test_cockpit_page_offers_the_district_and_each_school(client, district):
    await login(client, "admin", PASSWORD)

    html = (await client.get("/dashboard")).text

    assert '<option value="">全区</option>' in html
    assert f'<option value="{district.ids["school_a"]}">甲小学</option>' in html
    assert '<label for="school">范围</label>' in html
