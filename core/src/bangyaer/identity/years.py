"""School years on one scale across stages, and their names: 小班 … 大班, 一年级 … 初三.

Modules that match people to a grade band (clubs, cloud classes) compare
years here, so a band may run from kindergarten into primary school.
"""

from __future__ import annotations

from typing import Any

# Offsets that put every stage on one line: primary 1–6, middle 7–9.
STAGE_OFFSET = {"kindergarten": -3, "primary": 0, "middle": 6}
NAMES = {-2: "小班", -1: "中班", 0: "大班", 1: "一年级", 2: "二年级", 3: "三年级",
         4: "四年级", 5: "五年级", 6: "六年级", 7: "初一", 8: "初二", 9: "初三"}
YEAR_MIN, YEAR_MAX = -2, 9


def year_of(person: Any) -> int | None:
    """The person's school year on the common scale, or None if unplaced."""
    stage, grade = getattr(person, "stage", None), getattr(person, "grade", None)
    if stage is None or grade is None or str(stage) not in STAGE_OFFSET:
        return None
    return int(grade) + STAGE_OFFSET[str(stage)]


def year_name(year: int) -> str:
    return NAMES.get(year, str(year))


def span_name(low: int, high: int) -> str:
    if low == high:
        return year_name(low)
    return f"{year_name(low)}至{year_name(high)}"
