"""``bangyaer alipay check`` says whether the keys load, before a family tries to pay."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from bangyaer.testing import write_config

from .conftest import SELLER_ID

OTHERS = sorted(ep.name for ep in entry_points(group="bangyaer.plugins") if ep.name != "alipay")


@pytest.fixture
def configure(bangyaer_home, bangyaer_database_url):
    def write(alipay):
        write_config(bangyaer_home, secret_key="cli-test-secret-0123456789abcdef",
                     database_url=bangyaer_database_url, embedded_worker=False,
                     disabled=OTHERS, plugins={"alipay": alipay})
    return write


def test_check_reports_a_configured_app(configure, run_cli, alipay_settings):
    configure(alipay_settings)

    result = run_cli("alipay", "check")

    assert result.exit_code == 0, result.output
    assert f"seller_id {SELLER_ID}" in result.output and "keys loaded" in result.output


def test_check_names_the_missing_key(configure, run_cli, alipay_settings, monkeypatch):
    configure({**alipay_settings, "app_private_key_env": "NO_SUCH_VARIABLE"})

    result = run_cli("alipay", "check")

    assert result.exit_code == 1
    assert "environment variable NO_SUCH_VARIABLE is not set" in result.output


def test_check_says_when_alipay_is_not_configured(configure, run_cli):
    configure({})

    result = run_cli("alipay", "check")

    assert result.exit_code == 1 and "app_id is not set" in result.output
