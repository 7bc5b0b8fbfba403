"""A checked roster: what a file says, deduplicated and ready to be written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..identity import Stage
from ._fields import BY_KEY


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; ``row`` 0 means the file as a whole."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        if self.column:
            where += f" {BY_KEY[self.column].title}"
        return f"{where}：{self.message}"


class RosterInvalid(ValueError):
    """The file has problems; nothing was written. ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the roster; nothing imported")


@dataclass(frozen=True)
class SchoolSpec:
    code: str
    name: str
    # Every stage the file lists for the school: a nine-year school has two.
    stages: frozenset[Stage]


@dataclass(frozen=True)
class ClassKey:
    school_code: str
    stage: Stage
    grade: int
    code: str


@dataclass(frozen=True)
class StudentSpec:
    student_no: str
    name: str
    gender: str | None
    birth_date: dt.date | None
    klass: ClassKey


@dataclass(frozen=True)
class GuardianSpec:
    phone: str
    name: str
    # The school of the first child listed: where a new guardian is placed.
    school_code: str


@dataclass
class Roster:
    """Everything a file lists, keyed the way the database is matched."""

    source: str = ""
    rows: int = 0
    schools: dict[str, SchoolSpec] = field(default_factory=dict)
    classes: dict[ClassKey, str] = field(default_factory=dict)
    students: dict[str, StudentSpec] = field(default_factory=dict)
    guardians: dict[str, GuardianSpec] = field(default_factory=dict)
    # (student_no, guardian phone) → relation code
    links: dict[tuple[str, str], str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def work(self) -> int:
        """Units of progress for writing: one per student, guardian and link."""
        return len(self.students) + len(self.guardians) + len(self.links)
