"""Configuration: ``bangyaer.toml`` in the data directory, then ``BANGYAER_*`` variables.

Everything is checked once, when the settings are loaded; a bad value fails
with the key, the type that was expected and the value that was found.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CONFIG_FILE", "ConfigError", "Settings", "load_settings"]

CONFIG_FILE = "bangyaer.toml"
ENV_PREFIX = "BANGYAER_"


class ConfigError(ValueError):
    """A configuration value is missing or has the wrong type."""


@dataclass(frozen=True)
class Settings:
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
        if self.secret_key and len(self.secret_key) < 16:
            raise ConfigError(
                "secret_key: expected at least 16 characters, "
                f"found {len(self.secret_key)}; run `bangyaer init` to generate one"
            )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_SCALARS: dict[str, type] = {
    name: type_
    for name, type_ in {
        "secret_key": str,
        "database_url": str,
        "base_url": str,
        "default_locale": str,
        "timezone": str,
        "debug": bool,
        "blob_dir": str,
        "max_upload_bytes": int,
        "session_max_age": int,
        "secure_cookies": bool,
        "embedded_worker": bool,
        "login_max_failures": int,
        "login_window_seconds": int,
        "sqlite_busy_timeout_ms": int,
    }.items()
}
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false"}


def _coerce(key: str, value: Any, type_: type, source: str) -> Any:
    if isinstance(value, str) and type_ is not str and source == "env":
        value = _parse_env(key, value, type_)
    # bool is an int in Python; refuse it where a number is meant.
    if type_ is int and isinstance(value, bool) or not isinstance(value, type_):
        raise ConfigError(
            f"{source}: {key}: expected {_TYPE_NAMES[type_]}, found {value!r}"
        )
    return value


def _parse_env(key: str, raw: str, type_: type) -> Any:
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


def read_config_file(data_dir: Path) -> dict[str, Any]:
    path = data_dir / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load_settings(
    data_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Read the settings for ``data_dir`` (default ``$BANGYAER_HOME`` or ``./var``)."""
    env = os.environ if environ is None else environ
    base = Path(data_dir or env.get(ENV_PREFIX + "HOME") or "var")
    raw = read_config_file(base)
    source = str(base / CONFIG_FILE)

    unknown_top = set(raw) - {"bangyaer", "plugins"}
    if unknown_top:
        raise ConfigError(f"{source}: unknown table(s) {sorted(unknown_top)}; "
                          "expected [bangyaer] and [plugins]")
    core = dict(raw.get("bangyaer", {}))
    values: dict[str, Any] = {}
    for key, value in core.items():
        if key not in _SCALARS:
            raise ConfigError(f"{source}: [bangyaer] {key}: unknown setting")
        values[key] = _coerce(f"[bangyaer] {key}", value, _SCALARS[key], source)
    for key, type_ in _SCALARS.items():
        env_value = env.get(ENV_PREFIX + key.upper())
        if env_value is not None:
            values[key] = _coerce(ENV_PREFIX + key.upper(), env_value, type_, "env")

    plugins = dict(raw.get("plugins", {}))
    disabled = plugins.pop("disabled", [])
    if not isinstance(disabled, list) or not all(isinstance(x, str) for x in disabled):
        raise ConfigError(
            f"{source}: [plugins] disabled: expected a list of plugin ids, found {disabled!r}"
        )
    for plugin_id, table in plugins.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"{source}: [plugins] {plugin_id}: expected a table of settings, found {table!r}"
            )
    values.setdefault("secret_key", "")
    values.update(overrides)
    values.setdefault("disabled_plugins", tuple(disabled))
    values.setdefault("plugin_settings", plugins)
    return Settings(data_dir=base, **values)
