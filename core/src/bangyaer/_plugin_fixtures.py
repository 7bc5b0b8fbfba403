"""Fixtures for testing plugins the way a deployment finds them (re-exported by testing).

``install_plugin`` makes a plugin that lives in a directory of the test
discoverable through the ``bangyaer.plugins`` entry point, exactly as ``pip
install`` would, and always takes it away again: the path, the imported
modules and their tables. ``bangyaer_home`` is a data directory with a
``bangyaer.toml`` for the test's database, and ``run_cli`` runs the
``bangyaer`` command line against it in-process.
"""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from click.testing import CliRunner, Result

from . import hookimpl
from ._host import ENTRY_POINT_GROUP
from .contrib import Category, PluginInfo

__all__ = [
    "PluginInstaller", "build_plugin", "installed_plugin_ids", "write_config", "write_files"]

TEST_SECRET = "test-secret-key-0123456789"


def installed_plugin_ids() -> set[str]:
    """The ids of every plugin the environment has installed (entry-point names)."""
    return {ep.name for ep in importlib_metadata.entry_points(group=ENTRY_POINT_GROUP)}


def build_plugin(
    plugin_id: str,
    *,
    title_zh: str = "测试插件",
    title_en: str = "Test plugin",
    requires_core: str = ">=0.1",
    category: Category = "module",
    **hooks: Callable[..., Any],
) -> object:
    """A plugin object with ``plugin_info`` and the given hook functions, for ``make_platform``.

    ``build_plugin("hello", nav_items=lambda actor: [...])``. Its class
    belongs to the calling module, so its templates/ and static/ would be
    looked for beside the test file, as for a plugin class written there.
    """
    info = PluginInfo(plugin_id, title_zh, title_en, requires_core, category)
    namespace: dict[str, Any] = {"plugin_info": staticmethod(hookimpl(lambda: info))}
    for name, function in hooks.items():
        namespace[name] = staticmethod(hookimpl(function))
    # As collections.namedtuple does: the class is the caller's, not ours.
    namespace["__module__"] = sys._getframe(1).f_globals.get("__name__", __name__)
    cls = type(f"Plugin_{plugin_id}", (), namespace)
    return cls()


def write_files(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (text dedented); returns ``root``."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


class PluginInstaller:
    """Writes throw-away ``*.dist-info`` directories and puts them on ``sys.path``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.site = root / "site-packages"
        self._paths: list[str] = []
        self._sources: list[Path] = []

    def __call__(
        self,
        plugin_id: str,
        target: str,
        *,
        path: Path | None = None,
        distribution: str | None = None,
        version: str = "0.1.0",
        entry_points: Sequence[tuple[str, str]] = (),
    ) -> Path:
        """Install distribution ``bangyaer-<id>`` whose entry point ``<id>`` is ``target``.

        ``target`` is ``package.module`` or ``package.module:attribute``;
        ``path`` is the directory it is imported from (put on ``sys.path``).
        ``entry_points`` adds more (name, target) pairs to the same
        distribution, for tests of several plugins in one package.
        """
        dist = distribution or f"bangyaer-{plugin_id.replace('_', '-')}"
        folder = self.site / f"{re.sub(r'[-.]+', '_', dist)}-{version}.dist-info"
        folder.mkdir(parents=True)
        (folder / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        lines = [f"{name} = {value}" for name, value in ((plugin_id, target), *entry_points)]
        (folder / "entry_points.txt").write_text(
            f"[{ENTRY_POINT_GROUP}]\n" + "\n".join(lines) + "\n", encoding="utf-8")
        self._add_path(self.site)
        if path is not None:
            self._add_path(path)
            self._sources.append(path.resolve())
        importlib.invalidate_caches()
        return folder

    def _add_path(self, path: Path) -> None:
        entry = str(path)
        if entry not in self._paths:
            self._paths.append(entry)
            sys.path.insert(0, entry)

    def uninstall(self) -> None:
        """Remove every path, imported module and mapped table this installer added."""
        for entry in self._paths:
            while entry in sys.path:
                sys.path.remove(entry)
        self._paths.clear()
        forget_modules(self._sources)
        self._sources.clear()
        importlib.invalidate_caches()


def forget_modules(sources: Iterable[Path]) -> None:
    """Drop the modules imported from ``sources``, with their mapped classes and tables."""
    roots = [str(p) for p in sources]
    names = [
        name for name, module in list(sys.modules.items())
        if any(str(getattr(module, "__file__", None) or "").startswith(r) for r in roots)
    ]
    _dispose_models(set(names))
    for name in names:
        del sys.modules[name]


def _dispose_models(module_names: set[str]) -> None:
    from .db import Base, metadata

    registry = Base.registry
    for mapper in list(registry.mappers):
        if mapper.class_.__module__ not in module_names:
            continue
        name = str(getattr(mapper.local_table, "name", ""))
        # SQLAlchemy has no public way to forget one mapped class; without this
        # the next test's import of the same module would map it a second time.
        registry._managers.pop(mapper.class_manager, None)
        registry._dispose_manager_and_mapper(mapper.class_manager)
        if name in metadata.tables:
            metadata.remove(metadata.tables[name])


def write_config(
    data_dir: Path,
    *,
    disabled: Iterable[str] = (),
    plugins: dict[str, dict[str, Any]] | None = None,
    **bangyaer: Any,
) -> Path:
    """Write ``bangyaer.toml`` in ``data_dir`` with these [bangyaer] keys and plugin tables."""
    data_dir.mkdir(parents=True, exist_ok=True)
    doc = tomlkit.document()
    doc["bangyaer"] = bangyaer
    doc["plugins"] = {"disabled": sorted(disabled), **(plugins or {})}
    path = data_dir / "bangyaer.toml"
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def install_plugin(tmp_path: Path) -> Iterator[PluginInstaller]:
    """Install plugins from the test's own directories for this test only."""
    installer = PluginInstaller(tmp_path / "installed")
    try:
        yield installer
    finally:
        installer.uninstall()


@pytest.fixture
def bangyaer_home(tmp_path: Path, bangyaer_database_url: str) -> Path:
    """The data directory of ``bangyaer_settings``, with a bangyaer.toml for the CLI."""
    home = tmp_path / "data"
    write_config(home, secret_key=TEST_SECRET, database_url=bangyaer_database_url,
                 embedded_worker=False)
    return home


CliRun = Callable[..., Result]


@pytest.fixture
def run_cli(bangyaer_home: Path) -> CliRun:
    """Run ``bangyaer --data-dir <bangyaer_home> ARGS…``; unexpected exceptions propagate."""
    from .cli import main

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(main, ["--data-dir", str(bangyaer_home), *args], input=input,
                             catch_exceptions=False)

    return run
