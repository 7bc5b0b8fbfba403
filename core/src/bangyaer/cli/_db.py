"""``bangyaer db``: migrations of the core and every enabled plugin."""

from __future__ import annotations

import click

from ..db._migrate import MigrationError, current_heads, upgrade
from . import State, main, pass_state, run


# Not yet: `db revision --plugin ID` to autogenerate a branch's next revision;
# acceptable because revisions are short and docs/plugins.md gives the template.
@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: State) -> None:
    """Bring the core and every enabled plugin to their newest schema."""
    platform = state.platform()
    try:
        result = run(upgrade(platform))
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        run(platform.close())
    for branch, heads in result.heads.items():
        applied = [r for r in result.applied if r.startswith(f"{branch}_")]
        done = f"applied {', '.join(applied)}" if applied else "up to date"
        click.echo(f"{branch}: {', '.join(heads) or '-'} ({done})")
    for revision in result.left_alone:
        click.echo(f"left alone: {revision} (its plugin is not enabled)")


@db.command("current")
@pass_state
def db_current(state: State) -> None:
    """Show every revision the database is at, one a line."""
    platform = state.platform()
    try:
        for revision in run(current_heads(platform)):
            click.echo(revision)
    finally:
        run(platform.close())
