"""The platform: settings, plugins, database, permissions and services of one instance.

The web app and the worker each build one ``Platform``; tests build many.
Everything that depends on which plugins are enabled is worked out here,
once, at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData

from ._host import PluginHost
from .contrib import SettingSpec
from .db import Database, metadata
from .identity import PermissionRegistry
from .jobs import JobHandler, Worker
from .settings import ConfigError, Settings
from .storage import BlobStore, LocalBlobStore

log = logging.getLogger("bangyaer")

_SETTING_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "bool": (bool,), "float": (int, float), "list": (list,),
}


class Platform:
    def __init__(
        self,
        settings: Settings,
        *,
        plugins: Sequence[object] = (),
        discover: bool = True,
    ) -> None:
        self.settings = settings
        self.host = PluginHost(disabled=settings.disabled_plugins)
        self.host.load(discover=discover, extra=plugins)
        self._check_models()
        self.permissions = self._build_permissions()
        self.plugin_config = self._build_plugin_config()
        self.job_handlers = self._build_job_handlers()
        self.db = Database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        self.blobs: BlobStore = LocalBlobStore(settings.blob_dir)

    # -- start-up checks --------------------------------------------------

    def _check_models(self) -> None:
        for plugin_id, modules in self.host.call("models", startup=True):
            names = {m.__name__ if isinstance(m, ModuleType) else str(m) for m in modules}
            for table in _tables_of_modules(names):
                if not table.startswith(f"{plugin_id}_"):
                    self.host.mark_broken(
                        plugin_id,
                        f"table {table!r} must be prefixed with the plugin id: "
                        f"{plugin_id}_{table}",
                    )
                    break

    def _build_permissions(self) -> PermissionRegistry:
        registry = PermissionRegistry()
        for plugin_id, perms in self.host.call("permissions", startup=True):
            try:
                for perm in perms:
                    registry.add(perm, owner=plugin_id)
            except ValueError as exc:
                self.host.mark_broken(plugin_id, str(exc))
        return registry

    def _build_plugin_config(self) -> dict[str, dict[str, Any]]:
        schemas: dict[str, list[SettingSpec]] = {
            plugin_id: list(specs)
            for plugin_id, specs in self.host.call("settings_schema", startup=True)
        }
        config: dict[str, dict[str, Any]] = {}
        for plugin_id, raw in self.settings.plugin_settings.items():
            if plugin_id not in self.host.records:
                log.warning("[plugins.%s] configures a plugin that is not installed", plugin_id)
        for record in self.host.enabled():
            raw = dict(self.settings.plugin_settings.get(record.id, {}))
            config[record.id] = _validate_plugin_settings(
                record.id, schemas.get(record.id, []), raw
            )
        return config

    def _build_job_handlers(self) -> dict[str, JobHandler]:
        handlers: dict[str, JobHandler] = {}
        for plugin_id, mapping in self.host.call("job_handlers", startup=True):
            for kind, handler in dict(mapping).items():
                if not kind.startswith(f"{plugin_id}."):
                    self.host.mark_broken(
                        plugin_id, f"job kind {kind!r} must start with {plugin_id + '.'!r}"
                    )
                    break
                handlers[kind] = handler
        return handlers

    # -- services ---------------------------------------------------------

    def enabled_metadata(self) -> MetaData:
        """A MetaData with the core's tables and those of the enabled plugins."""
        prefixes = tuple(f"{r.id}_" for r in self.host.enabled())
        subset = MetaData(naming_convention=metadata.naming_convention)
        for table in metadata.sorted_tables:
            if table.name.startswith(prefixes):
                table.to_metadata(subset)
        return subset

    async def create_schema(self) -> None:
        """Create the enabled tables directly; tests and throw-away demos only."""
        async with self.db.engine.begin() as conn:
            await conn.run_sync(self.enabled_metadata().create_all)

    def worker(self, **kwargs: Any) -> Worker:
        return Worker(self, self.job_handlers, **kwargs)

    def config(self, plugin_id: str) -> Mapping[str, Any]:
        return self.plugin_config.get(plugin_id, {})

    async def close(self) -> None:
        await self.db.dispose()


def _tables_of_modules(module_names: set[str]) -> list[str]:
    from .db import Base

    tables = []
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if cls.__module__ in module_names and mapper.local_table is not None:
            tables.append(str(mapper.local_table.name))
    return tables


def _validate_plugin_settings(
    plugin_id: str, specs: list[SettingSpec], raw: dict[str, Any]
) -> dict[str, Any]:
    known = {spec.key: spec for spec in specs}
    for key in raw:
        if key not in known:
            raise ConfigError(
                f"[plugins.{plugin_id}] {key}: unknown setting; "
                f"{plugin_id} knows {sorted(known) or 'no settings'}"
            )
    values: dict[str, Any] = {}
    for spec in specs:
        value = raw.get(spec.key, spec.default)
        types = _SETTING_TYPES[spec.type]
        bad_bool = spec.type in ("int", "float") and isinstance(value, bool)
        if not isinstance(value, types) or bad_bool:
            raise ConfigError(
                f"[plugins.{plugin_id}] {spec.key}: expected {spec.type}, found {value!r}"
            )
        if spec.choices and value not in spec.choices:
            raise ConfigError(
                f"[plugins.{plugin_id}] {spec.key}: expected one of {list(spec.choices)}, "
                f"found {value!r}"
            )
        values[spec.key] = value
    return values
