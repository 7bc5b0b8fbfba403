"""The ``bangyaer`` command line. Plugins add commands through the ``commands`` hook.

A plugin command that needs the platform is written as a coroutine taking it
first, under ``pass_platform``::

    @hookimpl
    def commands(cli):
        @cli.command("notices-count")
        @pass_platform
        async def count(platform):
            ...
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import click

from ..platform import Platform
from ..settings import CONFIG_FILE, DEFAULT_DATA_DIR, KEYS, ConfigError, Settings, load_settings

__all__ = ["State", "main", "pass_platform", "pass_state", "run"]

log = logging.getLogger("bangyaer.cli")
T = TypeVar("T")
P = ParamSpec("P")
PLUGIN_COMMANDS = "bangyaer.plugin_commands"


class State:
    """What every command shares: the data directory, and settings built on demand."""

    def __init__(self, data_dir: str | None) -> None:
        self.data_dir_option = data_dir
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.data_dir_option)
            except ConfigError as exc:
                raise click.ClickException(f"configuration error: {exc}") from None
        return self._settings

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def platform(self) -> Platform:
        try:
            return Platform(self.settings)
        except ConfigError as exc:
            raise click.ClickException(f"configuration error: {exc}") from None


pass_state = click.make_pass_decorator(State)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def pass_platform(
    command: Callable[Concatenate[Platform, P], Awaitable[T]],
) -> Callable[P, T]:
    """Run an ``async def command(platform, …)`` with this deployment's platform, then close it."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        platform = _state(click.get_current_context()).platform()

        async def go() -> T:
            try:
                return await command(platform, *args, **kwargs)
            finally:
                await platform.close()

        return asyncio.run(go())

    return wrapper


def _state(ctx: click.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State(root.params.get("data_dir"))
    return root.obj


def default_config(secret: str) -> str:
    """The text of a new bangyaer.toml: the secret, and every other setting at its default."""
    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    lines = [
        "# Bangyaer configuration, read once at start-up. Every [bangyaer] key may",
        "# instead come from the environment as BANGYAER_<KEY>, which wins.",
        "[bangyaer]",
        f'secret_key = "{secret}"',
        "# Default: SQLite in the data directory. Production:",
        '# database_url = "postgresql+asyncpg://bangyaer:PASSWORD@localhost/bangyaer"',
        '# blob_dir = "<data directory>/blobs"',
    ]
    for key in KEYS:
        if key in ("secret_key", "database_url", "blob_dir"):
            continue
        value = defaults[key]
        shown = ("true" if value else "false") if isinstance(value, bool) else (
            f'"{value}"' if isinstance(value, str) else str(value))
        lines.append(f"# {key} = {shown}")
    lines += ["", "[plugins]", "# Installed plugins are enabled unless listed here.",
              "disabled = []", ""]
    return "\n".join(lines)


def write_default_config(data_dir: Path) -> bool:
    """Create ``bangyaer.toml`` with a fresh secret; False if one already exists."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / CONFIG_FILE
    if path.exists():
        return False
    path.write_text(default_config(secrets.token_urlsafe(32)), encoding="utf-8")
    path.chmod(0o600)  # it holds the secret key
    return True


class PluginCommands(click.Group):
    """Built-in commands, plus whatever the enabled plugins add (looked up per invocation)."""

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        root = ctx.find_root()
        found: dict[str, click.Command] | None = root.meta.get(PLUGIN_COMMANDS)
        if found is None:
            found = root.meta[PLUGIN_COMMANDS] = self._collect(_state(ctx))
        return found

    def _collect(self, state: State) -> dict[str, click.Command]:
        try:
            platform = state.platform()
        except click.ClickException:
            return {}  # the command itself reports the configuration error
        extra = click.Group()
        for plugin_id in platform.host.implementers("commands"):
            before = set(extra.commands)
            try:
                platform.host.call_one(plugin_id, "commands", cli=extra)
            except Exception:  # a plugin's broken command must not break the CLI
                log.exception("plugin %r failed to add its commands", plugin_id)
                continue
            for name in sorted(set(extra.commands) - before):
                if name in self.commands:
                    log.error("plugin %r may not replace the built-in command %r",
                              plugin_id, name)
                    del extra.commands[name]
        run(platform.close())
        return dict(extra.commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugin_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None:
            found = self._plugin_commands(ctx).get(cmd_name)
        return found


@click.group(cls=PluginCommands)
@click.option("--data-dir", envvar="BANGYAER_HOME", default=None, metavar="DIR",
              help=f"Data directory with {CONFIG_FILE} (default $BANGYAER_HOME or "
                   f"./{DEFAULT_DATA_DIR}).")
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.version_option(package_name="bangyaer")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, verbose: bool) -> None:
    """棒伢儿 Bangyaer: a district's out-of-school education platform."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic narrates every step at INFO; db upgrade prints its own summary.
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)
    _state(ctx)


@main.command()
@pass_state
def init(state: State) -> None:
    """Create the data directory and a bangyaer.toml with a new secret key."""
    data_dir = Path(state.data_dir_option or DEFAULT_DATA_DIR)
    path = data_dir / CONFIG_FILE
    if write_default_config(data_dir):
        click.echo(f"created {path}; next: bangyaer --data-dir {data_dir} db upgrade")
    else:
        click.echo(f"{path} already exists; left unchanged")


from . import _db, _demo, _plugins, _roster, _serve, _users  # noqa: E402,F401  (registers)
