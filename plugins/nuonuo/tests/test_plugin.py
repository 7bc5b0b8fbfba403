"""The plugin in a platform: found through the hook, unconfigured is unavailable, sandbox mode."""

from __future__ import annotations

import bangyaer_nuonuo.plugin as nuonuo_plugin
import pytest
from bangyaer.settings import ConfigError
from bangyaer_nuonuo import NuonuoInvoices
from bangyaer_nuonuo._runtime import runtime
from bangyaer_nuonuo.sandbox import DEMO_APP


async def test_the_ledger_finds_the_provider_through_the_hook(nuonuo_platform):
    platform = await nuonuo_platform()
    providers = platform.host.collect_by_id("invoice_providers")
    assert isinstance(providers["nuonuo"], NuonuoInvoices)
    assert providers["nuonuo"].available(platform)


async def test_an_installed_but_unconfigured_plugin_is_unavailable(make_platform):
    platform = await make_platform(plugins=[nuonuo_plugin])
    assert not NuonuoInvoices().available(platform)


async def test_a_half_configured_plugin_is_unavailable_and_says_why(
        make_platform, monkeypatch, caplog):
    monkeypatch.delenv("BANGYAER_NUONUO_APP_SECRET", raising=False)
    platform = await make_platform(plugins=[nuonuo_plugin],
                                   plugin_settings={"nuonuo": {"app_key": "SD1"}})
    assert not NuonuoInvoices().available(platform)
    assert "nuonuo is misconfigured: [plugins.nuonuo] app_secret_env: environment variable " \
           "BANGYAER_NUONUO_APP_SECRET is not set" in caplog.text


async def test_sandbox_mode_issues_in_process_and_serves_the_sandbox(
        make_platform, make_client, person, pdf_text):
    platform = await make_platform(plugins=[nuonuo_plugin],
                                   plugin_settings={"nuonuo": {"sandbox": True}})
    provider = NuonuoInvoices()
    assert provider.available(platform)
    rt = runtime(platform)
    assert rt.config.app_key == DEMO_APP.app_key and rt.config.clerk == "演示开票员"

    result = await provider.issue(platform, person())
    while result.status == "pending":
        result = await provider.query(platform, result.serial)
    assert "王大明" in pdf_text(await provider.download(platform, result))

    client = make_client(platform)
    token = await client.post("/nuonuo/_sandbox/accessToken", data={
        "client_id": DEMO_APP.app_key, "client_secret": DEMO_APP.app_secret,
        "grant_type": "client_credentials"})
    assert token.json()["expires_in"] == "86400"


async def test_the_mounted_sandbox_is_not_found_when_off(nuonuo_platform, make_client):
    client = make_client(await nuonuo_platform())
    response = await client.post("/nuonuo/_sandbox/accessToken")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "诺诺沙箱未开启"


async def test_a_rate_that_is_no_vat_rate_stops_the_platform_at_start(make_platform,
                                                                     nuonuo_settings):
    with pytest.raises(ConfigError, match=r"tax_rate: expected one of \[.*'0.03'.*found '3%'"):
        await make_platform(plugins=[nuonuo_plugin],
                            plugin_settings={"nuonuo": nuonuo_settings(tax_rate="3%")})
