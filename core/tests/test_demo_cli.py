"""``bangyaer demo`` end to end, with every installed plugin, as ``make demo`` runs it."""

from __future__ import annotations

import json

import httpx
import pytest
from argon2 import PasswordHasher
from bangyaer.cli import main
from bangyaer.identity import ROLES, Organisation, Person, _passwords
from bangyaer.platform import Platform
from bangyaer.settings import load_settings
from bangyaer.web import create_app
from click.testing import CliRunner
from sqlalchemy import func, select


def invoke(home, *args):
    return CliRunner().invoke(main, ["--data-dir", str(home), "demo", *args],
                              catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    """The demo run twice on a fresh data directory: (home, first result, second result)."""
    home = tmp_path_factory.mktemp("demo") / "home"
    with pytest.MonkeyPatch.context() as patch:
        # Cheap argon2 parameters for the run; a hash records its own, so sign-in still works.
        patch.setattr(_passwords, "_hasher",
                      PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        for name in ("BANGYAER_DATABASE_URL", "BANGYAER_SECRET_KEY"):
            patch.delenv(name, raising=False)
        first = invoke(home, "--no-serve", "--json")
        second = invoke(home, "--no-serve", "--json")
    return home, first, second


async def query(home, statement):
    platform = Platform(load_settings(home, environ={}))
    try:
        async with platform.db.session() as s:
            return await s.scalar(statement)
    finally:
        await platform.close()


def test_demo_writes_a_config_file_when_missing(demo_runs):
    home, first, _ = demo_runs
    assert first.exit_code == 0, first.output
    assert f"created {home / 'bangyaer.toml'}" in first.stderr
    assert 'secret_key = "' in (home / "bangyaer.toml").read_text(encoding="utf-8")


def test_demo_json_lists_an_account_for_every_role(demo_runs):
    _, first, _ = demo_runs
    accounts = json.loads(first.stdout)
    assert {a["role"] for a in accounts} == set(ROLES)
    assert all(set(a) == {"username", "password", "role", "name", "school"} for a in accounts)


async def test_every_printed_account_signs_in_with_its_password(demo_runs):
    home, first, _ = demo_runs
    platform = Platform(load_settings(home, environ={}))
    try:
        app = create_app(platform=platform)
        transport = httpx.ASGITransport(app=app)
        for account in json.loads(first.stdout):
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                response = await c.post("/api/v1/auth/login", json={
                    "username": account["username"], "password": account["password"]})
                assert response.status_code == 200, account["username"]
                roles = [r["role"] for r in response.json()["roles"]]
                assert roles == [account["role"]], account["username"]
    finally:
        await platform.close()


def test_running_demo_again_prints_the_same_accounts(demo_runs):
    _, first, second = demo_runs
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert "演示数据已存在，未重复创建 (demo already seeded)" in second.stderr


async def test_running_demo_again_seeds_nothing(demo_runs):
    home, first, second = demo_runs
    schools = await query(home, select(func.count()).select_from(Organisation)
                          .where(Organisation.kind == "school"))
    students = await query(home, select(func.count()).select_from(Person)
                           .where(Person.kind == "student"))
    assert schools == 12
    assert 1800 <= students <= 2300
    assert f"{students} 名学生" in first.stderr and f"{students} 名学生" in second.stderr


def test_demo_prints_a_table_without_json(demo_runs):
    home, _, _ = demo_runs
    result = invoke(home, "--no-serve")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("演示数据已存在，未重复创建 (demo already seeded)：12 所学校，")
    assert lines[1].split() == ["角色", "(role)", "用户名", "密码", "姓名", "学校"]
    assert lines[2].split()[:2] == ["区管理员", "admin"]


def test_demo_serves_on_the_given_address_unless_told_not_to(demo_runs, monkeypatch):
    from bangyaer.cli import _serve

    home, _, _ = demo_runs
    served = []
    monkeypatch.setattr(_serve, "serve_app",
                        lambda state, host, port, workers: served.append((host, port, workers)))
    result = invoke(home, "--port", "8123", "--json")
    assert result.exit_code == 0, result.output
    assert served == [("127.0.0.1", 8123, 1)]


def test_demo_refuses_a_database_that_holds_a_real_district(tmp_path, monkeypatch):
    for name in ("BANGYAER_DATABASE_URL", "BANGYAER_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    roster = tmp_path / "r.csv"
    roster.write_text("学校代码,学校名称,学段,年级,班级,学号,学生姓名\n"
                      "P01,湖滨小学,小学,3,2,S1,王小明\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["--data-dir", str(home), "init"]).exit_code == 0
    assert runner.invoke(main, ["--data-dir", str(home), "db", "upgrade"]).exit_code == 0
    imported = runner.invoke(main, ["--data-dir", str(home), "roster", "import", str(roster)])
    assert imported.exit_code == 0, imported.output
    result = invoke(home, "--no-serve")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: 数据库中已有“本区”的真实数据，演示未写入任何内容 "
        "(this database holds a real district; use an empty data directory for the demo)")


async def test_demo_config_carries_every_plugins_demo_settings(demo_runs):
    import tomllib

    home, first, _ = demo_runs
    assert first.exit_code == 0, first.output
    config = tomllib.loads((home / "bangyaer.toml").read_text(encoding="utf-8"))
    platform = Platform(load_settings(home, environ={}))
    try:
        wanted = {(plugin_id, spec.key): spec.demo
                  for plugin_id, specs in platform.host.call("settings_schema")
                  for spec in specs if spec.demo is not None}
    finally:
        await platform.close()
    assert {key: config["plugins"][key[0]][key[1]] for key in wanted} == wanted
    assert config["bangyaer"]["base_url"] == "http://127.0.0.1:8000"
