from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.exc import DBAPIError

from ..roster import (
    DEFAULT_DISTRICT_NAME,
    KIND_TITLES,
    ImportReport,
    Progress,
    Roster,
    RosterInvalid,
    import_roster,
    load_roster,
)
from . import State, main, pass_state, run

# Shown in full up to here; beyond it the rest is counted, so a file that is
# wrong on every row still fits on a screen.
MAX_PROBLEMS_SHOWN = 50
# Smaller files finish before a progress bar would be any use.
PROGRESS_FROM_ROWS = 2000


@main.group()
def roster() -> None:
    """The roster of schools, classes, students and guardians."""


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--deactivate-missing", is_flag=True,
              help="Mark inactive the students of the file's schools that the file leaves out.")
@click.option("--dry-run", is_flag=True, help="Check and count, then roll everything back.")
@click.option("--district-name", default=DEFAULT_DISTRICT_NAME, show_default=True,
              metavar="NAME", help="Name of the district, if this import creates it.")
@pass_state
def roster_import(state: State, file: Path, deactivate_missing: bool, dry_run: bool,
                  district_name: str) -> None:
    """Import schools, classes, students and guardians from an XLSX or CSV file.

    Every row is checked first; if any row is wrong, nothing is imported.
    Importing the same file again changes nothing.
    """
    try:
        with _ReadingBar() as reading:
            checked = load_roster(file, reading)
    except RosterInvalid as exc:
        _fail(exc)
    for name in checked.ignored_columns:
        click.echo(f"已忽略未知列 (ignored column)：{name}", err=True)
    platform = state.platform()

    async def go() -> ImportReport:
        try:
            with _progress(checked) as progress:
                return await import_roster(
                    platform.db, checked, deactivate_missing_students=deactivate_missing,
                    district_name=district_name, dry_run=dry_run, progress=progress)
        except DBAPIError as exc:
            # Rolled back whole: the database refused a statement (no schema yet,
            # or a concurrent change), and nothing of this file was kept.
            raise click.ClickException(
                f"数据库错误，未导入任何数据 (database error; nothing imported): {exc.orig}; "
                "is the schema current? run `bangyaer db upgrade`") from None
        finally:
            await platform.close()

    _print_report(run(go()))


class _ReadingBar:
    """A progress bar for reading, shown once the file turns out to be large."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._update: Callable[[int], None] | None = None
        self._done = 0

    def __call__(self, done: int, expected: int | None) -> None:
        if self._update is None and expected and expected >= PROGRESS_FROM_ROWS:
            bar = click.progressbar(length=expected, label="读取名册 (reading)")
            self._update = self._stack.enter_context(bar).update
        if self._update is not None:
            self._update(done - self._done)
        self._done = done

    def __enter__(self) -> _ReadingBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()


@contextlib.contextmanager
def _progress(checked: Roster) -> Iterator[Progress | None]:
    if checked.rows < PROGRESS_FROM_ROWS:
        yield None
        return
    with click.progressbar(length=checked.work, label="写入名册 (writing)") as bar:
        yield bar.update


def _fail(exc: RosterInvalid) -> NoReturn:
    for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(str(problem), err=True)
    hidden = len(exc.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        click.echo(f"……另有 {hidden} 处问题未显示 ({hidden} more not shown)", err=True)
    count = len(exc.problems)
    raise click.ClickException(
        f"名册有 {count} 处问题，未导入任何数据 ({count} problems; nothing imported)")


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def display_cell(text: object, width: int, left: bool = False) -> str:
    value = str(text)
    pad = " " * max(0, width - _width(value))
    return value + pad if left else pad + value


def _print_report(report: ImportReport) -> None:
    verb = "检查完成，已回滚 (dry run, rolled back)" if report.dry_run else "导入完成 (imported)"
    click.echo(f"{report.source}：{report.rows} 行，{verb}")
    click.echo(display_cell("", 10, left=True)
               + "".join(display_cell(h, 8) for h in ("新增", "更新", "未变", "停用")))
    for kind, title in KIND_TITLES.items():
        c = report.counts[kind]
        deactivated = c.deactivated if kind == "students" else "-"
        numbers = (c.added, c.updated, c.unchanged, deactivated)
        click.echo(display_cell(title, 10, left=True)
                   + "".join(display_cell(n, 8) for n in numbers))
    if not report.changed:
        click.echo("名册与数据库一致，没有任何变化 (nothing changed)")
