"""Settings are checked on first use: unconfigured is quiet, half-configured refuses clearly."""

from __future__ import annotations

import pytest
from bangyaer.settings import ConfigError
from bangyaer_alipay._config import PRIVATE_KEY_ENV, PUBLIC_KEY_ENV, parse_config

from .conftest import APP_ID, SELLER_ID, private_pem


@pytest.fixture
def environ(app_key, gateway_key, sandbox):
    return {PRIVATE_KEY_ENV: private_pem(app_key), PUBLIC_KEY_ENV: sandbox.public_key_pem}


def values(**changes):
    return {"app_id": APP_ID, "seller_id": SELLER_ID, "app_private_key_env": PRIVATE_KEY_ENV,
            "alipay_public_key_env": PUBLIC_KEY_ENV, **changes}


def test_without_app_id_alipay_is_simply_not_offered():
    assert parse_config({"app_id": ""}, environ={}) is None


def test_keys_come_from_the_environment(environ, app_key):
    config = parse_config(values(), environ=environ)

    assert config.app_key.private_numbers() == app_key.private_numbers()
    assert "app_key" not in repr(config) and "alipay_key" not in repr(config)


@pytest.mark.parametrize("changes, message", [
    pytest.param({"seller_id": "12345"}, r"seller_id: expected the merchant's PID", id="pid"),
    pytest.param({"app_id": "abc"}, r"app_id: expected the app's APPID", id="app-id"),
    pytest.param({"app_private_key_env": "NOPE"},
                 r"app_private_key_env: environment variable NOPE is not set", id="env"),
    pytest.param({"alipay_public_key_file": "/nonexistent/alipay.pem"},
                 r"alipay_public_key_file: cannot read '/nonexistent/alipay.pem'", id="file"),
    pytest.param({"gateway_url": "openapi.alipay.com"}, r"gateway_url: expected an http",
                 id="url"),
    pytest.param({"http_timeout_seconds": 0}, r"http_timeout_seconds: expected a positive",
                 id="timeout"),
])
def test_a_half_configured_app_is_refused_with_the_key(environ, changes, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(values(**changes), environ=environ)


def test_a_key_that_is_not_a_key_is_refused(environ):
    with pytest.raises(ConfigError, match="app private key: not PEM and not base64"):
        parse_config(values(), environ={**environ, PRIVATE_KEY_ENV: "***not a key***"})


def test_seller_id_without_app_id_is_refused():
    with pytest.raises(ConfigError, match="app_id: empty while seller_id is set"):
        parse_config({"app_id": "", "seller_id": SELLER_ID}, environ={})
