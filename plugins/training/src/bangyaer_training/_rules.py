"""Who may take which class, and when: windows, age and grade bands, schedule clashes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from bangyaer.identity import Person

from .models import Term, TrainingClass

Phase = Literal["not_open", "continuing", "between", "open", "closed"]

WEEKDAYS = ("", "周一", "周二", "周三", "周四", "周五", "周六", "周日")
_STAGE_OFFSET = {"kindergarten": -3, "primary": 0, "middle": 6}


def phase(term: Term, now: dt.datetime) -> Phase:
    """Where the term's enrollment stands: 老生续报 first, then new registration."""
    if now < term.continuing_opens_at:
        return "not_open"
    if now < term.continuing_closes_at:
        return "continuing"
    if now < term.opens_at:
        return "between"
    if now < term.closes_at:
        return "open"
    return "closed"


def grade_level(person: Person) -> int | None:
    """One scale for all stages: 小/中/大班 = -2/-1/0, primary 1–6, middle 7–9."""
    if person.stage is None or person.grade is None:
        return None
    return _STAGE_OFFSET.get(str(person.stage), 0) + person.grade


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def ineligible_reason(klass: TrainingClass, term: Term, child: Person) -> str | None:
    """Why ``child`` may not take ``klass`` (Chinese, for the family), or None."""
    if klass.age_min is not None or klass.age_max is not None:
        if child.birth_date is None:
            return "孩子的出生日期未登记，无法核对年龄要求，请联系学校"
        age = age_on(child.birth_date, term.starts_on)
        low = klass.age_min if klass.age_min is not None else 0
        high = klass.age_max if klass.age_max is not None else 99
        if not low <= age <= high:
            wanted = band(klass.age_min, klass.age_max, "岁")
            return f"该班招收 {wanted} 的孩子，孩子开学时 {age} 岁"
    if klass.grade_min is not None or klass.grade_max is not None:
        level = grade_level(child)
        low = klass.grade_min if klass.grade_min is not None else -9
        high = klass.grade_max if klass.grade_max is not None else 99
        if level is None or not low <= level <= high:
            return f"该班招收 {grade_band(klass.grade_min, klass.grade_max)} 的孩子"
    return None


def band(low: int | None, high: int | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}{unit}"
    if low is not None:
        return f"{low}{unit}以上"
    if high is not None:
        return f"{high}{unit}以下"
    return "不限"


def grade_name(level: int) -> str:
    if level <= 0:
        return ("小班", "中班", "大班")[max(level + 2, 0)]
    if level <= 6:
        return f"{level}年级"
    return ("初一", "初二", "初三")[min(level - 7, 2)]


def grade_band(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "不限"
    if low is not None and high is not None:
        return grade_name(low) if low == high else f"{grade_name(low)}–{grade_name(high)}"
    return f"{grade_name(low)}及以上" if low is not None else f"{grade_name(high or 0)}及以下"


def slot(klass: TrainingClass) -> dict[str, object]:
    """The class's weekly slot as the draw's published list writes it."""
    return {"weekday": klass.weekday, "start": klass.start_time.strftime("%H:%M"),
            "end": klass.end_time.strftime("%H:%M")}


def clash(a: TrainingClass, b: TrainingClass) -> bool:
    return a.weekday == b.weekday and a.start_time < b.end_time and b.start_time < a.end_time


def schedule_text(klass: TrainingClass) -> str:
    return (f"{WEEKDAYS[klass.weekday]} {klass.start_time.strftime('%H:%M')}–"
            f"{klass.end_time.strftime('%H:%M')}")
