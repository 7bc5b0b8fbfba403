"""A term's catalogue from XLSX: every row checked first, nothing written if any is bad."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Campus, Course, Mode, Term, TrainingClass

# (header in the sheet, field, required)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("班级编号", "code", True), ("班级名称", "name", True),
    ("课程编号", "course_code", True), ("课程名称", "course_name", True),
    ("类别", "category", True), ("级别", "level", False), ("衔接课程编号", "follows", False),
    ("校区编号", "campus_code", True), ("校区名称", "campus_name", True),
    ("招生方式", "mode", True), ("最小年龄", "age_min", False), ("最大年龄", "age_max", False),
    ("最低年级", "grade_min", False), ("最高年级", "grade_max", False),
    ("学费（元）", "fee", True), ("课时数", "lessons", True), ("星期", "weekday", True),
    ("开始时间", "start_time", True), ("结束时间", "end_time", True),
    ("教师", "teacher", False), ("教室", "room", False), ("名额", "capacity", True),
)
MODES = {"先到先得": Mode.first_come, "摇号": Mode.lottery}
WEEKDAY_NAMES = {"周一": 1, "周二": 2, "周三": 3, "周四": 4, "周五": 5, "周六": 6, "周日": 7}
MAX_ROWS = 5000


class ImportRejected(Exception):
    """The sheet has problems; ``problems`` lists each with its row and column."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _int(raw: str, low: int, high: int) -> int:
    if not re.fullmatch(r"-?\d+", raw):
        raise ValueError(f"应为整数，实际为“{raw}”")
    value = int(raw)
    if not low <= value <= high:
        raise ValueError(f"应在 {low}–{high} 之间，实际为 {value}")
    return value


def _fen(raw: str) -> int:
    try:
        yuan = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"应为金额（元），实际为“{raw}”") from None
    fen = yuan * 100
    if yuan < 0 or fen != fen.to_integral_value():
        raise ValueError(f"应为不小于 0、最多两位小数的金额，实际为“{raw}”")
    return int(fen)


def _time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value.time()
    raw = _text(value)
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"应为 时:分（如 09:30），实际为“{raw}”")
    return dt.time(int(match[1]), int(match[2]))


def _weekday(raw: str) -> int:
    if raw in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[raw]
    return _int(raw, 1, 7)


def _convert(field: str, value: Any) -> Any:
    raw = _text(value)
    if field in ("level",):
        return _int(raw, 1, 20)
    if field in ("age_min", "age_max"):
        return _int(raw, 2, 18)
    if field in ("grade_min", "grade_max"):
        return _int(raw, -2, 9)
    if field == "lessons":
        return _int(raw, 1, 200)
    if field == "capacity":
        return _int(raw, 1, 10_000)
    if field == "fee":
        return _fen(raw)
    if field == "weekday":
        return _weekday(raw)
    if field in ("start_time", "end_time"):
        return _time(value)
    if field == "mode":
        if raw not in MODES:
            raise ValueError(f"应为“先到先得”或“摇号”，实际为“{raw}”")
        return MODES[raw]
    if len(raw) > 100:
        raise ValueError("超过 100 个字")
    return raw


def parse(data: bytes) -> list[_Row]:
    """Read and check every row; raises ImportRejected listing all problems."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        raise ImportRejected([f"无法读取文件：不是有效的 XLSX 表格（{type(exc).__name__}）"]
                             ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [h for h, _, required in COLUMNS if required and h not in header]
    if missing:
        raise ImportRejected([f"第 1 行：缺少列 {'、'.join(missing)}"])
    where = {h: header.index(h) for h, _, _ in COLUMNS if h in header}
    problems: list[str] = []
    out: list[_Row] = []
    for number, cells in enumerate(rows, start=2):
        if all(_text(c) == "" for c in cells):
            continue
        if len(out) >= MAX_ROWS:
            raise ImportRejected([f"超过 {MAX_ROWS} 行，请分批导入"])
        values: dict[str, Any] = {}
        for head, field, required in COLUMNS:
            value = cells[where[head]] if head in where and where[head] < len(cells) else None
            if _text(value) == "":
                if required:
                    problems.append(f"第 {number} 行「{head}」：不能为空")
                values[field] = None
                continue
            try:
                values[field] = _convert(field, value)
            except ValueError as exc:
                problems.append(f"第 {number} 行「{head}」：{exc}")
        problems += _row_rules(number, values)
        out.append(_Row(number, values))
    problems += _duplicates(out)
    if not out and not problems:
        problems.append("表格中没有班级")
    if problems:
        raise ImportRejected(problems)
    return out


def _row_rules(number: int, v: dict[str, Any]) -> list[str]:
    found = []
    start, end = v.get("start_time"), v.get("end_time")
    if isinstance(start, dt.time) and isinstance(end, dt.time) and end <= start:
        found.append(f"第 {number} 行「结束时间」：应晚于开始时间")
    for low, high, head in (("age_min", "age_max", "最大年龄"),
                            ("grade_min", "grade_max", "最高年级")):
        a, b = v.get(low), v.get(high)
        if isinstance(a, int) and isinstance(b, int) and b < a:
            found.append(f"第 {number} 行「{head}」：不能小于下限")
    return found


def _duplicates(rows: list[_Row]) -> list[str]:
    seen: dict[str, int] = {}
    found = []
    for row in rows:
        code = row.values.get("code")
        if code in seen:
            found.append(f"第 {row.number} 行「班级编号」：与第 {seen[code]} 行重复（{code}）")
        elif code:
            seen[code] = row.number
    return found


async def import_catalogue(session: AsyncSession, term: Term, data: bytes) -> int:
    """Create the term's classes (and new courses and campuses); the number of classes."""
    rows = parse(data)
    existing = set(await session.scalars(
        select(TrainingClass.code).where(TrainingClass.term_id == term.id)))
    clashes = [f"第 {r.number} 行「班级编号」：本学期已有班级 {r.values['code']}"
               for r in rows if r.values["code"] in existing]
    if clashes:
        raise ImportRejected(clashes)
    courses = {c.code: c for c in await session.scalars(select(Course))}
    campuses = {c.code: c for c in await session.scalars(select(Campus))}
    problems: list[str] = []
    for row in rows:
        v = row.values
        course = courses.get(v["course_code"])
        if course is None:
            course = Course(code=v["course_code"], name=v["course_name"],
                            category=v["category"], level=v["level"] or 1)
            session.add(course)
            courses[course.code] = course
        campus = campuses.get(v["campus_code"])
        if campus is None:
            campus = Campus(code=v["campus_code"], name=v["campus_name"])
            session.add(campus)
            campuses[campus.code] = campus
    await session.flush()
    for row in rows:
        v = row.values
        course = courses[v["course_code"]]
        if v["follows"]:
            follows = courses.get(v["follows"])
            if follows is None:
                problems.append(f"第 {row.number} 行「衔接课程编号」：没有课程 {v['follows']}")
                continue
            course.follows_id = follows.id
        session.add(TrainingClass(
            term_id=term.id, course_id=course.id, campus_id=campuses[v["campus_code"]].id,
            code=v["code"], name=v["name"], mode=v["mode"], age_min=v["age_min"],
            age_max=v["age_max"], grade_min=v["grade_min"], grade_max=v["grade_max"],
            fee_fen=v["fee"], lessons=v["lessons"], weekday=v["weekday"],
            start_time=v["start_time"], end_time=v["end_time"], teacher=v["teacher"] or "",
            room=v["room"] or "", capacity=v["capacity"], taken=0,
        ))
    if problems:
        # The caller's transaction rolls back: nothing of this sheet is kept.
        raise ImportRejected(problems)
    await session.flush()
    return len(rows)
