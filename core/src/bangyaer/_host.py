"""The plugin host: finds plugins, checks them, and calls their hooks safely.

One host per app instance. A plugin that is incompatible with this core,
fails to import, or raises while the app is assembled is recorded with the
reason and left out; the platform keeps running without it.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from typing import Any, Literal

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from . import hookspecs
from .contrib import PluginInfo

log = logging.getLogger("bangyaer.plugins")

ENTRY_POINT_GROUP = "bangyaer.plugins"
PLUGIN_ID = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
Status = Literal["enabled", "disabled", "incompatible", "broken"]


def core_version() -> str:
    try:
        return importlib_metadata.version("bangyaer")
    except importlib_metadata.PackageNotFoundError:  # running from a source tree
        return "0.1.0"


@dataclass
class PluginRecord:
    id: str
    status: Status
    reason: str = ""
    distribution: str | None = None
    version: str | None = None
    info: PluginInfo | None = None
    obj: object | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "distribution": self.distribution, "version": self.version,
            "status": self.status, "reason": self.reason,
            "title_zh": self.info.title_zh if self.info else None,
            "title_en": self.info.title_en if self.info else None,
            "category": self.info.category if self.info else None,
        }


class PluginError(Exception):
    """A plugin broke a rule of the host; the message names the plugin and the rule."""


class PluginHost:
    def __init__(self, disabled: Iterable[str] = ()) -> None:
        self.pm = pluggy.PluginManager("bangyaer")
        self.pm.add_hookspecs(hookspecs)
        self.disabled = set(disabled)
        self.records: dict[str, PluginRecord] = {}
        self.core = core_version()

    # -- loading ----------------------------------------------------------

    def load(self, *, discover: bool = True, extra: Sequence[object] = ()) -> None:
        from . import builtin

        self.add(builtin, distribution="bangyaer", version=self.core)
        if discover:
            for ep in sorted(
                importlib_metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
            ):
                self._add_entry_point(ep)
        for obj in extra:
            self.add(obj)
        for plugin_id in sorted(self.disabled - set(self.records) - {"core"}):
            log.warning("config disables plugin %r, which is not installed", plugin_id)

    def _add_entry_point(self, ep: importlib_metadata.EntryPoint) -> None:
        dist = ep.dist.name if ep.dist else None
        version = ep.dist.version if ep.dist else None
        try:
            obj = ep.load()
        except Exception as exc:  # an import error must not take the platform down
            log.exception("plugin %r failed to import", ep.name)
            self.records[ep.name] = PluginRecord(
                ep.name, "broken", f"import failed: {type(exc).__name__}: {exc}", dist, version
            )
            return
        self.add(obj, distribution=dist, version=version, expected_id=ep.name)

    def add(
        self,
        obj: object,
        *,
        distribution: str | None = None,
        version: str | None = None,
        expected_id: str | None = None,
    ) -> PluginRecord:
        """Check ``obj`` and register it if it is compatible and enabled."""
        name = expected_id or getattr(obj, "__name__", type(obj).__name__)
        try:
            info = self._read_info(obj)
        except PluginError as exc:
            record = PluginRecord(name, "broken", str(exc), distribution, version, obj=obj)
            return self._record(record)
        record = PluginRecord(info.id, "enabled", "", distribution, version, info, obj)
        if expected_id and expected_id != info.id:
            record.status = "broken"
            record.reason = (f"entry point is named {expected_id!r} but plugin_info() says "
                             f"id={info.id!r}; they must be equal")
        elif info.id in self.records:
            record.status, record.reason = "broken", f"id {info.id!r} is already taken"
            record.id = f"{info.id}#{len(self.records)}"
        elif not self._compatible(info):
            record.status = "incompatible"
            record.reason = f"needs bangyaer {info.requires_core}, this is {self.core}"
        elif info.id in self.disabled and info.id != "core":
            record.status, record.reason = "disabled", "disabled in the configuration"
        else:
            try:
                self.pm.register(obj, name=info.id)
            except pluggy.PluginValidationError as exc:
                record.status, record.reason = "broken", f"hook validation failed: {exc}"
        return self._record(record)

    def _record(self, record: PluginRecord) -> PluginRecord:
        if record.status in ("broken", "incompatible"):
            log.error("plugin %r skipped (%s): %s", record.id, record.status, record.reason)
        self.records[record.id] = record
        return record

    def _read_info(self, obj: object) -> PluginInfo:
        func = getattr(obj, "plugin_info", None)
        if func is None:
            raise PluginError("has no plugin_info() hook; every plugin must declare one")
        try:
            info = func()
        except Exception as exc:
            raise PluginError(f"plugin_info() raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(info, PluginInfo):
            raise PluginError(f"plugin_info() returned {type(info).__name__}, not PluginInfo")
        if not PLUGIN_ID.match(info.id):
            raise PluginError(f"id {info.id!r} must match {PLUGIN_ID.pattern}")
        try:
            SpecifierSet(info.requires_core)
        except InvalidSpecifier:
            raise PluginError(
                f"requires_core {info.requires_core!r} is not a version range like '>=0.1,<0.2'"
            ) from None
        return info

    def _compatible(self, info: PluginInfo) -> bool:
        return SpecifierSet(info.requires_core).contains(Version(self.core), prereleases=True)

    def mark_broken(self, plugin_id: str, reason: str) -> None:
        """Take a plugin out after it failed while the app was being assembled."""
        record = self.records[plugin_id]
        if plugin_id == "core":
            raise PluginError(f"the core failed while starting: {reason}")
        record.status, record.reason = "broken", reason
        if self.pm.has_plugin(plugin_id):
            self.pm.unregister(name=plugin_id)
        log.error("plugin %r taken out: %s", plugin_id, reason)

    # -- calling ----------------------------------------------------------

    def enabled(self) -> list[PluginRecord]:
        return [r for r in self.records.values() if r.status == "enabled"]

    def is_enabled(self, plugin_id: str) -> bool:
        record = self.records.get(plugin_id)
        return record is not None and record.status == "enabled"

    def _impls(self, hook: str) -> list[tuple[str, Any]]:
        caller = getattr(self.pm.hook, hook)
        order = {pid: i for i, pid in enumerate(self.records)}
        impls = [(impl.plugin_name, impl) for impl in caller.get_hookimpls()]
        return sorted(impls, key=lambda pair: order.get(pair[0], len(order)))

    def call(self, hook: str, *, startup: bool = False, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook`` on every enabled plugin in load order: [(plugin id, result)].

        A plugin that raises is skipped for this call; during start-up
        (``startup=True``) it is also taken out of the app with the reason.
        """
        results: list[tuple[str, Any]] = []
        for plugin_id, impl in self._impls(hook):
            if not self.is_enabled(plugin_id):
                continue
            try:
                result = impl.function(*[kwargs[name] for name in impl.argnames])
            except Exception as exc:
                self._failed(plugin_id, hook, exc, startup)
                continue
            if result is not None:
                results.append((plugin_id, result))
        return results

    async def acall(
        self, hook: str, *, startup: bool = False, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Like ``call``, awaiting any awaitable a hook returns."""
        results: list[tuple[str, Any]] = []
        for plugin_id, result in self.call(hook, startup=startup, **kwargs):
            if inspect.isawaitable(result):
                try:
                    result = await result
                except Exception as exc:
                    self._failed(plugin_id, hook, exc, startup)
                    continue
            results.append((plugin_id, result))
        return results

    def call_one(self, plugin_id: str, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of ``hook``; exceptions propagate."""
        for pid, impl in self._impls(hook):
            if pid == plugin_id:
                return impl.function(*[kwargs[name] for name in impl.argnames])
        return None

    def implementers(self, hook: str) -> list[str]:
        return [pid for pid, _ in self._impls(hook) if self.is_enabled(pid)]

    def _failed(self, plugin_id: str, hook: str, exc: Exception, startup: bool) -> None:
        log.error("plugin %r raised in hook %s", plugin_id, hook, exc_info=exc)
        if startup:
            self.mark_broken(plugin_id, f"{hook}() raised {type(exc).__name__}: {exc}")

    def collect(self, hook: str, *, startup: bool = False, **kwargs: Any) -> list[tuple[str, Any]]:
        """Flatten hooks that return iterables: [(plugin id, item)]."""
        return [
            (plugin_id, item)
            for plugin_id, items in self.call(hook, startup=startup, **kwargs)
            for item in items
        ]

    def collect_by_id(self, hook: str) -> dict[str, Any]:
        """Items with an ``id`` attribute from every plugin; a duplicate id is refused."""
        found: dict[str, tuple[str, Any]] = {}
        for plugin_id, item in self.collect(hook):
            item_id = getattr(item, "id", None)
            if not isinstance(item_id, str):
                log.error("plugin %r: %s() item %r has no string id; skipped",
                          plugin_id, hook, item)
                continue
            if item_id in found:
                log.error("plugin %r: %s() id %r is already provided by %r; skipped",
                          plugin_id, hook, item_id, found[item_id][0])
                continue
            found[item_id] = (plugin_id, item)
        return {item_id: item for item_id, (_, item) in found.items()}
