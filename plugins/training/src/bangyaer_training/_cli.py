"""``bangyaer training verify-draw FILE``: recompute a published draw from its data alone."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._draw import DrawError, verify_published_draw
from ._lottery import admission_rates


@click.group("training")
def training() -> None:
    """培训班 (training classes)."""


@training.command("verify-draw")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_draw(file: Path) -> None:
    """Check a published draw (GET /api/v1/training/terms/<id>/draw saved as FILE)."""
    try:
        published = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file}: not a JSON document ({exc})") from None
    if not isinstance(published, dict):
        raise click.ClickException(f"{file}: expected a JSON object")
    try:
        result = verify_published_draw(published)
    except DrawError as exc:
        raise click.ClickException(f"draw does NOT verify: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise click.ClickException(f"{file}: malformed draw document ({exc!r})") from None
    click.echo(f"seed matches its published SHA-256 {published['seed_sha256']}")
    click.echo(f"list matches its published SHA-256 {published['list_sha256']}")
    click.echo(f"result recomputed: {len(result['admitted'])} admitted of "
               f"{len(published['list']['applications'])} applications")
    for line in admission_rates(result):
        shown = "—" if line["rate_percent"] is None else f"{line['rate_percent']}%"
        click.echo(f"  class {line['id']}: {line['admitted']}/{line['applications']} ({shown})")
    click.echo("draw verified")
