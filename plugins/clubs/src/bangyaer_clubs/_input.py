"""Checking what staff send: a bad field is a 422 that names it, in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.identity.years import YEAR_MAX, YEAR_MIN
from bangyaer.web import ApiError, Body, Field

# Staff type local times; a time without an offset is read as Beijing time.
ZONE = ZoneInfo("Asia/Shanghai")
MAX_QUESTIONS = 5

CLUB_BODY = Body({
    "name": Field(str, required=False, max_length=80),
    "category": Field(str, required=False, max_length=32),
    "year_min": Field(int, required=False), "year_max": Field(int, required=False),
    "leader_account_id": Field(int, required=False),
    "leader_name": Field(str, required=False, max_length=60),
    "place": Field(str, required=False, max_length=120),
    "meets": Field(str, required=False, max_length=120),
    "description": Field(str, required=False, max_length=4000),
    "capacity": Field(int, required=False), "active": Field(bool, required=False),
})
ROUND_BODY = Body({
    "title": Field(str, max_length=80), "opens_at": Field(str), "closes_at": Field(str),
    "questions": Field(list, required=False, description="up to 5 questions"),
    "audition": Field(bool, required=False),
})
APPLY_BODY = Body({"answers": Field(list, required=False)})
DECISION_BODY = Body({"admit": Field(bool),
                      "audition_result": Field(str, required=False, max_length=200)})
LEAVE_BODY = Body({"reason": Field(str, max_length=200)})
MEETING_BODY = Body({"starts_at": Field(str),
                     "topic": Field(str, required=False, max_length=120)})
ATTENDANCE_BODY = Body({"present": Field(list, description="child ids of those present")})
POST_BODY = Body({"title": Field(str, max_length=80),
                  "body": Field(str, required=False, max_length=2000)})


def bad(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_field", message, detail={"field": field})


def parse_time(field: str, raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise bad(field, f"{field} 应为日期时间，如 2027-03-01T16:00") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZONE)
    return value.astimezone(dt.UTC)


def club_fields(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v)
                           for k, v in data.items()}
    for name, label in (("name", "社团名称"), ("category", "类别")):
        if (creating or name in out) and not out.get(name):
            raise bad(name, f"请填写{label}")
    for name in ("year_min", "year_max"):
        if name in out and not YEAR_MIN <= out[name] <= YEAR_MAX:
            raise bad(name, f"年级应在 {YEAR_MIN} 到 {YEAR_MAX} 之间")
    if "capacity" in out and not 1 <= out["capacity"] <= 500:
        raise bad("capacity", "人数上限应为 1 到 500")
    return out


def round_fields(data: dict[str, Any]) -> dict[str, Any]:
    opens, closes = parse_time("opens_at", data["opens_at"]), parse_time("closes_at",
                                                                         data["closes_at"])
    if closes <= opens:
        raise bad("closes_at", "截止时间应晚于开始时间")
    questions = data.get("questions", [])
    if len(questions) > MAX_QUESTIONS:
        raise bad("questions", f"最多 {MAX_QUESTIONS} 个问题")
    cleaned = [q.strip() for q in questions if isinstance(q, str)]
    if len(cleaned) != len(questions) or not all(0 < len(q) <= 100 for q in cleaned):
        raise bad("questions", "每个问题应为 1 到 100 字的文字")
    if not data["title"].strip():
        raise bad("title", "请填写招新名称")
    return {"title": data["title"].strip(), "opens_at": opens, "closes_at": closes,
            "questions": cleaned, "audition": bool(data.get("audition", False))}


def child_ids(field: str, raw: list[Any]) -> set[int]:
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
        raise bad(field, "应为学生编号（整数）的列表")
    return set(raw)
