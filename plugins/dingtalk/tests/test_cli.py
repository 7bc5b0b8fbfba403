"""``bangyaer dingtalk sync`` on a migrated database, and the migration itself."""

from __future__ import annotations

import asyncio
import json
from importlib.metadata import entry_points

import pytest
from bangyaer.cli import main
from bangyaer.settings import load_settings
from click.testing import CliRunner
from sqlalchemy import inspect

from .conftest import small_district


@pytest.fixture
def data_dir(tmp_path, sandbox, monkeypatch):
    for code in "AC":
        monkeypatch.setenv(f"BANGYAER_DINGTALK_{code}_APP_KEY", f"key-{code}")
        monkeypatch.setenv(f"BANGYAER_DINGTALK_{code}_APP_SECRET", f"secret-{code}")
    home = tmp_path / "home"
    home.mkdir()
    # Only this plugin: the others installed beside it are not under test here.
    others = sorted(ep.name for ep in entry_points(group="bangyaer.plugins")
                    if ep.name != "dingtalk")
    (home / "bangyaer.toml").write_text(
        '[bangyaer]\nsecret_key = "cli-test-secret-0123456789abcdef"\n'
        "embedded_worker = false\n"
        f"[plugins]\ndisabled = {json.dumps(others)}\n"
        "[plugins.dingtalk]\n"
        f'oapi_base = "{sandbox.url}"\napi_base = "{sandbox.url}"\n'
        'corps = [{ corp_id = "dingcorpa0001", school_code = "A", agent_id = 5001 },\n'
        '         { corp_id = "dingcorpc0003", school_code = "C", agent_id = 5003 }]\n',
        encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["--data-dir", str(home), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "dingtalk: dingtalk_0001 (applied dingtalk_0001)" in result.output
    return home


def _platform(home):
    from bangyaer.platform import Platform

    return Platform(load_settings(home, environ={}))


def test_the_migration_creates_the_tables_the_models_describe(data_dir):
    platform = _platform(data_dir)

    async def columns() -> dict[str, set[str]]:
        async with platform.db.engine.connect() as conn:
            def read(sync_conn):
                found = inspect(sync_conn)
                return {t: {c["name"] for c in found.get_columns(t)}
                        for t in found.get_table_names() if t.startswith("dingtalk_")}
            result = await conn.run_sync(read)
        await platform.close()
        return result

    found = asyncio.run(columns())
    expected = {t.name: {c.name for c in t.columns}
                for t in platform.enabled_metadata().sorted_tables
                if t.name.startswith("dingtalk_")}
    assert found == expected and len(found) == 4


def test_cli_sync_reports_counts_per_school(data_dir):
    platform = _platform(data_dir)

    async def seed() -> None:
        await small_district(platform)
        await platform.close()

    asyncio.run(seed())
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "dingtalk", "sync",
                                       "--corp", "dingcorpc0003"])
    assert result.exit_code == 0, result.output
    assert "C (dingcorpc0003): ok — 新增 6，更新 0，停用 0，错误 0" in result.output
    assert "dingcorpc0003: 1/1 个班级" in result.output
    again = CliRunner().invoke(main, ["--data-dir", str(data_dir), "dingtalk", "sync",
                                      "--json"])
    reports = json.loads(again.output)
    assert [(r["school_code"], r["added"]) for r in reports] == [("A", 105), ("C", 0)]


def test_cli_sync_of_an_unknown_corp_fails_with_the_reason(data_dir):
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "dingtalk", "sync",
                                       "--corp", "dingnope"])
    assert result.exit_code == 1
    assert "corp dingnope is not configured" in result.output


def test_cli_sync_queue_puts_one_job_on_the_queue(data_dir):
    first = CliRunner().invoke(main, ["--data-dir", str(data_dir), "dingtalk", "sync",
                                      "--queue"])
    second = CliRunner().invoke(main, ["--data-dir", str(data_dir), "dingtalk", "sync",
                                       "--queue"])
    assert "已加入队列" in first.output
    assert "a sync is already queued" in second.output
