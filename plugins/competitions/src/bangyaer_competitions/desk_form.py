"""The desk's activity form: posted fields to the bodies the API takes, stored values back.

Only the form's own format is checked here (a datetime-local value, a whole
number); what the values may be is decided by the same service steps the
JSON API calls, so both refuse alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.web import N_, ApiError
from bangyaer.web import gettext as _
from starlette.datastructures import FormData

from .activity_form import ACTIVITY_BODY, bad
from .judging.models import JudgingSetup
from .models import Activity, Group
from .results import settings_form

MAX_ROWS = 20
LISTS = ("elig_stage", "elig_grade")
# What an error's field is called on the form, to name it beside the message.
FIELD_TITLES = {
    "title": N_("活动名称"), "category": N_("类别"), "type": N_("作品类型"),
    "org_id": N_("主办单位"), "code_prefix": N_("编号前缀"), "description": N_("活动说明"),
    "eligibility": N_("报名条件"), "groups": N_("组别"),
    "registration_opens_at": N_("报名开始时间"), "registration_closes_at": N_("报名截止时间"),
    "submission_deadline": N_("作品提交截止时间"), "judging_starts_at": N_("评审开始时间"),
    "results_at": N_("结果公布时间"), "entries_per_child": N_("每名学生可报名次数"),
    "school_cap": N_("每校名额"), "judges_per_entry": N_("每件作品评委数"),
    "rubric": N_("评分细则"), "aggregation": N_("计分方法"),
    "trim_min_scores": N_("至少几个评分时去掉最高分和最低分"),
    "disagreement_threshold": N_("评委分差超过多少分时标记复核"),
    "tie_break": N_("同分时依次比较"), "award_rule": N_("评奖方式"),
}
REQUIRED_TIMES = ("registration_opens_at", "registration_closes_at", "submission_deadline")
OPTIONAL_TIMES = ("judging_starts_at", "results_at")


def title_of(field: str) -> str:
    if field.startswith("level_"):
        return _("评奖方式")
    return _(FIELD_TITLES[field]) if field in FIELD_TITLES else ""


def named(message: str, field: str) -> str:
    """The message with its field's name in front, unless it already says it."""
    title = title_of(field)
    if not title or title in message:
        return message
    return _("%(field)s：%(problem)s", field=title, problem=message)


def posted(form: FormData) -> dict[str, Any]:
    """The posted fields as one plain dict (the checkbox groups as lists)."""
    out: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    for name in LISTS:
        out[name] = [str(v) for v in form.getlist(name)]
    return out


def _local(value: dt.datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    # SQLite hands back naive datetimes; they were stored as UTC.
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _time(values: Mapping[str, Any], name: str, zone: ZoneInfo) -> str:
    """A datetime-local value (read in the district's zone) as the API's ISO time."""
    raw = str(values.get(name, "")).strip()
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise bad(name, _("请按“年-月-日 时:分”填写%(field)s", field=title_of(name))) from None
    return when.replace(tzinfo=zone, second=0, microsecond=0).isoformat()


def _whole(values: Mapping[str, Any], name: str) -> int | None:
    raw = str(values.get(name, "")).strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise bad(name, _("%(field)s应为整数", field=title_of(name)))
    return int(raw)


def _groups(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(MAX_ROWS):
        row = [str(values.get(f"group_{part}_{i}", "")).strip()
               for part in ("name", "stage", "min", "max")]
        if not row[0] and not row[2] and not row[3]:
            continue  # a spare row left empty
        low, high = (int(v) if v.isascii() and v.isdigit() else None for v in row[2:])
        out.append({"name": row[0], "stage": row[1], "grade_min": low, "grade_max": high})
    return out


def activity_data(values: Mapping[str, Any], zone: ZoneInfo, *, creating: bool,
                  was: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The API body the form stands for; groups and prefix only when the form has them.

    ``was`` holds the stored values, which say what may not be emptied.
    """
    was = was or {}
    data: dict[str, Any] = {name: str(values.get(name, "")) for name in
                            ("title", "category", "type", "description")}
    data["online_submission"] = values.get("online_submission") == "1"
    data["eligibility"] = {
        "stages": [s for s in values.get("elig_stage", [])],
        "grades": [int(g) for g in values.get("elig_grade", []) if g.isascii() and g.isdigit()],
        # Not yet: choosing the schools an activity is limited to; the form keeps them as
        # stored and the API's eligibility.school_ids sets them.
        "school_ids": [int(s) for s in str(values.get("elig_schools", "")).split(",")
                       if s.strip().isdigit()],
    }
    for name in REQUIRED_TIMES:
        if not str(values.get(name, "")).strip():
            raise bad(name, _("请填写%(field)s", field=title_of(name)))
        data[name] = _time(values, name, zone)
    for name in OPTIONAL_TIMES:
        if str(values.get(name, "")).strip():
            data[name] = _time(values, name, zone)
        elif was.get(name):
            # The API sets a date but never unsets one: say so rather than keep it silently.
            raise bad(name, _("%(field)s已设置，不能清空，可改为其他时间", field=title_of(name)))
    for name in ("entries_per_child", "school_cap"):
        number = _whole(values, name)
        if number is not None:
            data[name] = number
        elif name == "school_cap" and was.get(name):
            raise bad(name, _("%(field)s已设置，不能清空，可改为其他人数", field=title_of(name)))
    if "group_rows" in values:
        data["groups"] = _groups(values)
    prefix = str(values.get("code_prefix", "")).strip()
    if "code_prefix" in values and (prefix or not creating):
        data["code_prefix"] = prefix  # blank on a new activity: one is made for it
    if creating and str(values.get("org_id", "")).isdigit():
        data["org_id"] = int(values["org_id"])
    return data


def setup_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """Judges per entry and the rubric, when the form has them (until the draw)."""
    if "judges_per_entry" not in values:
        return {}
    data: dict[str, Any] = {}
    k = _whole(values, "judges_per_entry")
    if k is None:
        raise bad("judges_per_entry", _("请填写%(field)s", field=title_of("judges_per_entry")))
    data["judges_per_entry"] = k
    rubric = []
    for i in range(MAX_ROWS):
        key, title, title_en, top = (str(values.get(f"crit_{part}_{i}", "")).strip()
                                     for part in ("key", "title", "title_en", "max"))
        if not (key or title or top):
            continue
        points: Any = int(top) if top.isascii() and top.isdigit() else top
        rubric.append({"key": key or _spare_key(values, i), "title_zh": title,
                       "title_en": title_en, "max_score": points})
    if rubric:  # none typed: the type's default rubric stays
        data["rubric"] = rubric
    return data


def _spare_key(values: Mapping[str, Any], i: int) -> str:
    # Staff name criteria in Chinese; the code the tie-breaks use is made for them.
    used = {str(values.get(f"crit_key_{n}", "")).strip() for n in range(MAX_ROWS)}
    n = i + 1
    while f"c{n}" in used:
        n += 1
    return f"c{n}"


def results_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """How results are computed, when the form has it (until the 公示)."""
    if "aggregation" not in values:
        return {}
    data = settings_form.settings_from_form(values)
    if "lower_is_better_shown" not in values:
        del data["lower_is_better"]  # only measured results have the box to tick
    if not data["award_rule"]["levels"]:
        del data["award_rule"]  # not set yet: the results desk can set it later
    return data


def changed(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """What the form changes, so the audit names only those fields and a field the
    status has fixed is refused only when someone tries to change it."""
    return {k: v for k, v in new.items() if old.get(k) != v}


def values_of(activity: Activity | None, groups: list[Group], setup: JudgingSetup | None,
              zone: ZoneInfo) -> dict[str, Any]:
    """The form's fields showing what is stored (a new activity's defaults with None)."""
    out: dict[str, Any] = {"online_submission": "1", "entries_per_child": "1",
                           "elig_stage": [], "elig_grade": [], "judges_per_entry": "3"}
    if activity is not None:
        rules = activity.eligibility or {}
        out.update({
            "title": activity.title, "category": activity.category, "type": activity.type_id,
            "description": activity.description or "", "code_prefix": activity.code_prefix,
            "online_submission": "1" if activity.online_submission else "",
            "entries_per_child": str(activity.entries_per_child),
            "school_cap": str(activity.school_cap or ""),
            "elig_stage": list(rules.get("stages") or []),
            "elig_grade": [str(g) for g in rules.get("grades") or []],
            "elig_schools": ",".join(str(s) for s in rules.get("school_ids") or []),
        })
        for name in (*REQUIRED_TIMES, *OPTIONAL_TIMES):
            out[name] = _local(getattr(activity, name), zone)
    for i, g in enumerate(groups):
        out.update({f"group_name_{i}": g.name, f"group_stage_{i}": g.stage,
                    f"group_min_{i}": str(g.grade_min), f"group_max_{i}": str(g.grade_max)})
    if setup is not None:
        out["judges_per_entry"] = str(setup.judges_per_entry)
        for i, c in enumerate(setup.rubric or []):
            out.update({f"crit_key_{i}": c["key"], f"crit_title_{i}": c["title_zh"],
                        f"crit_title_en_{i}": c.get("title_en", ""),
                        f"crit_max_{i}": str(c["max_score"])})
        out.update(settings_form.form_of(setup))
    return out


def check_lengths(data: Mapping[str, Any]) -> None:
    """The API body's length limits, which ``read_json`` applies to JSON requests."""
    for name, spec in ACTIVITY_BODY.fields.items():
        value = data.get(name)
        if spec.max_length and isinstance(value, str) and len(value) > spec.max_length:
            raise bad(name, _("%(field)s过长（最多 %(max)s 字）", field=title_of(name),
                              max=spec.max_length))


def shown_on_form(exc: ApiError) -> bool:
    """A refusal the form shows beside its fields; others are pages of their own."""
    return exc.status not in (401, 403) and exc.code != "activity_not_found"
