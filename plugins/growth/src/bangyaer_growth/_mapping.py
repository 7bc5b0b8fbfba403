"""From an event to a record: known event types, and the convention for the rest.

Any plugin's event with ``subject_id`` set to a student becomes a record.
Its payload may carry (all optional; see the README):

- ``title``: what the family reads in the timeline, e.g. "获得“环保章”";
- ``category``: 科技, 艺术, 体育, 阅读, 实践, 德育 … (free text, 32 characters);
- ``occurred_at``: ISO 8601 with a zone; the event's own time otherwise;
- ``url``: a path on this site (``/pioneers/me``) for "more";
- ``hours``: time spent, a number, counted into the training hours.

Events of the types below are described from the fields those modules emit.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from bangyaer.events import Event

DEFAULT_CATEGORY = "其他"
# Roster bookkeeping and publishing are about the platform, not the child's growth.
IGNORED_PREFIXES = ("dingtalk.", "notices.")
IGNORED = frozenset({"core.dispatch_event"})
CANCELLED = "competitions.entry_cancelled"
# An award's category follows the module whose activity it was won in.
AWARD_CATEGORIES = {"competitions": "竞赛", "training": "培训", "classroom": "云课堂",
                    "pioneers": "少先队", "clubs": "社团"}
CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Described:
    kind: str
    title: str
    category: str
    occurred_at: dt.datetime
    url: str = ""
    minutes: int = 0
    award: str | None = None
    certificate_id: int | None = None
    ref: str | None = None


def _text(payload: dict[str, Any], key: str, limit: int) -> str:
    value = payload.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _when(payload: dict[str, Any], fallback: dt.datetime) -> dt.datetime:
    raw = payload.get("occurred_at")
    if isinstance(raw, str):
        try:
            parsed = dt.datetime.fromisoformat(raw)
        except ValueError:
            return fallback
        if parsed.tzinfo is not None:  # a naive time's zone is a guess: keep the event's
            return parsed.astimezone(dt.UTC)
    return fallback


def _issued(payload: dict[str, Any], fallback: dt.datetime) -> dt.datetime:
    """An award dates from the day on its certificate (noon in China), not from the batch run."""
    try:
        day = dt.date.fromisoformat(str(payload.get("issued_on")))
    except ValueError:
        return fallback
    return dt.datetime.combine(day, dt.time(12), CHINA).astimezone(dt.UTC)


def _minutes(payload: dict[str, Any]) -> int:
    hours = payload.get("hours")
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        return 0
    if not math.isfinite(hours) or not 0 <= hours <= 10_000:
        return 0
    return round(hours * 60)


def _url(payload: dict[str, Any]) -> str:
    url = _text(payload, "url", 500)
    # Only paths on this site: a record's link must never lead a family elsewhere.
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


def _entry_ref(payload: dict[str, Any]) -> str | None:
    code = payload.get("entry_code")
    return f"competitions:entry:{code}" if isinstance(code, str | int) else None


def _known(event: Event, p: dict[str, Any], when: dt.datetime) -> Described | None:
    # Not yet: competitions and training events carry no subject category
    # (科技, 艺术 …), so theirs default to 竞赛 and 培训; a ``category`` in
    # their payload is used as soon as they send one.
    category = _text(p, "category", 32)
    activity = _text(p, "activity_title", 150)
    klass = _text(p, "class_name", 150)
    url = _url(p)
    code = p.get("entry_code")
    entry_url = f"/competitions/entries/{code}" if isinstance(code, str) and code.isprintable() \
        and "/" not in code else "/competitions/mine"
    match event.type:
        case "competitions.entry_registered":
            return Described("registered", f"报名“{activity}”", category or "竞赛", when,
                             url or entry_url, ref=_entry_ref(p))
        case "competitions.work_submitted":
            return Described("submitted", f"提交作品：{activity}", category or "竞赛", when,
                             url or entry_url, ref=_entry_ref(p))
        case "competitions.result_final":
            # The award itself arrives with its certificate; this records the outcome.
            outcome = _text(p, "award", 100) or "参与评审"
            return Described("activity", f"“{activity}”评审结果：{outcome}", category or "竞赛",
                             when, url or entry_url, ref=_entry_ref(p))
        case "core.certificate_issued":
            award = _text(p, "award", 100)
            cert = p.get("certificate_id")
            category = category or AWARD_CATEGORIES.get(_text(p, "source_plugin", 32), "获奖")
            return Described("award", f"{activity} {award}", category, _issued(p, when), url,
                             award=award or None,
                             certificate_id=cert if isinstance(cert, int) else None)
        case "training.enrolled":
            return Described("enrolled", f"录取培训班“{klass}”", category or "培训", when,
                             url or "/training/me")
        case "training.completed":
            lessons = p.get("lessons")
            minutes = _minutes(p)
            # A class's lessons are its 课时; a completed class counts them
            # unless the event says how many hours it was.
            if not minutes and isinstance(lessons, int) and 0 < lessons <= 1000:
                minutes = lessons * 60
            return Described("completed", f"培训班“{klass}”结业", category or "培训", when,
                             url or "/training/me", minutes=minutes)
        case "clubs.joined":
            return Described("membership", _text(p, "title", 200) or "加入社团",
                             category or "社团", when, url, minutes=_minutes(p))
        case "classroom.course_completed":
            return Described("cloud_class", f"完成课程“{_text(p, 'title', 150)}”",
                             category or "云课堂", when, url, minutes=_minutes(p))
        case "pioneers.took_part":
            return Described("pioneer_activity", f"参加“{_text(p, 'title', 150)}”",
                             category or "少先队", when, url, minutes=_minutes(p))
        case "pioneers.badge_earned":
            return Described("badge", _text(p, "title", 200) or "获得奖章",
                             category or "少先队", when, url)
    return None


def describe(event: Event) -> Described | None:
    """The record ``event`` makes, or None if it makes none."""
    if event.type in IGNORED or event.type.startswith(IGNORED_PREFIXES):
        return None
    payload = dict(event.payload)
    when = _when(payload, event.occurred_at)
    known = _known(event, payload, when)
    if known is not None:
        return known
    title = _text(payload, "title", 200) or event.type
    return Described("activity", title, _text(payload, "category", 32) or DEFAULT_CATEGORY,
                     when, _url(payload), minutes=_minutes(payload))


def cancelled_ref(event: Event) -> str | None:
    """The registration an ``entry_cancelled`` event withdraws."""
    return _entry_ref(dict(event.payload)) if event.type == CANCELLED else None
