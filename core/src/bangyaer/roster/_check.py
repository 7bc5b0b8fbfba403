"""Checking every row, and the rows against each other, before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ..identity import Stage
from ._fields import (
    BY_KEY,
    COLUMNS,
    RELATION_TITLES,
    FieldError,
    cell_text,
    class_title,
    parse_birth_date,
    parse_class,
    parse_code,
    parse_gender,
    parse_grade,
    parse_name,
    parse_phone,
    parse_relation,
    parse_stage,
    parse_student_no,
)
from ._model import ClassKey, GuardianSpec, Problem, Roster, RosterInvalid, SchoolSpec, StudentSpec
from ._read import Table

SHANGHAI = ZoneInfo("Asia/Shanghai")


def check_table(table: Table, *, source: str = "", today: dt.date | None = None) -> Roster:
    """The roster a table describes; raises RosterInvalid listing every problem."""
    missing = [c for c in COLUMNS if c.required and c.key not in table.columns]
    if missing:
        raise RosterInvalid([Problem(table.header_row, c.key, "表头中缺少此列")
                             for c in missing])
    checker = _Checker(source, today)
    checker.roster.ignored_columns = list(table.ignored_columns)
    for number, cells in table.rows:
        checker.add(number, {key: cells[i] if i < len(cells) else None
                             for key, i in table.columns.items()})
    return checker.finish()


def check_records(records: Iterable[Mapping[str, object]], *, source: str = "",
                  today: dt.date | None = None) -> Roster:
    """The roster for rows given as {column key: value}; row numbers start at 2, as in a sheet."""
    checker = _Checker(source, today)
    for number, record in enumerate(records, start=2):
        checker.add(number, record)
    return checker.finish()


@dataclass
class _Cells:
    """One row's values as read; every required one is set when the row read cleanly."""

    school_code: str
    school_name: str
    stage: Stage
    grade: int
    klass: tuple[str, int | None]
    student_no: str
    name: str
    gender: str | None
    birth: dt.date | None
    guardian: str | None
    phone: str | None
    relation: str | None

    @property
    def class_code(self) -> str:
        return self.klass[0]

    @property
    def class_number(self) -> int | None:
        return self.klass[1]


class _Checker:
    def __init__(self, source: str, today: dt.date | None) -> None:
        self.today = today or dt.datetime.now(SHANGHAI).date()
        self.roster = Roster(source=source)
        self.problems: list[Problem] = []
        # Where each key was first seen, so a conflict can name that row.
        self.first_row: dict[tuple[str, object], int] = {}

    def finish(self) -> Roster:
        if self.problems:
            raise RosterInvalid(self.problems)
        if not self.roster.students:
            raise RosterInvalid([Problem(0, None, "表头下没有任何学生数据")])
        return self.roster

    def add(self, row: int, record: Mapping[str, object]) -> None:
        self.roster.rows += 1
        cells = self._read(row, record)
        if cells is None:
            return  # conflicts between rows are judged on rows that read cleanly
        key = ClassKey(cells.school_code, cells.stage, cells.grade, cells.class_code)
        student = StudentSpec(cells.student_no, cells.name, cells.gender, cells.birth, key)
        self._add_school(row, cells.school_code, cells.school_name, cells.stage)
        self.roster.classes.setdefault(key, class_title(
            cells.stage, cells.grade, cells.class_code, cells.class_number))
        if self._add_student(row, student) and cells.phone:
            self._add_guardian(row, student, cells.phone, cells.guardian or "",
                               cells.relation or "O")

    def _read(self, row: int, record: Mapping[str, object]) -> _Cells | None:
        """The row's values, or None after recording each cell's problem."""
        text = {key: cell_text(record.get(key)) for key in BY_KEY}
        before = len(self.problems)
        for column in COLUMNS:
            if column.required and not text[column.key]:
                self._problem(row, column.key, "不能为空")

        def read(key: str, parse: Callable[[str], Any]) -> Any:
            if not text[key]:
                return None
            try:
                return parse(text[key])
            except FieldError as exc:
                self._problem(row, key, str(exc))
                return None

        stage = read("stage", parse_stage)
        unread: Any = None
        cells = _Cells(
            school_code=read("school_code", parse_code),
            school_name=read("school_name", lambda t: parse_name(t, 200)),
            stage=stage,
            # The grade is read within the stage, so only once the stage is known.
            grade=read("grade", lambda t: parse_grade(t, stage)) if stage else unread,
            klass=read("class", parse_class),
            student_no=read("student_no", parse_student_no),
            name=read("student_name", parse_name),
            gender=read("gender", parse_gender),
            birth=read("birth_date", lambda _: parse_birth_date(record.get("birth_date"),
                                                                self.today)),
            guardian=read("guardian_name", parse_name),
            phone=read("guardian_phone", parse_phone),
            relation=read("relation", parse_relation),
        )
        self._check_guardian_columns(row, text)
        return None if len(self.problems) > before else cells

    def _problem(self, row: int, key: str | None, message: str) -> None:
        self.problems.append(Problem(row, key, message))

    def _check_guardian_columns(self, row: int, text: Mapping[str, str]) -> None:
        if text["guardian_name"] and not text["guardian_phone"]:
            self._problem(row, "guardian_phone", "填写了家长姓名时不能为空")
        if text["guardian_phone"] and not text["guardian_name"]:
            self._problem(row, "guardian_name", "填写了家长手机时不能为空")
        if text["relation"] and not text["guardian_phone"] and not text["guardian_name"]:
            self._problem(row, "relation", "没有家长信息时不应填写")

    def _seen(self, kind: str, key: object, row: int) -> int | None:
        """The row where ``key`` was first seen, or None (and remember this row)."""
        first = self.first_row.setdefault((kind, key), row)
        return None if first == row else first

    def _add_school(self, row: int, code: str, name: str, stage: Stage) -> None:
        known = self.roster.schools.get(code)
        if known is None:
            self._seen("school", code, row)
            self.roster.schools[code] = SchoolSpec(code, name, frozenset({stage}))
            return
        if known.name != name:
            first = self.first_row[("school", code)]
            self._problem(row, "school_name",
                          f"与第 {first} 行同一学校代码的名称“{known.name}”不一致")
        elif stage not in known.stages:
            self.roster.schools[code] = SchoolSpec(code, name, known.stages | {stage})

    def _add_student(self, row: int, student: StudentSpec) -> bool:
        known = self.roster.students.get(student.student_no)
        if known is None:
            self._seen("student", student.student_no, row)
            self.roster.students[student.student_no] = student
            return True
        differs = _first_difference(known, student)
        if differs:
            first = self.first_row[("student", student.student_no)]
            self._problem(row, "student_no",
                          f"与第 {first} 行学号相同，但{BY_KEY[differs].label}不一致")
            return False
        return True

    def _add_guardian(self, row: int, student: StudentSpec, phone: str, name: str,
                      relation: str) -> None:
        known = self.roster.guardians.get(phone)
        if known is None:
            self._seen("guardian", phone, row)
            self.roster.guardians[phone] = GuardianSpec(phone, name, student.klass.school_code)
        elif known.name != name:
            first = self.first_row[("guardian", phone)]
            self._problem(row, "guardian_name",
                          f"与第 {first} 行同一家长手机的姓名“{known.name}”不一致")
            return
        link = (student.student_no, phone)
        earlier = self.roster.links.get(link)
        if earlier is None:
            self._seen("link", link, row)
            self.roster.links[link] = relation
        elif earlier != relation:
            first = self.first_row[("link", link)]
            self._problem(row, "relation", f"与第 {first} 行同一学生和家长的关系"
                                           f"“{RELATION_TITLES[earlier]}”不一致")


def _first_difference(a: StudentSpec, b: StudentSpec) -> str | None:
    """The column key of the first detail two rows of one student disagree on."""
    pairs = (
        ("student_name", a.name, b.name),
        ("gender", a.gender, b.gender),
        ("birth_date", a.birth_date, b.birth_date),
        ("school_code", a.klass.school_code, b.klass.school_code),
        ("stage", a.klass.stage, b.klass.stage),
        ("grade", a.klass.grade, b.klass.grade),
        ("class", a.klass.code, b.klass.code),
    )
    return next((key for key, x, y in pairs if x != y), None)
