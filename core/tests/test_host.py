"""The plugin host: discovery through entry points, and every way a plugin is left out."""

from __future__ import annotations

import pytest
from bangyaer import Routes
from bangyaer._host import PluginError
from bangyaer.platform import Platform
from bangyaer.testing import build_plugin, installed_plugin_ids, write_files

HELLO = """
from bangyaer import PluginInfo, hookimpl

@hookimpl
def plugin_info():
    return PluginInfo(id={id!r}, title_zh="你好", title_en="Hello", requires_core={core!r})
{extra}
"""


def write_plugin(root, package, plugin_id, *, core=">=0.1,<0.2", extra=""):
    write_files(root, {f"{package}/__init__.py": HELLO.format(id=plugin_id, core=core,
                                                              extra=extra)})
    return root


def only(*ids):
    """Settings overrides that leave every other installed plugin disabled."""
    return {"disabled_plugins": tuple(sorted(installed_plugin_ids() - set(ids)))}


async def discovered(make_platform, *ids) -> Platform:
    return await make_platform(discover=True, schema=False, **only(*ids))


async def test_installed_plugin_is_found_through_its_entry_point(
        tmp_path, install_plugin, make_platform):
    install_plugin("hello", "bangyaer_hello", path=write_plugin(tmp_path / "src", "bangyaer_hello",
                                                                "hello"), version="0.3.0")
    platform = await discovered(make_platform, "hello")
    record = platform.host.records["hello"]
    assert (record.status, record.distribution, record.version) == (
        "enabled", "bangyaer-hello", "0.3.0")
    assert platform.host.pm.has_plugin("hello")


async def test_entry_point_may_name_an_object_inside_a_module(
        tmp_path, install_plugin, make_platform):
    write_files(tmp_path / "src", {"bangyaer_obj/__init__.py": """
        from bangyaer import PluginInfo, hookimpl

        class Plugin:
            @hookimpl
            def plugin_info(self):
                return PluginInfo("obj", "对象", "Object", ">=0.1")

        plugin = Plugin()
    """})
    install_plugin("obj", "bangyaer_obj:plugin", path=tmp_path / "src")
    platform = await discovered(make_platform, "obj")
    assert platform.host.records["obj"].status == "enabled"


async def test_plugin_outside_the_core_range_is_incompatible(
        tmp_path, install_plugin, make_platform):
    install_plugin("future", "bangyaer_future", path=write_plugin(
        tmp_path / "src", "bangyaer_future", "future", core=">=9.0"))
    platform = await discovered(make_platform, "future")
    record = platform.host.records["future"]
    assert (record.status, record.reason) == ("incompatible",
                                              "needs bangyaer >=9.0, this is 0.1.0")
    assert not platform.host.pm.has_plugin("future")


async def test_plugin_that_fails_to_import_is_broken(tmp_path, install_plugin, make_platform):
    write_files(tmp_path / "src", {"bangyaer_noimport/__init__.py": "import zzz_not_there\n"})
    install_plugin("noimport", "bangyaer_noimport", path=tmp_path / "src")
    platform = await discovered(make_platform, "noimport")
    record = platform.host.records["noimport"]
    assert (record.status, record.reason, record.distribution) == (
        "broken",
        "import of 'bangyaer_noimport' failed: ModuleNotFoundError: "
        "No module named 'zzz_not_there'",
        "bangyaer-noimport")


async def test_plugin_failing_pluggy_validation_is_broken(
        tmp_path, install_plugin, make_platform):
    extra = "\n@hookimpl\ndef nav_items(user):\n    return []\n"
    install_plugin("badargs", "bangyaer_badargs", path=write_plugin(
        tmp_path / "src", "bangyaer_badargs", "badargs", extra=extra))
    platform = await discovered(make_platform, "badargs")
    record = platform.host.records["badargs"]
    assert record.status == "broken"
    assert record.reason.startswith("hook validation failed: Plugin 'badargs' for hook "
                                    "'nav_items'")
    assert "user" in record.reason
    assert not platform.host.pm.has_plugin("badargs")


async def test_plugin_implementing_an_unknown_hook_is_broken(
        tmp_path, install_plugin, make_platform):
    extra = "\n@hookimpl\ndef dashboard_widget(scope):\n    return []\n"
    install_plugin("typo", "bangyaer_typo", path=write_plugin(
        tmp_path / "src", "bangyaer_typo", "typo", extra=extra))
    platform = await discovered(make_platform, "typo")
    record = platform.host.records["typo"]
    assert (record.status, record.reason) == (
        "broken", "implements unknown hook(s) dashboard_widget; "
                  "see bangyaer.hookspecs for the hooks there are")
    assert not platform.host.pm.has_plugin("typo")


async def test_entry_point_name_must_equal_the_plugin_id(
        tmp_path, install_plugin, make_platform):
    install_plugin("named", "bangyaer_named", path=write_plugin(
        tmp_path / "src", "bangyaer_named", "other"))
    platform = await discovered(make_platform, "named")
    record = platform.host.records["named"]
    assert (record.status, record.reason) == (
        "broken", "entry point is named 'named' but plugin_info() says id='other'; "
                  "they must be equal")
    assert not platform.host.pm.has_plugin("other")


async def test_second_plugin_with_a_taken_id_is_broken_and_the_first_runs(
        tmp_path, install_plugin, make_platform):
    write_plugin(tmp_path / "a", "bangyaer_twin_a", "twin")
    write_plugin(tmp_path / "b", "bangyaer_twin_b", "twin")
    install_plugin("twin", "bangyaer_twin_a", path=tmp_path / "a", distribution="bangyaer-twin")
    install_plugin("twin", "bangyaer_twin_b", path=tmp_path / "b",
                   distribution="bangyaer-twin-fork")
    platform = await discovered(make_platform, "twin")
    first, second = platform.host.records["twin"], platform.host.records["twin#2"]
    assert (first.status, first.distribution) == ("enabled", "bangyaer-twin")
    assert (second.status, second.reason, second.distribution) == (
        "broken", "id 'twin' is already taken by bangyaer-twin", "bangyaer-twin-fork")


async def test_plugin_may_not_take_the_core_id(tmp_path, install_plugin, make_platform):
    install_plugin("core", "bangyaer_fakecore", path=write_plugin(
        tmp_path / "src", "bangyaer_fakecore", "core"), distribution="bangyaer-fakecore")
    platform = await discovered(make_platform, "core")
    assert platform.host.records["core"].distribution == "bangyaer"
    assert platform.host.records["core#2"].reason == "id 'core' is already taken by bangyaer"


@pytest.mark.parametrize(("info", "reason"), [
    pytest.param('PluginInfo("Bad-Id", "坏", "Bad", ">=0.1")',
                 "plugin_info(): id 'Bad-Id' must match ^[a-z][a-z0-9_]{1,30}$", id="id"),
    pytest.param('PluginInfo("login", "登录", "Login", ">=0.1")',
                 "plugin_info(): id 'login' is reserved by the core; choose another",
                 id="reserved"),
    pytest.param('PluginInfo("badrange", "坏", "Bad", "0.1 or later")',
                 "plugin_info(): requires_core '0.1 or later' is not a version range like "
                 "'>=0.1,<0.2'", id="range"),
    pytest.param('PluginInfo("notitle", "", "Bad", ">=0.1")',
                 "plugin_info(): notitle needs both title_zh and title_en", id="title"),
    pytest.param('PluginInfo("badcat", "坏", "Bad", ">=0.1", category="game")',
                 "plugin_info(): category 'game' must be one of ['core', 'integration', "
                 "'module']", id="category"),
    pytest.param('{"id": "adict"}', "plugin_info() returned dict, not PluginInfo", id="type"),
    pytest.param('1 / 0', "plugin_info() raised ZeroDivisionError: division by zero",
                 id="raises"),
])
async def test_plugin_info_that_breaks_a_rule_leaves_the_plugin_out(
        tmp_path, install_plugin, make_platform, info, reason):
    write_files(tmp_path / "src", {"bangyaer_badinfo/__init__.py": f"""
        from bangyaer import PluginInfo, hookimpl

        @hookimpl
        def plugin_info():
            return {info}
    """})
    install_plugin("badinfo", "bangyaer_badinfo", path=tmp_path / "src")
    platform = await discovered(make_platform, "badinfo")
    record = platform.host.records["badinfo"]
    assert (record.status, record.reason) == ("broken", reason)


async def test_plugin_without_plugin_info_is_broken(tmp_path, install_plugin, make_platform):
    write_files(tmp_path / "src", {"bangyaer_noinfo/__init__.py": "VALUE = 1\n"})
    install_plugin("noinfo", "bangyaer_noinfo", path=tmp_path / "src")
    platform = await discovered(make_platform, "noinfo")
    assert platform.host.records["noinfo"].reason == (
        "has no plugin_info() hook; every plugin must declare one")


def boom(*_args):
    raise RuntimeError("boom")


@pytest.mark.parametrize("hook", [
    "models", "migrations", "permissions", "routes", "settings_schema", "job_handlers"])
async def test_plugin_raising_in_a_start_up_hook_is_broken_and_the_rest_runs(
        make_platform, hook):
    healthy = build_plugin("healthy", routes=lambda: Routes())
    platform = await make_platform([build_plugin("crashy", **{hook: boom}), healthy],
                                   schema=False)
    crashy = platform.host.records["crashy"]
    assert (crashy.status, crashy.reason) == ("broken", f"{hook}() raised RuntimeError: boom")
    assert platform.host.is_enabled("healthy")
    assert not platform.host.pm.has_plugin("crashy")


async def test_plugin_raising_at_request_time_is_skipped_for_that_call_only(make_platform):
    platform = await make_platform([build_plugin("flaky", nav_items=boom)], schema=False)
    assert platform.host.call("nav_items", actor=None) == []
    assert platform.host.is_enabled("flaky")


async def test_core_failing_at_start_up_is_fatal(make_platform):
    platform = await make_platform(schema=False)
    with pytest.raises(PluginError, match=r"^the core failed while starting: no database$"):
        platform.host.mark_broken("core", "no database")


async def test_disabled_plugin_is_recorded_and_its_hooks_are_not_called(make_platform):
    calls = []
    plugin = build_plugin("quiet", nav_items=lambda actor: calls.append(actor) or [],
                          permissions=lambda: calls.append("permissions") or [])
    platform = await make_platform([plugin], schema=False, disabled_plugins=("quiet",))
    platform.host.call("nav_items", actor=None)
    record = platform.host.records["quiet"]
    assert (record.status, record.reason) == ("disabled", "disabled in the configuration")
    assert calls == []
    assert platform.host.call_one("quiet", "nav_items", actor=None) is None


async def test_each_platform_has_its_own_plugin_manager(make_platform):
    with_plugin = await make_platform([build_plugin("solo")], schema=False)
    without = await make_platform(schema=False)
    assert with_plugin.host.pm is not without.host.pm
    assert with_plugin.host.pm.has_plugin("solo")
    assert not without.host.pm.has_plugin("solo")
