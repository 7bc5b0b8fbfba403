"""Settings: one DingTalk corp (企业/组织) per school, secrets from the environment.

``[plugins.dingtalk]`` in bangyaer.toml lists the corps; each names the
environment variables that hold its app key and secret, so no secret is ever
written into the configuration file or the repository::

    [plugins.dingtalk]
    corps = [
      { corp_id = "ding8f2e…", school_code = "A001", agent_id = 3095123456 },
    ]
    # app key and secret of A001 come from BANGYAER_DINGTALK_A001_APP_KEY
    # and BANGYAER_DINGTALK_A001_APP_SECRET unless app_key_env/app_secret_env say otherwise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bangyaer import SettingSpec
from bangyaer.settings import ConfigError

PLUGIN_ID = "dingtalk"
OAPI_BASE = "https://oapi.dingtalk.com"
API_BASE = "https://api.dingtalk.com"
MESSAGE_TYPES = ("action_card", "oa", "link", "text")
_CORP_KEYS = {"corp_id", "school_code", "agent_id", "app_key_env", "app_secret_env",
              "school_name"}


def settings_specs() -> list[SettingSpec]:
    return [
        SettingSpec("corps", "list", [], help="One table per school: corp_id, school_code, "
                    "agent_id; optional app_key_env, app_secret_env, school_name."),
        SettingSpec("oapi_base", "str", OAPI_BASE, help="Legacy server API (oapi) address."),
        SettingSpec("api_base", "str", API_BASE, help="New server API (api.dingtalk.com)."),
        SettingSpec("token_endpoint", "str", "oauth2", choices=("oauth2", "gettoken"),
                    help="/v1.0/oauth2/accessToken (oauth2) or the legacy /gettoken."),
        SettingSpec("message_type", "str", "action_card", choices=MESSAGE_TYPES,
                    help="Work-notice format for platform notifications."),
        SettingSpec("jsapi_script", "str", "",
                    help="Same-origin path of dingtalk.open.js (CSP allows only 'self')."),
        SettingSpec("sync_interval_hours", "int", 24,
                    help="Hours between scheduled roster syncs; 0 stops rescheduling."),
        SettingSpec("http_timeout_seconds", "float", 10.0),
        SettingSpec("sandbox", "bool", False, demo=True,
                    help="Serve the DingTalk sandbox under /dingtalk/_sandbox and use it. "
                    "Demos and development only: it hands out sign-in codes to anyone."),
        SettingSpec("sandbox_fixture", "str", "",
                    help="JSON directory for the sandbox; empty: built from the roster."),
    ]


@dataclass(frozen=True)
class CorpConfig:
    """One school's DingTalk organisation and the internal app installed in it."""

    corp_id: str
    school_code: str
    agent_id: int
    app_key: str = field(repr=False)
    app_secret: str = field(repr=False)
    school_name: str = ""


@dataclass(frozen=True)
class DingTalkConfig:
    corps: tuple[CorpConfig, ...]
    oapi_base: str = OAPI_BASE
    api_base: str = API_BASE
    token_endpoint: str = "oauth2"
    message_type: str = "action_card"
    jsapi_script: str = ""
    sync_interval_hours: int = 24
    http_timeout_seconds: float = 10.0
    sandbox: bool = False
    sandbox_fixture: str = ""

    def corp(self, corp_id: str) -> CorpConfig | None:
        return next((c for c in self.corps if c.corp_id == corp_id), None)


def default_env_name(school_code: str, what: str) -> str:
    slug = re.sub(r"[^A-Z0-9]+", "_", school_code.upper()).strip("_")
    return f"BANGYAER_DINGTALK_{slug}_{what}"


def _corp(index: int, raw: Any, environ: Mapping[str, str]) -> CorpConfig:
    where = f"[plugins.dingtalk] corps[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table, found {raw!r}")
    unknown = set(raw) - _CORP_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}; "
                          f"expected some of {sorted(_CORP_KEYS)}")
    for key in ("corp_id", "school_code"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(f"{where} {key}: expected a non-empty string, "
                              f"found {raw.get(key)!r}")
    agent_id = raw.get("agent_id")
    if not isinstance(agent_id, int) or isinstance(agent_id, bool) or agent_id <= 0:
        raise ConfigError(f"{where} agent_id: expected the app's AgentId (a positive "
                          f"integer from the developer console), found {agent_id!r}")
    school_code = raw["school_code"].strip()
    secrets: dict[str, str] = {}
    for what in ("APP_KEY", "APP_SECRET"):
        key = f"{what.lower()}_env"
        name = raw.get(key) or default_env_name(school_code, what)
        value = environ.get(name, "")
        if not value:
            raise ConfigError(f"{where} ({school_code}): environment variable {name} is not "
                              f"set; it must hold the app's {what.replace('_', ' ').lower()}")
        secrets[what] = value
    return CorpConfig(
        corp_id=raw["corp_id"].strip(), school_code=school_code, agent_id=agent_id,
        app_key=secrets["APP_KEY"], app_secret=secrets["APP_SECRET"],
        school_name=str(raw.get("school_name", "")),
    )


def parse_config(values: Mapping[str, Any], environ: Mapping[str, str] | None = None
                 ) -> DingTalkConfig:
    """Check the plugin's settings (already type-checked by the core) and read secrets."""
    env = os.environ if environ is None else environ
    raw_corps = list(values.get("corps", []))
    corps = tuple(_corp(i, raw, env) for i, raw in enumerate(raw_corps))
    seen: set[str] = set()
    for corp in corps:
        if corp.corp_id in seen:
            raise ConfigError(f"[plugins.dingtalk] corps: corp_id {corp.corp_id!r} is listed "
                              "twice; each school has its own corp")
        seen.add(corp.corp_id)
    names = {f.name for f in DingTalkConfig.__dataclass_fields__.values()} - {"corps"}
    rest = {k: v for k, v in values.items() if k in names}
    for key in ("oapi_base", "api_base"):
        if key in rest:
            rest[key] = str(rest[key]).rstrip("/")
    return DingTalkConfig(corps=corps, **rest)
