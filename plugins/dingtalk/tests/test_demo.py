"""The demo: schools linked to sandbox corps, the workbench, and one server for both."""

from __future__ import annotations

import bangyaer_dingtalk.plugin as dingtalk_plugin
import pytest
from bangyaer.identity import ExternalIdentity, Organisation, district_of
from bangyaer_dingtalk._demo import demo_corp_id
from bangyaer_dingtalk._sync import sync
from sqlalchemy import select

from .conftest import small_district


@pytest.fixture
async def demo(make_platform, make_client):
    platform = await make_platform(plugins=[dingtalk_plugin],
                                   plugin_settings={"dingtalk": {"sandbox": True}})
    ids = await small_district(platform)
    async with platform.db.transaction() as s:
        district = await district_of(s)
        await platform.host.acall("demo_data", session=s, district=district)
    async with make_client(platform) as client:
        client.platform, client.ids = platform, ids
        yield client


async def corp_a(client) -> str:
    async with client.platform.db.session() as s:
        return demo_corp_id(await s.get(Organisation, client.ids["school_a"]))


async def test_hook_demo_data_gives_demo_guardians_a_dingtalk_identity(demo):
    async with demo.platform.db.session() as s:
        identity = await s.scalar(select(ExternalIdentity).where(
            ExternalIdentity.account_id == demo.ids["parent_account"]))
    assert (identity.provider, identity.tenant) == ("dingtalk", await corp_a(demo))


async def test_the_workbench_lists_demo_guardians_to_open_the_app_as(demo):
    r = await demo.get("/dingtalk/workbench")
    assert r.status_code == 200
    corp = await corp_a(demo)
    assert "王大明 · 家长" in r.text
    assert f"/dingtalk/open?corpId={corp}&amp;sandbox_user=g{demo.ids['parent']}" in r.text


async def test_the_homepage_uses_the_sandbox_jsapi_shim_in_the_demo(demo):
    corp = await corp_a(demo)
    r = await demo.get(f"/dingtalk/open?corpId={corp}&sandbox_user=g1")
    assert '<script src="/static/dingtalk/sandbox-jsapi.js" data-user="g1" defer>' in r.text


async def test_a_demo_guardian_signs_in_through_the_mounted_sandbox_without_a_password(demo):
    corp = await corp_a(demo)
    page = await demo.get("/dingtalk/workbench")  # starts the session, as the browser does
    token = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    demo.headers["X-CSRF-Token"] = token
    code = await demo.post("/dingtalk/_sandbox/_sandbox/auth-codes",
                           json={"corp_id": corp, "userid": f"g{demo.ids['parent']}"})
    r = await demo.post("/api/v1/dingtalk/login", json={"corp_id": corp,
                                                       "code": code.json()["code"]})
    assert r.status_code == 200 and r.json()["person"]["name"] == "王大明"
    demo.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    me = (await demo.get("/api/v1/me")).json()
    assert sorted(c["name"] for c in me["children"]) == ["王小明", "王小红"]


async def test_a_roster_sync_against_the_demo_sandbox_changes_nothing(demo):
    reports = await sync(demo.platform)
    assert [(r.added, r.updated, r.deactivated, r.errors) for r in reports] == [(0, 0, 0, 0)]


async def test_without_sandbox_mode_the_workbench_and_sandbox_do_not_exist(dt_platform,
                                                                        make_client):
    platform = await dt_platform("A")
    async with make_client(platform) as client:
        assert (await client.get("/dingtalk/workbench")).status_code == 404
        r = await client.get("/dingtalk/_sandbox/gettoken?appkey=key-A&appsecret=secret-A")
        assert r.status_code == 404


def test_the_packaged_demo_fixture_is_a_valid_directory():
    from bangyaer_dingtalk.sandbox import DEMO_FIXTURE, Sandbox, load_fixture_file

    sandbox = Sandbox(load_fixture_file(DEMO_FIXTURE))
    assert [c.school_code for c in sandbox.corps()] == ["DEMO1", "DEMO2"]
