"""Writing a checked roster in the caller's transaction, and the one-call file import."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..db import Database
from ..identity import Actor, Organisation, OrgKind, add_organisation, audit, district_of
from ._bulk import Progress
from ._check import check_table
from ._model import Roster
from ._orgs import write_organisations
from ._people import deactivate_missing, write_guardians, write_guardianships, write_students
from ._read import RowProgress, read_table
from ._report import ImportReport

log = logging.getLogger("bangyaer.roster")

DEFAULT_DISTRICT_NAME = "本区"


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back, carrying its report."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


def load_roster(path: Path, progress: RowProgress | None = None) -> Roster:
    """Read and check a roster file; raises RosterInvalid listing every problem."""
    return check_table(read_table(path, progress), source=path.name)


async def ensure_district(session: AsyncSession, name: str = DEFAULT_DISTRICT_NAME,
                          code: str = "district") -> Organisation:
    """The deployment's district, made on first use: one tree per deployment."""
    district = await district_of(session)
    if district is None:
        district = await add_organisation(session, kind=OrgKind.district, code=code, name=name)
    return district


async def apply_roster(
    session: AsyncSession,
    roster: Roster,
    *,
    deactivate_missing_students: bool = False,
    district_name: str = DEFAULT_DISTRICT_NAME,
    actor: Actor | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Bring the database in line with ``roster`` inside ``session``; audited, idempotent."""
    report = ImportReport(source=roster.source, rows=roster.rows,
                          ignored_columns=list(roster.ignored_columns),
                          deactivate_missing=deactivate_missing_students)
    counts = report.counts
    district = await ensure_district(session, district_name)
    schools, classes = await write_organisations(session, roster, district, counts)
    await session.flush()

    students = await write_students(session, roster, classes, counts["students"], progress)
    if deactivate_missing_students:
        await deactivate_missing(session, roster, schools, counts["students"])
    guardians = await write_guardians(session, roster, schools, counts["guardians"], progress)
    await write_guardianships(session, roster, students, guardians, counts["guardianships"],
                              progress)

    # Counts and the file name only: the audit log never holds a name or a phone.
    await audit(session, actor, "roster.import", "roster", roster.source, **report.as_dict())
    log.info("roster %s: %d rows, students +%d ~%d -%d, guardians +%d ~%d",
             roster.source, roster.rows, counts["students"].added, counts["students"].updated,
             counts["students"].deactivated, counts["guardians"].added,
             counts["guardians"].updated)
    return report


async def import_roster(
    db: Database,
    roster: Roster,
    *,
    deactivate_missing_students: bool = False,
    district_name: str = DEFAULT_DISTRICT_NAME,
    dry_run: bool = False,
    actor: Actor | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Write a checked roster in one transaction of its own; a dry run rolls back at the end."""
    try:
        async with db.transaction() as session:
            report = await apply_roster(
                session, roster, deactivate_missing_students=deactivate_missing_students,
                district_name=district_name, actor=actor, progress=progress)
            if dry_run:
                raise _DryRun(report)
    except _DryRun as rolled_back:
        report = rolled_back.report
        report.dry_run = True
    return report


async def import_roster_file(db: Database, path: Path, **options: Any) -> ImportReport:
    """Check ``path`` and import it: ``load_roster`` then ``import_roster``."""
    return await import_roster(db, load_roster(path), **options)
