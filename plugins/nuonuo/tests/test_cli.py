"""``bangyaer nuonuo check``: settings and credentials checked before a family needs them."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import pytest
from bangyaer.cli import main
from bangyaer_nuonuo.sandbox import DEMO_APP
from click.testing import CliRunner


@pytest.fixture
def home(tmp_path, sandbox, monkeypatch):
    monkeypatch.setenv("BANGYAER_NUONUO_APP_SECRET", DEMO_APP.app_secret)

    def write(upgraded=True, **nuonuo):
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        # Only this plugin: the others installed beside it are not under test here.
        others = sorted(ep.name for ep in entry_points(group="bangyaer.plugins")
                        if ep.name != "nuonuo")
        settings = {"app_key": DEMO_APP.app_key, "saler_tax_no": DEMO_APP.tax_no,
                    "tax_rate": "0.03", "goods_code": "3070201020000000000",
                    "clerk": "张会计", "api_url": f"{sandbox.url}/open/v1/services",
                    "token_url": f"{sandbox.url}/accessToken", **nuonuo}
        lines = "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n"
                        for k, v in settings.items())
        (home / "bangyaer.toml").write_text(
            '[bangyaer]\nsecret_key = "cli-test-secret-0123456789abcdef"\n'
            f"[plugins]\ndisabled = {json.dumps(others)}\n[plugins.nuonuo]\n{lines}",
            encoding="utf-8")
        if upgraded:
            result = CliRunner().invoke(main, ["--data-dir", str(home), "db", "upgrade"])
            assert result.exit_code == 0, result.output
        return str(home)

    return write


def test_check_takes_a_token_with_good_settings(home, sandbox, monkeypatch):
    monkeypatch.setenv("BANGYAER_NUONUO_APP_SECRET", DEMO_APP.app_secret)
    result = CliRunner().invoke(main, ["--data-dir", home(), "nuonuo", "check"])
    assert result.exit_code == 0, result.output
    assert f"ok: app {DEMO_APP.app_key}" in result.output
    assert sandbox.token_requests == {DEMO_APP.app_key: 1}


@pytest.mark.parametrize(("setting", "message"), [
    pytest.param({"clerk": "区少年宫财务室开票员"}, "[plugins.nuonuo] clerk: Nuonuo takes",
                 id="clerk"),
    pytest.param({"goods_code": "307"}, "[plugins.nuonuo] goods_code: expected the 19-digit",
                 id="goods-code"),
])
def test_check_names_a_bad_setting(home, monkeypatch, setting, message):
    monkeypatch.setenv("BANGYAER_NUONUO_APP_SECRET", DEMO_APP.app_secret)
    result = CliRunner().invoke(main, ["--data-dir", home(**setting), "nuonuo", "check"])
    assert result.exit_code == 1
    assert "configuration error" in result.output and message in result.output


def test_check_asks_for_the_migration_first(home):
    result = CliRunner().invoke(main, ["--data-dir", home(upgraded=False), "nuonuo", "check"])
    assert result.exit_code == 1
    assert "run `bangyaer db upgrade` first" in result.output


def test_check_reports_a_wrong_secret(home, monkeypatch):
    monkeypatch.setenv("BANGYAER_NUONUO_APP_SECRET", "wrong")
    result = CliRunner().invoke(main, ["--data-dir", home(), "nuonuo", "check"])
    assert result.exit_code == 1
    assert "Nuonuo refused or did not answer: 070305" in result.output
