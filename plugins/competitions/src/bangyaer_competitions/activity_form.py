"""Reading an activity's settings from staff input, with a clear error per field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bangyaer.web import ApiError, Body, Field

from .eligibility import STAGE_TITLES

PREFIX = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
DATES = ("registration_opens_at", "registration_closes_at", "submission_deadline",
         "judging_starts_at", "results_at")

ACTIVITY_BODY = Body({
    "title": Field(str, max_length=200), "category": Field(str), "type": Field(str),
    "org_id": Field(int, required=False, description="the school for a school-level activity"),
    "code_prefix": Field(str, required=False, max_length=12),
    "description": Field(str, required=False, max_length=4000),
    "eligibility": Field(dict, required=False), "groups": Field(list),
    "registration_opens_at": Field(str), "registration_closes_at": Field(str),
    "submission_deadline": Field(str), "judging_starts_at": Field(str, required=False),
    "results_at": Field(str, required=False), "online_submission": Field(bool, required=False),
    "entries_per_child": Field(int, required=False), "school_cap": Field(int, required=False),
})
UPDATE_BODY = Body({name: Field(f.type, required=False, max_length=f.max_length)
                    for name, f in ACTIVITY_BODY.fields.items() if name != "org_id"})


def bad(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_field", message, detail={"field": field})


def parse_time(field: str, raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise bad(field, f"{field} 应为带时区的 ISO 时间，如 2026-03-01T08:00:00+08:00") from None
    if value.tzinfo is None:
        raise bad(field, f"{field} 需要写明时区，如 +08:00")
    return value.astimezone(dt.UTC)


def parse_groups(raw: list[Any]) -> list[dict[str, Any]]:
    if not raw:
        raise bad("groups", "至少需要一个组别")
    out = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise bad("groups", f"第 {i} 个组别格式有误")
        name, stage = item.get("name"), item.get("stage")
        low, high = item.get("grade_min"), item.get("grade_max")
        if not isinstance(name, str) or not name.strip() or len(name) > 64:
            raise bad("groups", f"第 {i} 个组别缺少名称")
        if stage not in STAGE_TITLES:
            raise bad("groups", f"组别“{name}”的学段应为 {'、'.join(STAGE_TITLES)}")
        if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= 9):
            raise bad("groups", f"组别“{name}”的年级范围有误")
        out.append({"number": i, "name": name.strip(), "stage": stage,
                    "grade_min": low, "grade_max": high})
    return out


def parse_eligibility(raw: dict[str, Any]) -> dict[str, list[Any]]:
    unknown = set(raw) - {"stages", "grades", "school_ids"}
    if unknown:
        raise bad("eligibility", f"未知的报名条件 {', '.join(sorted(unknown))}")
    stages = raw.get("stages") or []
    grades = raw.get("grades") or []
    schools = raw.get("school_ids") or []
    if not all(s in STAGE_TITLES for s in stages):
        raise bad("eligibility", f"学段应为 {'、'.join(STAGE_TITLES)}")
    if not all(isinstance(g, int) and 1 <= g <= 9 for g in grades):
        raise bad("eligibility", "年级应为 1–9 的数字")
    if not all(isinstance(s, int) for s in schools):
        raise bad("eligibility", "学校应为学校编号")
    return {"stages": list(stages), "grades": list(grades), "school_ids": list(schools)}


def parse(data: dict[str, Any], categories: list[str], type_ids: list[str]
          ) -> dict[str, Any]:
    """Activity column values from a (possibly partial) staff request."""
    values: dict[str, Any] = {}
    for key in ("title", "description", "online_submission"):
        if key in data:
            values[key] = data[key].strip() if isinstance(data[key], str) else data[key]
    if "title" in values and not values["title"]:
        raise bad("title", "请填写活动名称")
    if "category" in data:
        if data["category"] not in categories:
            raise bad("category", f"类别应为 {'、'.join(categories)}")
        values["category"] = data["category"]
    if "type" in data:
        if data["type"] not in type_ids:
            raise bad("type", f"作品类型应为 {', '.join(sorted(type_ids))}")
        values["type_id"] = data["type"]
    if "code_prefix" in data:
        if not PREFIX.match(data["code_prefix"]):
            raise bad("code_prefix", "编号前缀应为大写字母开头的 2–12 位字母或数字，如 K2026")
        values["code_prefix"] = data["code_prefix"]
    if "eligibility" in data:
        values["eligibility"] = parse_eligibility(data["eligibility"])
    for key in DATES:
        if key in data:
            values[key] = parse_time(key, data[key])
    for key in ("entries_per_child", "school_cap"):
        if key in data and data[key] < 1:
            raise bad(key, f"{key} 至少为 1")
        if key in data:
            values[key] = data[key]
    return values


def check_dates(opens: dt.datetime, closes: dt.datetime, deadline: dt.datetime) -> None:
    if not opens < closes:
        raise bad("registration_closes_at", "报名截止时间应晚于报名开始时间")
    if deadline < closes:
        raise bad("submission_deadline", "作品提交截止时间不应早于报名截止时间")
