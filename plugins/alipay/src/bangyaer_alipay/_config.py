"""Settings: one Alipay open-platform app per district, keys from the environment or files.

Keys are never written into bangyaer.toml or the repository: the settings
name an environment variable or a file outside the repository::

    [plugins.alipay]
    app_id = "2021004100000000"
    seller_id = "2088101122334455"          # the merchant's PID
    app_private_key_file = "/etc/bangyaer/alipay/app_private_key.pem"
    alipay_public_key_file = "/etc/bangyaer/alipay/alipay_public_key.pem"
    notify_base_url = "https://pay.example.edu.cn"

Left unconfigured (no app_id, no sandbox), the plugin offers no payments;
half configured, it refuses with the key and what is wrong.
"""
# Not yet: the public-key-certificate mode (app_cert_sn, alipay_root_cert_sn); apps
# signing with plain RSA2 public keys, as here, are what Alipay issues by default.

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bangyaer import SettingSpec
from bangyaer.settings import ConfigError
from cryptography.hazmat.primitives.asymmetric import rsa

from ._sign import KeyFormatError, load_private_key, load_public_key

PLUGIN_ID = "alipay"
GATEWAY = "https://openapi.alipay.com/gateway.do"
SANDBOX_GATEWAY = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
PRIVATE_KEY_ENV = "BANGYAER_ALIPAY_APP_PRIVATE_KEY"
PUBLIC_KEY_ENV = "BANGYAER_ALIPAY_PUBLIC_KEY"
WHERE = "[plugins.alipay]"


def settings_specs() -> list[SettingSpec]:
    return [
        SettingSpec("app_id", "str", "", help="The open-platform app's APPID (开放平台应用)."),
        SettingSpec("seller_id", "str", "",
                    help="The merchant's PID (2088…, 16 digits); notifications must name it."),
        SettingSpec("gateway_url", "str", GATEWAY,
                    help=f"Alipay's gateway; {SANDBOX_GATEWAY} is Alipay's own sandbox."),
        SettingSpec("app_private_key_env", "str", PRIVATE_KEY_ENV,
                    help="Environment variable holding the app's RSA2 private key."),
        SettingSpec("app_private_key_file", "str", "",
                    help="Or a file with it (PEM, PKCS#8 or PKCS#1), outside the repository."),
        SettingSpec("alipay_public_key_env", "str", PUBLIC_KEY_ENV,
                    help="Environment variable holding Alipay's public key (支付宝公钥)."),
        SettingSpec("alipay_public_key_file", "str", "", help="Or a file with it."),
        SettingSpec("notify_base_url", "str", "",
                    help="Public address Alipay posts notifications to; default base_url."),
        SettingSpec("http_timeout_seconds", "float", 10.0),
        SettingSpec("sandbox", "bool", False, demo=True,
                    help="Serve the Alipay sandbox under /alipay/_sandbox and pay through it. "
                    "Demos and development only: anyone can pay there with no money."),
        SettingSpec("sandbox_key_file", "str", "",
                    help="The sandbox's own RSA key (PEM); empty: a new one at every start."),
    ]


@dataclass(frozen=True)
class AlipayConfig:
    app_id: str
    seller_id: str
    gateway_url: str
    app_key: rsa.RSAPrivateKey = field(repr=False)
    alipay_key: rsa.RSAPublicKey = field(repr=False)
    notify_base_url: str = ""
    http_timeout_seconds: float = 10.0
    sandbox: bool = False
    sandbox_key_file: str = ""


def _read_key(values: Mapping[str, Any], env: Mapping[str, str], what: str, label: str
              ) -> str:
    path = str(values.get(f"{what}_file", "")).strip()
    if path:
        try:
            return Path(path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{WHERE} {what}_file: cannot read {path!r} ({exc}); it must "
                              f"hold {label}") from None
    name = str(values.get(f"{what}_env", "")).strip()
    text = env.get(name, "") if name else ""
    if not text:
        raise ConfigError(f"{WHERE} {what}_env: environment variable {name or '(empty)'} is "
                          f"not set, and {what}_file is empty; one must hold {label}")
    return text


def _check_url(key: str, value: str) -> str:
    if value and (not value.startswith(("http://", "https://")) or value.endswith("/")):
        raise ConfigError(f"{WHERE} {key}: expected an http(s) URL without a trailing slash, "
                          f"found {value!r}")
    return value


def parse_config(values: Mapping[str, Any], environ: Mapping[str, str] | None = None
                 ) -> AlipayConfig | None:
    """The checked settings with their keys loaded; None when Alipay is not configured."""
    env = os.environ if environ is None else environ
    app_id = str(values.get("app_id", "")).strip()
    if not app_id:
        if values.get("seller_id"):
            raise ConfigError(f"{WHERE} app_id: empty while seller_id is set; copy the APPID "
                              "of the open-platform app")
        return None
    if not re.fullmatch(r"[0-9]{8,32}", app_id):
        raise ConfigError(f"{WHERE} app_id: expected the app's APPID (digits), found {app_id!r}")
    seller_id = str(values.get("seller_id", "")).strip()
    if not re.fullmatch(r"2088[0-9]{12}", seller_id):
        raise ConfigError(f"{WHERE} seller_id: expected the merchant's PID (16 digits starting "
                          f"2088), found {seller_id!r}")
    try:
        app_key = load_private_key(_read_key(values, env, "app_private_key",
                                             "the app's RSA2 private key"))
    except KeyFormatError as exc:
        raise ConfigError(f"{WHERE} app private key: {exc}") from None
    try:
        alipay_key = load_public_key(_read_key(values, env, "alipay_public_key",
                                               "Alipay's public key"))
    except KeyFormatError as exc:
        raise ConfigError(f"{WHERE} Alipay public key: {exc}") from None
    timeout = values.get("http_timeout_seconds", 10.0)
    if not timeout > 0:
        raise ConfigError(f"{WHERE} http_timeout_seconds: expected a positive number, "
                          f"found {timeout!r}")
    return AlipayConfig(
        app_id=app_id, seller_id=seller_id,
        gateway_url=_check_url("gateway_url", str(values.get("gateway_url", GATEWAY))),
        app_key=app_key, alipay_key=alipay_key,
        notify_base_url=_check_url("notify_base_url", str(values.get("notify_base_url", ""))),
        http_timeout_seconds=float(timeout), sandbox=bool(values.get("sandbox", False)),
        sandbox_key_file=str(values.get("sandbox_key_file", "")),
    )
