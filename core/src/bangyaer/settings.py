"""Configuration: ``bangyaer.toml`` in the data directory, then ``BANGYAER_*`` variables.

Everything is checked once, when the settings are loaded; a bad value fails
with where it came from, the key, what was expected and what was found.
Secrets are never repeated in a message.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_DATA_DIR",
    "ENV_PREFIX",
    "ConfigError",
    "PluginSettingError",
    "Settings",
    "load_settings",
    "validate_plugin_settings",
]

CONFIG_FILE = "bangyaer.toml"
ENV_PREFIX = "BANGYAER_"
DEFAULT_DATA_DIR = "var"
MIN_SECRET = 16


class ConfigError(ValueError):
    """A configuration value is missing or wrong; the message names the key and value."""


class PluginSettingError(Exception):
    """A plugin's settings_schema() itself is wrong: the plugin's fault, not the operator's."""


@dataclass(frozen=True)
class Settings:
    """The checked settings of one deployment."""

    data_dir: Path
    secret_key: str
    database_url: str = ""
    base_url: str = "http://127.0.0.1:8000"
    default_locale: str = "zh_CN"
    timezone: str = "Asia/Shanghai"
    debug: bool = False
    blob_dir: str = ""
    max_upload_bytes: int = 200 * 1024 * 1024
    session_max_age: int = 14 * 24 * 3600
    secure_cookies: bool = False
    embedded_worker: bool = True
    login_max_failures: int = 5
    login_window_seconds: int = 900
    sqlite_busy_timeout_ms: int = 5000
    disabled_plugins: tuple[str, ...] = ()
    plugin_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Derived defaults live here so every construction path agrees.
        if not self.database_url:
            db = (self.data_dir / "bangyaer.db").resolve()
            object.__setattr__(self, "database_url", f"sqlite+aiosqlite:///{db}")
        if not self.blob_dir:
            object.__setattr__(self, "blob_dir", str((self.data_dir / "blobs").resolve()))
        if self.secret_key:
            problem = _secret_problem(self.secret_key)
            if problem:
                raise ConfigError(f"secret_key: {problem}")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


# -- the [bangyaer] keys: their type and, where it matters, a value check ----

Check = Callable[[Any], str | None]


def _secret_problem(value: str) -> str | None:
    if len(value) < MIN_SECRET:
        return (f"expected at least {MIN_SECRET} characters, found {len(value)}; "
                "run `bangyaer init` to generate one")
    return None


def _url_problem(value: str) -> str | None:
    if value and not value.startswith(("sqlite+aiosqlite:///", "postgresql+asyncpg://")):
        return ("expected a sqlite+aiosqlite:/// or postgresql+asyncpg:// URL, "
                f"found {_mask_password(value)!r}")
    return None


def _base_url_problem(value: str) -> str | None:
    if not value.startswith(("http://", "https://")) or value.endswith("/"):
        return f"expected an http(s) URL without a trailing slash, found {value!r}"
    return None


def _locale_problem(value: str) -> str | None:
    if value not in ("zh_CN", "en"):
        return f"expected 'zh_CN' or 'en', found {value!r}"
    return None


def _zone_problem(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"expected an IANA time zone such as 'Asia/Shanghai', found {value!r}"
    return None


def _at_least(minimum: int) -> Check:
    def check(value: int) -> str | None:
        if value < minimum:
            return f"expected an integer of at least {minimum}, found {value!r}"
        return None

    return check


KEYS: dict[str, tuple[type, Check | None]] = {
    "secret_key": (str, _secret_problem),
    "database_url": (str, _url_problem),
    "base_url": (str, _base_url_problem),
    "default_locale": (str, _locale_problem),
    "timezone": (str, _zone_problem),
    "debug": (bool, None),
    "blob_dir": (str, None),
    "max_upload_bytes": (int, _at_least(1)),
    "session_max_age": (int, _at_least(60)),
    "secure_cookies": (bool, None),
    "embedded_worker": (bool, None),
    "login_max_failures": (int, _at_least(1)),
    "login_window_seconds": (int, _at_least(1)),
    "sqlite_busy_timeout_ms": (int, _at_least(0)),
}
SECRET_KEYS = frozenset({"secret_key"})
TYPE_NAMES: dict[str, str] = {
    "str": "a string", "int": "an integer", "bool": "true or false", "float": "a number",
    "list": "a list",
}


def _mask_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _found(value: Any, secret: bool) -> str:
    return f"a hidden {type(value).__name__}" if secret else repr(value)


def _check_scalar(where: str, key: str, value: Any, source: str) -> Any:
    type_, check = KEYS[key]
    if source == "environment" and isinstance(value, str) and type_ is not str:
        value = _parse_env(value, type_)
    # bool is an int in Python; refuse it where a number is meant.
    if not isinstance(value, type_) or (type_ is int and isinstance(value, bool)):
        raise ConfigError(f"{source}: {where}: expected {TYPE_NAMES[type_.__name__]}, "
                          f"found {_found(value, key in SECRET_KEYS)}")
    problem = check(value) if check else None
    if problem:
        raise ConfigError(f"{source}: {where}: {problem}")
    return value


def _parse_env(raw: str, type_: type) -> Any:
    if type_ is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        return raw
    try:
        return type_(raw)
    except ValueError:
        return raw


def _unknown(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"unknown setting; did you mean {close[0]!r}?"
    return f"unknown setting; known settings are {', '.join(sorted(known)) or 'none'}"


def read_config_file(data_dir: Path) -> dict[str, Any]:
    path = data_dir / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _core_values(raw: dict[str, Any], env: Mapping[str, str], source: str) -> dict[str, Any]:
    table = raw.get("bangyaer", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [bangyaer]: expected a table, found {table!r}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{source}: [bangyaer] {key}: {_unknown(key, list(KEYS))}")
        values[key] = _check_scalar(f"[bangyaer] {key}", key, value, source)
    for key in KEYS:
        name = ENV_PREFIX + key.upper()
        if name in env:
            values[key] = _check_scalar(name, key, env[name], "environment")
    return values


def _plugin_tables(raw: dict[str, Any], source: str) -> tuple[tuple[str, ...], dict[str, Any]]:
    plugins = dict(raw.get("plugins", {}))
    disabled = plugins.pop("disabled", [])
    if not isinstance(disabled, list) or not all(isinstance(x, str) for x in disabled):
        raise ConfigError(
            f"{source}: [plugins] disabled: expected a list of plugin ids, found {disabled!r}")
    for plugin_id, table in plugins.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"{source}: [plugins] {plugin_id}: expected a table of settings, found {table!r}")
    return tuple(disabled), plugins


def load_settings(
    data_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Read and check the settings for ``data_dir`` (default ``$BANGYAER_HOME`` or ``./var``).

    ``overrides`` are taken as they are, unchecked: for tests and the CLI.
    """
    env = os.environ if environ is None else environ
    base = Path(data_dir or env.get(ENV_PREFIX + "HOME") or DEFAULT_DATA_DIR)
    raw = read_config_file(base)
    source = str(base / CONFIG_FILE)

    unknown_top = sorted(set(raw) - {"bangyaer", "plugins"})
    if unknown_top:
        raise ConfigError(f"{source}: [{unknown_top[0]}]: unknown table; "
                          "expected [bangyaer] and [plugins]")
    values = _core_values(raw, env, source)
    disabled, plugins = _plugin_tables(raw, source)
    values.setdefault("secret_key", "")
    values.update(overrides)
    values.setdefault("disabled_plugins", disabled)
    values.setdefault("plugin_settings", plugins)
    return Settings(data_dir=base, **values)


# -- [plugins.<id>] tables, checked against the plugin's settings_schema() ----

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "bool": (bool,), "float": (int, float), "list": (list,),
}


def _fits(type_name: str, value: Any) -> bool:
    if type_name in ("int", "float") and isinstance(value, bool):
        return False
    return isinstance(value, _PY_TYPES[type_name])


def _check_schema(specs: Sequence[Any]) -> None:
    from .contrib import SettingSpec

    seen: set[str] = set()
    for spec in specs:
        if not isinstance(spec, SettingSpec):
            raise PluginSettingError(f"{spec!r} is not a SettingSpec")
        if spec.key in seen:
            raise PluginSettingError(f"setting {spec.key!r} is declared twice")
        seen.add(spec.key)
        if spec.type not in _PY_TYPES:
            raise PluginSettingError(
                f"setting {spec.key!r} has type {spec.type!r}; expected one of {list(_PY_TYPES)}")
        if not _fits(spec.type, spec.default):
            raise PluginSettingError(
                f"default of {spec.key!r} is {spec.default!r}, not {TYPE_NAMES[spec.type]}")


def validate_plugin_settings(
    plugin_id: str, specs: Sequence[Any], raw: Mapping[str, Any], source: str
) -> dict[str, Any]:
    """The plugin's settings with defaults filled in; ConfigError names a bad value."""
    _check_schema(specs)
    known = {spec.key: spec for spec in specs}
    where = f"{source}: [plugins.{plugin_id}]"
    for key in raw:
        if key not in known:
            raise ConfigError(f"{where} {key}: {_unknown(key, list(known))}")
    values: dict[str, Any] = {}
    for spec in specs:
        value = raw.get(spec.key, spec.default)
        if not _fits(spec.type, value):
            raise ConfigError(f"{where} {spec.key}: expected {TYPE_NAMES[spec.type]}, "
                              f"found {_found(value, spec.secret)}")
        if spec.choices and value not in spec.choices:
            raise ConfigError(f"{where} {spec.key}: expected one of {list(spec.choices)}, "
                              f"found {_found(value, spec.secret)}")
        values[spec.key] = value
    return values
