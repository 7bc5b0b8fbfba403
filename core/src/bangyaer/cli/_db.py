from __future__ import annotations

import click

from ..db._migrate import current_heads, upgrade
from . import State, main, pass_state, run


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: State) -> None:
    """Bring the core and every enabled plugin to their newest schema."""
    platform = state.platform()
    try:
        applied = run(upgrade(platform))
    finally:
        run(platform.close())
    for branch, heads in applied.items():
        click.echo(f"{branch}: {', '.join(heads) or '-'}")


@db.command("current")
@pass_state
def db_current(state: State) -> None:
    """Show the revision each branch is at."""
    platform = state.platform()
    try:
        for revision in run(current_heads(platform)):
            click.echo(revision)
    finally:
        run(platform.close())
