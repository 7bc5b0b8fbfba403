"""The plugin host: finds plugins, checks them, and calls their hooks safely.

One host per app instance. A plugin that is incompatible with this core,
fails to import, breaks a rule of the host or raises while the app is
assembled is recorded with the reason and left out; the platform keeps
running without it.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from typing import Any, Literal, get_args

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from . import hookspecs
from .contrib import Category, PluginInfo

log = logging.getLogger("bangyaer.plugins")

ENTRY_POINT_GROUP = "bangyaer.plugins"
PLUGIN_ID = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
Status = Literal["enabled", "disabled", "incompatible", "broken"]
CATEGORIES = frozenset(get_args(Category))
# Ids that would collide with the core's own URLs (/login, /api/v1/me …) or
# with Alembic's revision words ("base@head" means something else).
RESERVED_IDS = frozenset({
    "api", "auth", "base", "dashboard", "head", "heads", "healthz", "lang", "login",
    "logout", "me", "orgs", "payments", "static",
})


def core_version() -> str:
    try:
        return importlib_metadata.version("bangyaer")
    except importlib_metadata.PackageNotFoundError:  # running from a source tree
        return "0.1.0"


@dataclass
class PluginRecord:
    """What the host knows about one plugin it found, running or not."""

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
            "requires_core": self.info.requires_core if self.info else None,
        }


class PluginError(Exception):
    """A plugin broke a rule of the host; the message names the plugin and the rule."""


class PluginHost:
    """The plugins of one app instance, on their own pluggy ``PluginManager``."""

    def __init__(self, disabled: Iterable[str] = ()) -> None:
        self.pm = pluggy.PluginManager("bangyaer")
        self.pm.add_hookspecs(hookspecs)
        self.disabled = set(disabled)
        self.records: dict[str, PluginRecord] = {}
        self.core = core_version()

    # -- loading ----------------------------------------------------------

    def load(self, *, discover: bool = True, extra: Sequence[object] = ()) -> None:
        """Register the core, then installed plugins (``discover``), then ``extra``."""
        from . import builtin

        self.add(builtin, distribution="bangyaer", version=self.core)
        if discover:
            found = importlib_metadata.entry_points(group=ENTRY_POINT_GROUP)
            for ep in sorted(found, key=lambda e: (e.name, _dist_name(e) or "")):
                self._add_entry_point(ep)
        for obj in extra:
            self.add(obj)
        if discover:
            for plugin_id in sorted(self.disabled - set(self.records) - {"core"}):
                log.warning("config disables plugin %r, which is not installed", plugin_id)

    def _add_entry_point(self, ep: importlib_metadata.EntryPoint) -> None:
        dist, version = _dist_name(ep), ep.dist.version if ep.dist else None
        try:
            obj = ep.load()
        except Exception as exc:  # an import error must not take the platform down
            log.exception("plugin %r failed to import", ep.name)
            reason = f"import of {ep.value!r} failed: {type(exc).__name__}: {exc}"
            self._record(PluginRecord(ep.name, "broken", reason, dist, version))
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
        name = expected_id or str(getattr(obj, "__name__", type(obj).__name__))
        try:
            info = read_info(obj)
        except PluginError as exc:
            return self._record(PluginRecord(name, "broken", str(exc), distribution, version,
                                             obj=obj))
        record = PluginRecord(info.id, "enabled", "", distribution, version, info, obj)
        taken = self.records.get(info.id)
        if expected_id and expected_id != info.id:
            record.id = expected_id
            record.status, record.reason = "broken", (
                f"entry point is named {expected_id!r} but plugin_info() says id={info.id!r}; "
                "they must be equal")
        elif taken is not None:
            record.status, record.reason = "broken", (
                f"id {info.id!r} is already taken by {taken.distribution or 'another plugin'}")
        elif not SpecifierSet(info.requires_core).contains(Version(self.core),
                                                           prereleases=True):
            record.status = "incompatible"
            record.reason = f"needs bangyaer {info.requires_core}, this is {self.core}"
        elif info.id in self.disabled and info.id != "core":
            record.status, record.reason = "disabled", "disabled in the configuration"
        else:
            self._register(record)
        return self._record(record)

    def _register(self, record: PluginRecord) -> None:
        try:
            self.pm.register(record.obj, name=record.id)
        except pluggy.PluginValidationError as exc:
            record.status, record.reason = "broken", f"hook validation failed: {exc}"
            return
        unknown = self._unknown_hooks(record.id)
        if unknown:
            self.pm.unregister(name=record.id)
            record.status, record.reason = "broken", (
                f"implements unknown hook(s) {', '.join(unknown)}; "
                "see bangyaer.hookspecs for the hooks there are")

    def _unknown_hooks(self, plugin_id: str) -> list[str]:
        # pluggy accepts an implementation of a hook nobody specified (it may
        # be specified later); here a misspelt hook would never be called, so
        # the plugin author hears about it at once.
        plugin = self.pm.get_plugin(plugin_id)
        return sorted(
            caller.name for caller in self.pm.get_hookcallers(plugin) or []
            if not caller.has_spec()
        )

    def _record(self, record: PluginRecord) -> PluginRecord:
        if record.status in ("broken", "incompatible"):
            log.error("plugin %r skipped (%s): %s", record.id, record.status, record.reason)
        key, n = record.id, 2
        while key in self.records:  # a second plugin claiming a taken id keeps its row
            key, n = f"{record.id}#{n}", n + 1
        record.id = key
        self.records[key] = record
        return record

    def mark_broken(self, plugin_id: str, reason: str) -> None:
        """Take a plugin out after it failed while the app was being assembled."""
        if plugin_id == "core":
            raise PluginError(f"the core failed while starting: {reason}")
        record = self.records[plugin_id]
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
            except Exception as exc:  # one plugin's bug must not break the others
                self.failed(plugin_id, hook, exc, startup=startup)
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
                except Exception as exc:  # as in call(): skip this plugin only
                    self.failed(plugin_id, hook, exc, startup=startup)
                    continue
            results.append((plugin_id, result))
        return results

    def call_one(self, plugin_id: str, hook: str, **kwargs: Any) -> Any:
        """Call one enabled plugin's implementation of ``hook``; exceptions propagate."""
        if not self.is_enabled(plugin_id):
            return None
        for pid, impl in self._impls(hook):
            if pid == plugin_id:
                return impl.function(*[kwargs[name] for name in impl.argnames])
        return None

    def implementers(self, hook: str) -> list[str]:
        return [pid for pid, _ in self._impls(hook) if self.is_enabled(pid)]

    def failed(self, plugin_id: str, hook: str, exc: Exception, *, startup: bool) -> None:
        """Log a hook's failure; during start-up take the plugin out, naming the hook."""
        log.error("plugin %r raised in hook %s", plugin_id, hook, exc_info=exc)
        if startup:
            self.mark_broken(plugin_id, f"{hook}() raised {type(exc).__name__}: {exc}")

    def collect(self, hook: str, *, startup: bool = False, **kwargs: Any) -> list[tuple[str, Any]]:
        """Flatten hooks that return iterables: [(plugin id, item)]."""
        found: list[tuple[str, Any]] = []
        for plugin_id, items in self.call(hook, startup=startup, **kwargs):
            try:
                found.extend((plugin_id, item) for item in items)
            except Exception as exc:  # a generator may raise while we iterate it
                self.failed(plugin_id, hook, exc, startup=startup)
        return found

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


def read_info(obj: object) -> PluginInfo:
    """Call ``obj``'s ``plugin_info()`` and check what it says; PluginError if wrong."""
    func = getattr(obj, "plugin_info", None)
    if func is None:
        raise PluginError("has no plugin_info() hook; every plugin must declare one")
    try:
        info = func()
    except Exception as exc:  # reported as the plugin's reason, never raised further
        raise PluginError(f"plugin_info() raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(info, PluginInfo):
        raise PluginError(f"plugin_info() returned {type(info).__name__}, not PluginInfo")
    if not PLUGIN_ID.match(info.id):
        raise PluginError(f"plugin_info(): id {info.id!r} must match {PLUGIN_ID.pattern}")
    if info.id in RESERVED_IDS:
        raise PluginError(f"plugin_info(): id {info.id!r} is reserved by the core; "
                          "choose another")
    if not info.title_zh or not info.title_en:
        raise PluginError(f"plugin_info(): {info.id} needs both title_zh and title_en")
    if info.category not in CATEGORIES:
        raise PluginError(f"plugin_info(): category {info.category!r} must be one of "
                          f"{sorted(CATEGORIES)}")
    try:
        SpecifierSet(info.requires_core)
    except InvalidSpecifier:
        raise PluginError(f"plugin_info(): requires_core {info.requires_core!r} is not a "
                          "version range like '>=0.1,<0.2'") from None
    return info


def _dist_name(ep: importlib_metadata.EntryPoint) -> str | None:
    return ep.dist.name if ep.dist else None
