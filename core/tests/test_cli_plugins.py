"""``bangyaer plugins list|enable|disable``."""

from __future__ import annotations

import json
import re

import pytest
from bangyaer.cli import main
from bangyaer.testing import installed_plugin_ids, write_config, write_files
from click.testing import CliRunner

SECRET = "test-secret-key-0123456789"

PLUGIN = """
from bangyaer import PluginInfo, Routes, hookimpl

@hookimpl
def plugin_info():
    return PluginInfo({id!r}, "示例", "Example", {core!r})
{extra}
"""
RAISING_ROUTES = """
@hookimpl
def routes():
    raise RuntimeError("templates missing")
"""


@pytest.fixture
def installed(tmp_path, install_plugin, bangyaer_home, bangyaer_database_url):
    """Four plugins, one per status, and a config that leaves the rest of the world out."""
    src = tmp_path / "src"
    for plugin_id, core, extra in (("alpha", ">=0.1", ""), ("beta", ">=0.1", ""),
                                   ("gamma", ">=5", ""), ("delta", ">=0.1", RAISING_ROUTES)):
        write_files(src, {f"bangyaer_{plugin_id}/__init__.py": PLUGIN.format(
            id=plugin_id, core=core, extra=extra)})
        install_plugin(plugin_id, f"bangyaer_{plugin_id}", path=src, version="1.2.3")
    ours = {"alpha", "beta", "gamma", "delta"}
    write_config(bangyaer_home, secret_key=SECRET, database_url=bangyaer_database_url,
                 disabled=(installed_plugin_ids() - ours) | {"beta"})
    return bangyaer_home


def invoke(home, *args):
    return CliRunner().invoke(main, ["--data-dir", str(home), *args], catch_exceptions=False)


def rows_by_id(home):
    return {row["id"]: row for row in json.loads(invoke(home, "plugins", "list", "--json").output)}


def test_plugins_list_json_shows_each_status_with_its_reason(installed):
    rows = rows_by_id(installed)
    wanted = ("distribution", "version", "status", "reason")
    assert {pid: tuple(rows[pid][k] for k in wanted) for pid in ("alpha", "beta", "gamma",
                                                                   "delta")} == {
        "alpha": ("bangyaer-alpha", "1.2.3", "enabled", ""),
        "beta": ("bangyaer-beta", "1.2.3", "disabled", "disabled in the configuration"),
        "gamma": ("bangyaer-gamma", "1.2.3", "incompatible", "needs bangyaer >=5, this is 0.1.0"),
        "delta": ("bangyaer-delta", "1.2.3", "broken",
                  "routes() raised RuntimeError: templates missing"),
    }
    assert rows["core"]["status"] == "enabled"


def test_plugins_list_prints_a_table_of_id_distribution_version_status_reason(installed):
    lines = invoke(installed, "plugins", "list").output.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["id", "distribution", "version", "status",
                                            "reason"]
    delta = next(line for line in lines if line.startswith("delta "))
    assert re.split(r"\s{2,}", delta) == [
        "delta", "bangyaer-delta", "1.2.3", "broken",
        "routes() raised RuntimeError: templates missing"]


CONFIG = """\
# Operator's notes: keep this file in the backup.
[bangyaer]
secret_key = "{secret}"  # rotated 2026-09
database_url = "{url}"

[plugins]
# Turned off until the new term.
disabled = [{disabled}]
"""


@pytest.fixture
def commented(installed, bangyaer_database_url):
    others = [*sorted(installed_plugin_ids() - {"alpha", "beta", "gamma", "delta"}), "beta"]
    others = ", ".join(f'"{x}"' for x in others)
    path = installed / "bangyaer.toml"
    path.write_text(CONFIG.format(secret=SECRET, url=bangyaer_database_url, disabled=others))
    return path


def test_plugins_disable_adds_the_id_and_keeps_comments(commented):
    result = invoke(commented.parent, "plugins", "disable", "alpha")
    text = commented.read_text()
    assert result.output == "alpha: disabled (restart the server and the worker to apply)\n"
    assert "# Operator's notes: keep this file in the backup." in text
    assert "# rotated 2026-09" in text
    assert "# Turned off until the new term." in text
    assert rows_by_id(commented.parent)["alpha"]["status"] == "disabled"


def test_plugins_enable_removes_the_id(commented):
    result = invoke(commented.parent, "plugins", "enable", "beta")
    assert result.output == "beta: enabled (restart the server and the worker to apply)\n"
    assert rows_by_id(commented.parent)["beta"]["status"] == "enabled"
    assert "# Turned off until the new term." in commented.read_text()


def test_plugins_disable_twice_says_so_and_changes_nothing(commented):
    before = commented.read_text()
    assert invoke(commented.parent, "plugins", "disable", "beta").output == (
        "beta: already disabled\n")
    assert commented.read_text() == before


def test_plugins_disable_of_an_unknown_id_names_the_installed_ones(installed):
    result = invoke(installed, "plugins", "disable", "zeta")
    assert result.exit_code == 1
    installed_ids = sorted(installed_plugin_ids() | {"alpha", "beta", "gamma", "delta"})
    assert result.output == (f"Error: no plugin 'zeta' is installed (installed: "
                             f"{', '.join(installed_ids)})\n")


def test_plugins_enable_of_an_uninstalled_but_listed_id_cleans_the_list(
        installed, bangyaer_database_url):
    write_config(installed, secret_key=SECRET, database_url=bangyaer_database_url,
                 disabled=["gone"])
    assert invoke(installed, "plugins", "enable", "gone").exit_code == 0
    assert "gone" not in (installed / "bangyaer.toml").read_text()


def test_the_core_cannot_be_disabled(installed):
    result = invoke(installed, "plugins", "disable", "core")
    assert (result.exit_code, result.output) == (1, "Error: the core cannot be disabled\n")


def test_plugins_disable_without_a_config_file_creates_one(tmp_path, install_plugin,
                                                           monkeypatch):
    write_files(tmp_path / "src", {"bangyaer_alpha/__init__.py": PLUGIN.format(
        id="alpha", core=">=0.1", extra="")})
    install_plugin("alpha", "bangyaer_alpha", path=tmp_path / "src")
    home = tmp_path / "fresh"
    monkeypatch.delenv("BANGYAER_SECRET_KEY", raising=False)
    assert invoke(home, "plugins", "disable", "alpha").exit_code == 0
    assert (home / "bangyaer.toml").read_text() == '[plugins]\ndisabled = ["alpha"]\n'
