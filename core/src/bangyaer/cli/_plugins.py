from __future__ import annotations

import json

import click
import tomlkit

from .._host import PluginHost
from ..settings import CONFIG_FILE
from . import State, main, pass_state, write_default_config


@main.group()
def plugins() -> None:
    """Installed plugins: list, enable, disable."""


def _host(state: State) -> PluginHost:
    host = PluginHost(disabled=state.settings.disabled_plugins)
    host.load()
    return host


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def plugins_list(state: State, as_json: bool) -> None:
    """Show every plugin found, its status, and why it is not running."""
    host = _host(state)
    rows = [r.as_dict() for r in host.records.values()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'id':<16} {'status':<13} {'version':<10} {'distribution':<24} reason")
    for row in rows:
        click.echo(f"{row['id']:<16} {row['status']:<13} {row['version'] or '-':<10} "
                   f"{row['distribution'] or '-':<24} {row['reason']}")


def _set_disabled(state: State, plugin_id: str, disabled: bool) -> None:
    host = _host(state)
    if plugin_id == "core":
        raise click.ClickException("the core cannot be disabled")
    if plugin_id not in host.records:
        known = ", ".join(sorted(set(host.records) - {"core"})) or "none"
        raise click.ClickException(f"no plugin {plugin_id!r} is installed (installed: {known})")
    write_default_config(state.data_dir)
    path = state.data_dir / CONFIG_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = doc.setdefault("plugins", tomlkit.table())
    current = [str(x) for x in table.get("disabled", [])]
    wanted = sorted(set(current) | {plugin_id}) if disabled else [
        x for x in current if x != plugin_id]
    table["disabled"] = wanted
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    click.echo(f"{plugin_id}: {'disabled' if disabled else 'enabled'} "
               "(restart the server and worker to apply)")


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
