"""The roster: schools, classes, students and guardians imported from a spreadsheet.

``load_roster`` reads and checks a file (every problem at once, with its row
and column); ``apply_roster`` writes a checked roster in the caller's
transaction and returns an ``ImportReport``; ``import_roster_file`` does both
in one transaction. The file format is described in ``docs/roster.md``.
"""

from ._apply import (
    DEFAULT_DISTRICT_NAME,
    apply_roster,
    ensure_district,
    import_roster,
    import_roster_file,
    load_roster,
)
from ._bulk import Progress
from ._check import check_records, check_table
from ._fields import COLUMNS, Column
from ._model import (
    ClassKey,
    GuardianSpec,
    Problem,
    Roster,
    RosterInvalid,
    SchoolSpec,
    StudentSpec,
)
from ._read import RowProgress, read_table
from ._report import KIND_TITLES, Counts, ImportReport

__all__ = [
    "COLUMNS",
    "DEFAULT_DISTRICT_NAME",
    "KIND_TITLES",
    "ClassKey",
    "Column",
    "Counts",
    "GuardianSpec",
    "ImportReport",
    "Problem",
    "Progress",
    "Roster",
    "RosterInvalid",
    "RowProgress",
    "SchoolSpec",
    "StudentSpec",
    "apply_roster",
    "check_records",
    "check_table",
    "ensure_district",
    "import_roster",
    "import_roster_file",
    "load_roster",
    "read_table",
]
