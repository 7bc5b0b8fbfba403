"""``bangyaer plugins``: what is installed, whether it runs and why not; enable, disable."""

from __future__ import annotations

import json
from pathlib import Path

import click
import tomlkit
from tomlkit.items import Array, Table

from ..settings import CONFIG_FILE
from . import State, main, pass_state, run

COLUMNS = ("id", "distribution", "version", "status", "reason")


@main.group()
def plugins() -> None:
    """Installed plugins: list, enable, disable."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def plugins_list(state: State, as_json: bool) -> None:
    """Show every plugin found, its status, and why it is not running."""
    # The whole platform is assembled, as the server would, so that a plugin
    # failing in a start-up hook shows up here as broken, with the reason.
    platform = state.platform()
    run(platform.close())
    rows = [r.as_dict() for r in platform.host.records.values()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    widths = {c: max(len(c), *(len(str(r[c] or "-")) for r in rows)) for c in COLUMNS[:-1]}
    click.echo("  ".join(c.ljust(widths[c]) for c in COLUMNS[:-1]) + "  reason")
    for row in rows:
        cells = [str(row[c] or "-").ljust(widths[c]) for c in COLUMNS[:-1]]
        click.echo("  ".join([*cells, row["reason"]]).rstrip())


def _installed(state: State) -> set[str]:
    platform = state.platform()
    run(platform.close())
    return set(platform.host.records)


def _disabled_array(path: Path) -> tuple[tomlkit.TOMLDocument, Array]:
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    table = doc.get("plugins")
    if table is None:
        table = tomlkit.table()
        doc["plugins"] = table
    if not isinstance(table, Table):
        raise click.ClickException(f"{path}: [plugins] must be a table")
    disabled = table.get("disabled")
    if disabled is None:
        disabled = tomlkit.array()
        table["disabled"] = disabled
    if not isinstance(disabled, Array):
        raise click.ClickException(f"{path}: [plugins] disabled must be a list of plugin ids")
    return doc, disabled


def _set_disabled(state: State, plugin_id: str, disabled: bool) -> None:
    if plugin_id == "core":
        raise click.ClickException("the core cannot be disabled")
    path = state.data_dir / CONFIG_FILE
    doc, listed = _disabled_array(path)
    if plugin_id not in _installed(state) and (disabled or plugin_id not in listed):
        known = ", ".join(sorted(_installed(state) - {"core"})) or "none"
        raise click.ClickException(f"no plugin {plugin_id!r} is installed (installed: {known})")
    if disabled == (plugin_id in listed):
        click.echo(f"{plugin_id}: already {'disabled' if disabled else 'enabled'}")
        return
    # Editing the array in place keeps the operator's comments and layout.
    if disabled:
        listed.append(plugin_id)
    else:
        del listed[list(listed).index(plugin_id)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    click.echo(f"{plugin_id}: {'disabled' if disabled else 'enabled'} "
               "(restart the server and the worker to apply)")


@plugins.command("enable")
@click.argument("plugin_id")
@pass_state
def plugins_enable(state: State, plugin_id: str) -> None:
    """Enable an installed plugin."""
    _set_disabled(state, plugin_id, False)


@plugins.command("disable")
@click.argument("plugin_id")
@pass_state
def plugins_disable(state: State, plugin_id: str) -> None:
    """Disable an installed plugin: its pages answer 404 and its hooks are not called."""
    _set_disabled(state, plugin_id, True)
