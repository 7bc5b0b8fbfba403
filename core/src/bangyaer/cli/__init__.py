"""The ``bangyaer`` command line. Plugins add commands through the ``commands`` hook."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from ..platform import Platform
from ..settings import CONFIG_FILE, ConfigError, Settings, load_settings

T = TypeVar("T")


class State:
    """What every command shares: the data directory, and settings built on demand."""

    def __init__(self, data_dir: str | None) -> None:
        self._data_dir = data_dir
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self._data_dir)
            except ConfigError as exc:
                raise click.ClickException(f"配置错误 (configuration error): {exc}") from None
        return self._settings

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def platform(self) -> Platform:
        try:
            return Platform(self.settings)
        except ConfigError as exc:
            raise click.ClickException(f"配置错误 (configuration error): {exc}") from None

    def reload(self) -> None:
        self._settings = None


pass_state = click.make_pass_decorator(State)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def write_default_config(data_dir: Path) -> bool:
    """Create ``bangyaer.toml`` with a fresh secret; False if one already exists."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / CONFIG_FILE
    if path.exists():
        return False
    path.write_text(
        "# Bangyaer configuration. Every key can also come from BANGYAER_<KEY>.\n"
        "[bangyaer]\n"
        f'secret_key = "{secrets.token_urlsafe(32)}"\n'
        '# database_url = "postgresql+asyncpg://bangyaer:…@localhost/bangyaer"\n'
        'base_url = "http://127.0.0.1:8000"\n'
        "\n[plugins]\n"
        "# Installed plugins are enabled unless listed here.\n"
        "disabled = []\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return True


class PluginCommands(click.Group):
    """Built-in commands, plus whatever the enabled plugins add."""

    _loaded = False

    def _load_plugins(self, ctx: click.Context) -> None:
        if self._loaded:
            return
        self._loaded = True
        state = ctx.find_object(State)
        if state is None:
            return
        try:
            platform = state.platform()
        except click.ClickException:
            return  # the command itself will report the configuration error
        platform.host.call("commands", cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugins(ctx)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None:
            self._load_plugins(ctx)
            found = super().get_command(ctx, cmd_name)
        return found


@click.group(cls=PluginCommands)
@click.option("--data-dir", envvar="BANGYAER_HOME", default=None, metavar="DIR",
              help="Data directory with bangyaer.toml (default ./var).")
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.version_option(package_name="bangyaer")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, verbose: bool) -> None:
    """棒伢儿 Bangyaer: a district's out-of-school education platform."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = State(data_dir)


@main.command()
@pass_state
def init(state: State) -> None:
    """Create the data directory and a bangyaer.toml with a new secret key."""
    data_dir = Path(state._data_dir or "var")
    if write_default_config(data_dir):
        click.echo(f"created {data_dir / CONFIG_FILE}")
    else:
        click.echo(f"{data_dir / CONFIG_FILE} already exists; left unchanged")


from . import _db, _demo, _plugins, _roster, _serve, _users  # noqa: E402,F401  (registers)
