"""The platform: settings, plugins, database, permissions and services of one instance.

The web app and the worker each build one ``Platform``; tests build many.
Everything that depends on which plugins are enabled is worked out here,
once, at start-up: a plugin whose start-up hooks raise or return something
the host cannot use is taken out with the reason, and the rest carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData, Table
from starlette.routing import BaseRoute

from ._host import PluginHost
from .contrib import Routes, SettingSpec
from .db import Base, Database, metadata
from .identity import PermissionRegistry
from .jobs import JobHandler, Worker
from .settings import CONFIG_FILE, PluginSettingError, Settings, validate_plugin_settings
from .storage import BlobStore, LocalBlobStore

__all__ = ["Platform"]

log = logging.getLogger("bangyaer")


class Platform:
    """One instance of Bangyaer: the enabled plugins and the services they share."""

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
        self.tables = self._check_models()
        self._migration_dirs = self._check_migrations()
        self.permissions = self._build_permissions()
        self.plugin_config = self._build_plugin_config()
        self.job_handlers = self._build_job_handlers()
        self.routes = self._check_routes()
        self.db = Database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        self.blobs: BlobStore = LocalBlobStore(settings.blob_dir)

    # -- start-up checks --------------------------------------------------

    def _check_models(self) -> dict[str, list[Table]]:
        owned: dict[str, list[Table]] = {}
        for plugin_id, modules in self.host.call("models", startup=True):
            try:
                names = {m.__name__ if isinstance(m, ModuleType) else str(m) for m in modules}
            except TypeError:
                self.host.mark_broken(plugin_id, "models() must return a list of modules")
                continue
            tables = _tables_of_modules(names)
            wrong = [t.name for t in tables if not t.name.startswith(f"{plugin_id}_")]
            if wrong:
                self.host.mark_broken(
                    plugin_id, f"table {wrong[0]!r} must be prefixed with the plugin id: "
                               f"{plugin_id}_{wrong[0]}")
                continue
            owned[plugin_id] = tables
        return owned

    def _check_migrations(self) -> dict[str, Path]:
        dirs: dict[str, Path] = {}
        for plugin_id, location in self.host.call("migrations", startup=True):
            path = Path(location)
            if not path.is_dir():
                self.host.mark_broken(
                    plugin_id, f"migrations() returned {str(location)!r}, which is not a "
                               "directory")
                continue
            dirs[plugin_id] = path.resolve()
        return dirs

    def _build_permissions(self) -> PermissionRegistry:
        registry = PermissionRegistry()
        for plugin_id, perms in self.host.call("permissions", startup=True):
            try:
                registry.add_all(list(perms), owner=plugin_id)
            except (TypeError, ValueError) as exc:
                self.host.mark_broken(plugin_id, f"permissions(): {exc}")
        return registry

    def _build_plugin_config(self) -> dict[str, dict[str, Any]]:
        schemas: dict[str, list[SettingSpec]] = {}
        for plugin_id, specs in self.host.call("settings_schema", startup=True):
            try:
                schemas[plugin_id] = list(specs)
            except TypeError:
                self.host.mark_broken(plugin_id, "settings_schema() must return SettingSpecs")
        for plugin_id in self.settings.plugin_settings:
            if plugin_id not in self.host.records:
                log.warning("[plugins.%s] configures a plugin that is not installed", plugin_id)
        source = str(self.settings.data_dir / CONFIG_FILE)
        config: dict[str, dict[str, Any]] = {}
        for record in self.host.enabled():
            raw = dict(self.settings.plugin_settings.get(record.id, {}))
            try:
                config[record.id] = validate_plugin_settings(
                    record.id, schemas.get(record.id, []), raw, source)
            except PluginSettingError as exc:  # the plugin's own schema is wrong
                self.host.mark_broken(record.id, f"settings_schema(): {exc}")
        return config

    def _build_job_handlers(self) -> dict[str, JobHandler]:
        handlers: dict[str, JobHandler] = {}
        for plugin_id, mapping in self.host.call("job_handlers", startup=True):
            problem = _job_handler_problem(plugin_id, mapping)
            if problem:
                self.host.mark_broken(plugin_id, f"job_handlers(): {problem}")
                continue
            handlers.update(mapping)
        return handlers

    def _check_routes(self) -> dict[str, Routes]:
        found: dict[str, Routes] = {}
        for plugin_id, routes in self.host.call("routes", startup=True):
            if not isinstance(routes, Routes):
                self.host.mark_broken(
                    plugin_id, f"routes() returned {type(routes).__name__}, not bangyaer.Routes")
                continue
            bad = [r for r in (*routes.pages, *routes.api) if not isinstance(r, BaseRoute)]
            if bad:
                self.host.mark_broken(
                    plugin_id, f"routes(): {bad[0]!r} is not a Starlette route")
                continue
            found[plugin_id] = routes
        return found

    # -- services ---------------------------------------------------------

    @property
    def migration_dirs(self) -> dict[str, Path]:
        """Each enabled plugin's Alembic version directory, the core's first."""
        return {pid: d for pid, d in self._migration_dirs.items() if self.host.is_enabled(pid)}

    def enabled_metadata(self) -> MetaData:
        """A MetaData with the tables of the core and of every enabled plugin."""
        subset = MetaData(naming_convention=metadata.naming_convention)
        enabled = {r.id for r in self.host.enabled()}
        wanted = {t.name for pid, tables in self.tables.items() if pid in enabled
                  for t in tables}
        # A table whose module models() forgot still belongs to the plugin its
        # prefix names, so that create_schema and migrations agree on it.
        wanted |= {name for name in metadata.tables if _owner(name, self.host.records) in enabled}
        for table in metadata.sorted_tables:
            if table.name in wanted:
                table.to_metadata(subset)
        return subset

    async def create_schema(self) -> None:
        """Create the enabled tables directly; tests and throw-away demos only."""
        async with self.db.engine.begin() as conn:
            await conn.run_sync(self.enabled_metadata().create_all)

    def worker(self, **kwargs: Any) -> Worker:
        return Worker(self, self.job_handlers, **kwargs)

    def config(self, plugin_id: str) -> Mapping[str, Any]:
        """The validated ``[plugins.<id>]`` settings, defaults filled in."""
        return self.plugin_config.get(plugin_id, {})

    async def close(self) -> None:
        await self.db.dispose()


def _tables_of_modules(module_names: set[str]) -> list[Table]:
    tables: list[Table] = []
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if not isinstance(table, Table) or mapper.class_.__module__ not in module_names:
            continue
        if table not in tables:  # single-table inheritance maps one table twice
            tables.append(table)
    return sorted(tables, key=lambda t: t.name)


def _owner(table: str, plugin_ids: Iterable[str]) -> str | None:
    """The plugin a table's prefix names; the longest id wins (``a_b_x`` is ``a_b``'s)."""
    matches = [pid for pid in plugin_ids if table.startswith(f"{pid}_")]
    return max(matches, key=len) if matches else None


def _job_handler_problem(plugin_id: str, mapping: object) -> str | None:
    if not isinstance(mapping, Mapping):
        return f"must return a dict of job kind to handler, not {type(mapping).__name__}"
    for kind, handler in mapping.items():
        if not isinstance(kind, str) or not kind.startswith(f"{plugin_id}."):
            return f"job kind {kind!r} must start with {plugin_id + '.'!r}"
        if not isinstance(handler, Callable):  # type: ignore[arg-type]
            return f"handler for {kind!r} is not callable"
    return None
