"""Contribution hooks called through the host: plugin_info, models, routes, permissions,
the provider registries and demo_data. (commands: test_cli; settings_schema:
test_settings; migrations: test_migrations.)"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from bangyaer import Permission, Routes
from bangyaer.identity import Actor, Grant, Organisation, OrgKind, add_organisation, authorize
from bangyaer.testing import build_plugin, installed_plugin_ids, write_files
from sqlalchemy import inspect, select
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

# -- plugin_info ---------------------------------------------------------------


async def test_hook_plugin_info_is_what_the_host_records_and_lists(make_platform):
    plugin = build_plugin("hello", title_zh="你好", title_en="Hello",
                          requires_core=">=0.1,<0.2", category="integration")
    platform = await make_platform([plugin], schema=False)
    row = platform.host.records["hello"].as_dict()
    assert {k: row[k] for k in ("id", "status", "title_zh", "title_en", "category",
                                "requires_core")} == {
        "id": "hello", "status": "enabled", "title_zh": "你好", "title_en": "Hello",
        "category": "integration", "requires_core": ">=0.1,<0.2"}


async def test_hook_plugin_info_of_the_core_pins_this_exact_version(make_platform):
    platform = await make_platform(schema=False)
    info = platform.host.records["core"].info
    assert (info.id, info.category, info.requires_core) == ("core", "core",
                                                            f"=={platform.host.core}")


# -- models ----------------------------------------------------------------------

MODELS_PLUGIN = {
    "bangyaer_{id}/__init__.py": """
        from bangyaer import PluginInfo, hookimpl
        from . import models as _models

        @hookimpl
        def plugin_info():
            return PluginInfo("{id}", "便签", "Notes", ">=0.1")

        @hookimpl
        def models():
            return [_models]
    """,
    "bangyaer_{id}/models.py": """
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column
        from bangyaer.db import Base

        class Note(Base):
            __tablename__ = "{table}"

            id: Mapped[int] = mapped_column(primary_key=True)
            text: Mapped[str] = mapped_column(String(200))
    """,
}


@pytest.fixture
def with_models(tmp_path, install_plugin):
    def install(plugin_id, table=None):
        files = {path.format(id=plugin_id): text.replace("{id}", plugin_id).replace(
            "{table}", table or f"{plugin_id}_note") for path, text in MODELS_PLUGIN.items()}
        install_plugin(plugin_id, f"bangyaer_{plugin_id}",
                       path=write_files(tmp_path / plugin_id, files))

    return install


async def tables(platform):
    async with platform.db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_hook_models_tables_of_enabled_plugins_only_are_created(with_models, make_platform):
    with_models("memo")
    with_models("diary")
    disabled = tuple(sorted(installed_plugin_ids() - {"memo"}))
    platform = await make_platform(discover=True, disabled_plugins=disabled)
    found = await tables(platform)
    assert "memo_note" in found
    assert "diary_note" not in found
    assert "core_person" in found


async def test_hook_models_table_without_the_plugin_prefix_breaks_the_plugin(
        with_models, make_platform):
    with_models("memo", table="note")
    disabled = tuple(sorted(installed_plugin_ids() - {"memo"}))
    platform = await make_platform(discover=True, disabled_plugins=disabled)
    record = platform.host.records["memo"]
    assert (record.status, record.reason) == (
        "broken", "table 'note' must be prefixed with the plugin id: memo_note")
    assert "note" not in await tables(platform)


async def test_hook_models_returning_something_else_breaks_the_plugin(make_platform):
    platform = await make_platform([build_plugin("odd", models=lambda: 42)], schema=False)
    assert platform.host.records["odd"].reason == "models() must return a list of modules"


# -- routes ----------------------------------------------------------------------


async def hello_page(request):
    return PlainTextResponse("你好")


async def hello_ping(request):
    return JSONResponse({"pong": True})


def hello_routes():
    return Routes(pages=[Route("/", hello_page)], api=[Route("/ping", hello_ping)])


async def test_hook_routes_pages_and_api_are_mounted_under_the_plugin_id(
        make_platform, make_client):
    platform = await make_platform([build_plugin("hello", routes=hello_routes)])
    async with make_client(platform) as client:
        page = await client.get("/hello/")
        api = await client.get("/api/v1/hello/ping")
    assert (page.status_code, page.text) == (200, "你好")
    assert (api.status_code, api.json()) == (200, {"pong": True})


async def test_hook_routes_of_a_disabled_plugin_answer_404(make_platform, make_client):
    platform = await make_platform([build_plugin("hello", routes=hello_routes)],
                                   disabled_plugins=("hello",))
    async with make_client(platform) as client:
        page = await client.get("/hello/")
        api = await client.get("/api/v1/hello/ping")
    assert page.status_code == 404
    assert (api.status_code, api.json()["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize(("routes", "reason"), [
    pytest.param(lambda: [Route("/", hello_page)], "routes() returned list, not bangyaer.Routes",
                 id="list"),
    pytest.param(lambda: Routes(pages=["/"]), "routes(): '/' is not a Starlette route",
                 id="not-a-route"),
])
async def test_hook_routes_returning_something_else_breaks_the_plugin(
        make_platform, make_client, routes, reason):
    platform = await make_platform([build_plugin("hello", routes=routes)])
    async with make_client(platform) as client:
        home = await client.get("/")
    assert (platform.host.records["hello"].status, platform.host.records["hello"].reason) == (
        "broken", reason)
    assert home.status_code == 200


# -- permissions -----------------------------------------------------------------


def teacher_at(platform, path="/1/2/"):
    return Actor(registry=platform.permissions, account_id=1,
                 grants=(Grant("teacher", 2, path),))


async def test_hook_permissions_default_roles_hold_the_permission(make_platform):
    plugin = build_plugin("hello", permissions=lambda: [
        Permission("hello.view", "查看", "View", ("teacher",))])
    platform = await make_platform([plugin], schema=False)
    assert authorize(teacher_at(platform), "hello.view", "/1/2/9/")
    assert platform.permissions.owner("hello.view") == "hello"


@pytest.mark.parametrize(("perms", "reason"), [
    pytest.param([Permission("hello.view", "查看", "View", ("principal",))],
                 "permissions(): permission 'hello.view' names unknown role(s) ['principal']; "
                 "expected some of ['district_admin', 'district_staff', 'school_admin', "
                 "'teacher', 'judge', 'guardian']", id="role"),
    pytest.param([Permission("core.cockpit.district", "驾驶舱", "Cockpit")],
                 "permissions(): permission 'core.cockpit.district' must be named "
                 "'hello.<what>' in lower case, e.g. 'notices.publish'", id="foreign-name"),
    pytest.param([Permission("hello.view", "查看", "View")] * 2,
                 "permissions(): permission 'hello.view' is defined twice by 'hello'",
                 id="twice"),
])
async def test_hook_permissions_that_break_a_rule_break_the_plugin_and_add_nothing(
        make_platform, perms, reason):
    platform = await make_platform([build_plugin("hello", permissions=lambda: perms)],
                                   schema=False)
    assert (platform.host.records["hello"].status, platform.host.records["hello"].reason) == (
        "broken", reason)
    assert "hello.view" not in platform.permissions
    assert platform.permissions.owner("core.cockpit.district") == "core"


# -- registries collected by id ----------------------------------------------------


@dataclass(frozen=True)
class Provided:
    id: str
    title: str


async def registry_of(make_platform, hook):
    first = build_plugin("first", **{hook: lambda: [Provided("essay", "征文"),
                                                    Provided("drawing", "绘画")]})
    second = build_plugin("second", **{hook: lambda: [Provided("essay", "另一个征文"),
                                                      Provided("video", "视频"), object()]})
    gone = build_plugin("gone", **{hook: lambda: [Provided("dance", "舞蹈")]})
    platform = await make_platform([first, second, gone], schema=False,
                                   disabled_plugins=("gone",))
    return platform.host.collect_by_id(hook)


def titles(found):
    return {key: item.title for key, item in found.items()}


async def test_hook_activity_types_are_collected_by_id_and_a_duplicate_is_refused(
        make_platform):
    found = await registry_of(make_platform, "activity_types")
    assert titles(found) == {"essay": "征文", "drawing": "绘画", "video": "视频"}


async def test_hook_payment_providers_are_collected_by_id_and_a_duplicate_is_refused(
        make_platform):
    found = await registry_of(make_platform, "payment_providers")
    assert titles(found) == {"essay": "征文", "drawing": "绘画", "video": "视频"}


async def test_hook_invoice_providers_are_collected_by_id_and_a_duplicate_is_refused(
        make_platform):
    found = await registry_of(make_platform, "invoice_providers")
    assert titles(found) == {"essay": "征文", "drawing": "绘画", "video": "视频"}


# -- demo_data -------------------------------------------------------------------


async def add_school(session, district, code):
    await add_organisation(session, kind=OrgKind.school, code=code, name=f"{code}小学",
                           parent=district, stage="primary")


def boom(session, district):
    raise RuntimeError("no demo today")


async def test_hook_demo_data_runs_every_plugin_in_one_session_and_skips_a_failing_one(
        make_platform):
    async def demo_async(session, district):
        await add_school(session, district, "ASYNC")

    def demo_sync(session, district):
        session.add(Organisation(kind="school", code="SYNC", name="同步小学",
                                 parent_id=district.id, path=f"{district.path}99/"))

    plugins = [build_plugin("one", demo_data=demo_async), build_plugin("two", demo_data=boom),
               build_plugin("three", demo_data=demo_sync)]
    platform = await make_platform(plugins)
    async with platform.db.transaction() as session:
        district = await add_organisation(session, kind=OrgKind.district, code="D", name="区")
        await platform.host.acall("demo_data", session=session, district=district)
    async with platform.db.session() as session:
        codes = set(await session.scalars(select(Organisation.code).where(
            Organisation.kind == OrgKind.school)))
    assert codes == {"ASYNC", "SYNC"}
    assert platform.host.is_enabled("two")
