"""The ``bangyaer`` command line: data directory, init, db, serve, worker, plugin commands."""

from __future__ import annotations

import os
import stat
import tomllib

import pytest
from bangyaer.cli import _serve as serve_module
from bangyaer.cli import main
from bangyaer.platform import Platform
from bangyaer.settings import load_settings
from bangyaer.testing import installed_plugin_ids, write_config, write_files
from click.testing import CliRunner
from starlette.applications import Starlette

SECRET = "test-secret-key-0123456789"


@pytest.fixture
def home(bangyaer_home, bangyaer_database_url):
    """bangyaer_home with every plugin installed in the environment disabled."""
    write_config(bangyaer_home, secret_key=SECRET, database_url=bangyaer_database_url,
                 embedded_worker=False, disabled=installed_plugin_ids())
    return bangyaer_home


def invoke(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_init_writes_a_private_config_with_a_new_secret(tmp_path):
    result = invoke("--data-dir", str(tmp_path / "site"), "init")
    path = tmp_path / "site" / "bangyaer.toml"
    assert result.exit_code == 0
    assert result.output == (f"created {path}; next: bangyaer --data-dir {tmp_path / 'site'} "
                             "db upgrade\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = tomllib.loads(path.read_text())["bangyaer"]["secret_key"]
    assert len(secret) >= 32
    assert load_settings(tmp_path / "site", environ={}).secret_key == secret


def test_init_leaves_an_existing_config_alone(tmp_path):
    write_config(tmp_path, secret_key="kept-secret-0123456789")
    result = invoke("--data-dir", str(tmp_path), "init")
    assert result.output == f"{tmp_path / 'bangyaer.toml'} already exists; left unchanged\n"
    assert load_settings(tmp_path, environ={}).secret_key == "kept-secret-0123456789"


def test_data_dir_defaults_to_var_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BANGYAER_HOME", raising=False)
    invoke("init")
    assert (tmp_path / "var" / "bangyaer.toml").exists()


def test_data_dir_comes_from_bangyaer_home(tmp_path):
    invoke("init", env={"BANGYAER_HOME": str(tmp_path / "elsewhere")})
    assert (tmp_path / "elsewhere" / "bangyaer.toml").exists()


def test_bad_configuration_is_reported_without_a_traceback(tmp_path):
    write_config(tmp_path, secret_key=SECRET, debug="yes")
    result = invoke("--data-dir", str(tmp_path), "db", "upgrade")
    assert result.exit_code == 1
    assert result.output == (f"Error: configuration error: {tmp_path / 'bangyaer.toml'}: "
                             "[bangyaer] debug: expected true or false, found 'yes'\n")


def test_db_upgrade_reports_each_branch_and_then_that_it_is_up_to_date(home):
    first = invoke("--data-dir", str(home), "db", "upgrade")
    second = invoke("--data-dir", str(home), "db", "upgrade")
    assert first.output == (
        "core: core_0004 (applied core_0001, core_0002, core_0003, core_0004)\n")
    assert second.output == "core: core_0004 (up to date)\n"


def test_db_current_lists_the_revisions(home):
    invoke("--data-dir", str(home), "db", "upgrade")
    assert invoke("--data-dir", str(home), "db", "current").output == "core_0004\n"


def test_worker_once_runs_what_is_ready_and_exits(home):
    invoke("--data-dir", str(home), "db", "upgrade")
    result = invoke("--data-dir", str(home), "worker", "--once")
    assert (result.exit_code, result.output) == (0, "ran 0 jobs\n")


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, app, **kwargs):
        self.calls.append((app, kwargs))


@pytest.fixture
def uvicorn_run(monkeypatch):
    """Stands in for uvicorn.run so that no server is left listening."""
    recorder = Recorder()
    monkeypatch.setattr(serve_module.uvicorn, "run", recorder)
    return recorder


def test_serve_runs_the_app_on_the_given_host_and_port(tmp_path, uvicorn_run):
    write_config(tmp_path, secret_key=SECRET, disabled=installed_plugin_ids())
    result = invoke("--data-dir", str(tmp_path), "serve", "--host", "0.0.0.0", "--port", "9000")
    assert result.exit_code == 0
    [(app, kwargs)] = uvicorn_run.calls
    assert isinstance(app, Starlette)
    assert (kwargs["host"], kwargs["port"]) == ("0.0.0.0", 9000)


def test_serve_refuses_several_workers_on_sqlite(tmp_path, uvicorn_run):
    write_config(tmp_path, secret_key=SECRET)
    result = invoke("--data-dir", str(tmp_path), "serve", "--workers", "4")
    assert result.exit_code == 1
    assert result.output == (
        "Error: --workers 4 needs PostgreSQL: SQLite takes one writer at a time. Set "
        "database_url to a postgresql+asyncpg:// URL, or serve with --workers 1.\n")
    assert uvicorn_run.calls == []


def test_serve_with_several_workers_on_postgres_hands_uvicorn_the_app_factory(
        tmp_path, uvicorn_run, monkeypatch):
    monkeypatch.delenv("BANGYAER_HOME", raising=False)
    write_config(tmp_path, secret_key=SECRET, disabled=installed_plugin_ids(),
                 database_url="postgresql+asyncpg://bangyaer@db.invalid/bangyaer")
    result = invoke("--data-dir", str(tmp_path), "serve", "--workers", "3")
    assert result.exit_code == 0
    [(target, kwargs)] = uvicorn_run.calls
    assert (target, kwargs["workers"], kwargs["factory"]) == (
        "bangyaer.web._factory:app", 3, True)
    assert os.environ["BANGYAER_HOME"] == str(tmp_path)


def test_app_factory_builds_the_app_from_bangyaer_home(tmp_path, monkeypatch):
    from bangyaer.web._factory import app

    write_config(tmp_path, secret_key=SECRET, disabled=installed_plugin_ids())
    monkeypatch.setenv("BANGYAER_HOME", str(tmp_path))
    built = app()
    assert isinstance(built, Starlette)
    assert built.state.platform.settings.data_dir == tmp_path


def test_serve_without_a_secret_key_says_how_to_make_one(tmp_path, uvicorn_run):
    write_config(tmp_path, disabled=installed_plugin_ids())
    result = invoke("--data-dir", str(tmp_path), "serve")
    assert result.exit_code == 1
    assert result.output == (
        "Error: configuration error: secret_key: not set; put it in bangyaer.toml or "
        "BANGYAER_SECRET_KEY (`bangyaer init` generates one)\n")


COMMANDS_PLUGIN = """
import click
from bangyaer import PluginInfo, hookimpl
from bangyaer.cli import pass_platform

@hookimpl
def plugin_info():
    return PluginInfo("greeter", "问候", "Greeter", ">=0.1")

@hookimpl
def commands(cli):
    @cli.command("greet")
    @click.option("--name", default="world")
    @pass_platform
    async def greet(platform, name):
        click.echo(f"hello {name} from {platform.host.records['greeter'].distribution}")

    @cli.command("serve")
    def serve():
        click.echo("hijacked")
"""


@pytest.fixture
def greeter(tmp_path, install_plugin, home, bangyaer_database_url):
    write_files(tmp_path / "src", {"bangyaer_greeter/__init__.py": COMMANDS_PLUGIN})
    install_plugin("greeter", "bangyaer_greeter", path=tmp_path / "src")
    write_config(home, secret_key=SECRET, database_url=bangyaer_database_url,
                 disabled=installed_plugin_ids() - {"greeter"})
    return home


def test_hook_commands_adds_a_command_that_gets_the_platform(greeter):
    result = invoke("--data-dir", str(greeter), "greet", "--name", "小明")
    assert (result.exit_code, result.output) == (0, "hello 小明 from bangyaer-greeter\n")


def test_hook_commands_may_not_replace_a_built_in_command(greeter, uvicorn_run):
    invoke("--data-dir", str(greeter), "serve")
    assert len(uvicorn_run.calls) == 1


def test_hook_commands_are_listed_in_help(greeter):
    assert "greet" in invoke("--data-dir", str(greeter), "--help").output


def test_hook_commands_of_a_disabled_plugin_are_not_there(greeter, bangyaer_database_url):
    write_config(greeter, secret_key=SECRET, database_url=bangyaer_database_url,
                 disabled=installed_plugin_ids())
    result = CliRunner().invoke(main, ["--data-dir", str(greeter), "greet"])
    assert result.exit_code == 2
    assert "No such command 'greet'" in result.output


def test_pass_platform_closes_the_platform_after_the_command(greeter, monkeypatch):
    closed = []
    original = Platform.close

    async def close(self):
        closed.append(self.settings.data_dir)
        await original(self)

    monkeypatch.setattr(Platform, "close", close)
    invoke("--data-dir", str(greeter), "greet")
    # One platform looks up the plugin commands, the other runs the command.
    assert closed == [greeter, greeter]
