"""Reading a roster file (XLSX or CSV) into numbered rows of cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ._fields import column_for_header
from ._model import Problem, RosterInvalid

# A title such as "2024 学年学生名册" may sit above the header.
HEADER_SEARCH_ROWS = 10
PROGRESS_EVERY = 1000
Cells = tuple[object, ...]
# Called with (rows read so far, rows the file is expected to have, or None).
RowProgress = Callable[[int, int | None], None]


@dataclass
class Table:
    """The header's column positions and the rows below it, numbered as the file shows."""

    header_row: int
    columns: dict[str, int]
    rows: list[tuple[int, Cells]]
    ignored_columns: list[str] = field(default_factory=list)


def read_table(path: Path, progress: RowProgress | None = None) -> Table:
    """Read ``path``; raises RosterInvalid for a file that cannot be read or has no header.

    ``progress(rows read, rows expected or None)`` is called every thousand rows.
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        expected, rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        expected, rows = _csv_rows(path.read_bytes())
    elif suffix == ".xls":
        raise _file_problem("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")
    else:
        raise _file_problem(f"不支持的文件类型“{path.suffix}”，请使用 .xlsx 或 .csv")
    return _to_table(_counted(rows, expected, progress) if progress else rows)


def _file_problem(message: str) -> RosterInvalid:
    return RosterInvalid([Problem(0, None, message)])


def _counted(rows: Iterator[tuple[int, Cells]], expected: int | None,
             progress: RowProgress) -> Iterator[tuple[int, Cells]]:
    done = 0
    for done, row in enumerate(rows, start=1):
        if done % PROGRESS_EVERY == 0:
            progress(done, expected)
        yield row
    progress(done, expected)


def _xlsx_rows(path: Path) -> tuple[int | None, Iterator[tuple[int, Cells]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # read_only streams the sheet instead of building every cell at once.
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise _file_problem(f"无法读取 Excel 文件（{type(exc).__name__}）") from None
    sheet = book.worksheets[0]

    def rows() -> Iterator[tuple[int, Cells]]:
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, tuple(values)
        finally:
            book.close()

    # The sheet's recorded size; None when the writing program left it out.
    return sheet.max_row, rows()


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 as Chinese Excel writes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _file_problem("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV") from None


def _csv_rows(data: bytes) -> tuple[int | None, Iterator[tuple[int, Cells]]]:
    text = decode_csv(data)
    first = text.split("\n", 1)[0]
    # Excel's "Unicode text" export separates with tabs; everything else with commas.
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, Cells]]:
        try:
            for values in reader:
                yield reader.line_num, tuple(values)
        except csv.Error as exc:
            raise _file_problem(f"第 {reader.line_num} 行：CSV 格式错误（{exc}）") from None

    return text.count("\n"), rows()


def _blank(values: Cells) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


def _to_table(rows: Iterator[tuple[int, Cells]]) -> Table:
    for number, values in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        columns, ignored, duplicates = _match_header(values)
        if len(columns) < 3:
            continue
        if duplicates:
            raise RosterInvalid([Problem(number, key, "表头中出现了不止一次")
                                 for key in duplicates])
        body = [(n, v) for n, v in rows if not _blank(v)]
        return Table(number, columns, body, ignored)
    raise _file_problem(
        f"未找到表头：前 {HEADER_SEARCH_ROWS} 行中没有 学号、学生姓名、班级 等列名")


def _match_header(values: Cells) -> tuple[dict[str, int], list[str], list[str]]:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    duplicates: list[str] = []
    for index, value in enumerate(values):
        key = column_for_header(value)
        if key is None:
            if value is not None and str(value).strip():
                ignored.append(str(value).strip())
        elif key in columns:
            duplicates.append(key)
        else:
            columns[key] = index
    return columns, ignored, duplicates
