"""The award-rule form, shared by the results desk and the activity form: posted fields to
the settings the API takes, and stored settings back to the fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bangyaer.web import ApiError
from bangyaer.web import gettext as _

from ..judging.models import JudgingSetup
from ..scoring.awards import AWARD_LEVELS


def integer(form: Mapping[str, Any], name: str) -> int | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.lstrip("-").isdigit()):
        raise ApiError(422, "invalid_field", _("%(field)s 应为整数", field=name),
                       detail={"field": name})
    return int(raw)


def rule_from_form(form: Mapping[str, Any]) -> dict[str, Any]:
    levels = []
    for i, name in enumerate(AWARD_LEVELS):
        amount = str(form.get(f"level_{i}", "")).strip()
        if not amount:
            continue
        level: dict[str, Any] = {"name": name}
        if form.get("mode") == "threshold":
            level["min_score"] = amount
        elif form.get("quota_by") == "count":
            level["count"] = integer(form, f"level_{i}")
        else:
            level["percent"] = integer(form, f"level_{i}")
        levels.append(level)
    return {"mode": str(form.get("mode", "")), "rounding": str(form.get("rounding", "floor")),
            "cut_ties": str(form.get("cut_ties", "include")), "levels": levels}


def settings_from_form(form: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"aggregation": str(form.get("aggregation", "")),
                            "tie_break": [t.strip() for t in
                                          str(form.get("tie_break", "")).split(",") if t.strip()],
                            "award_rule": rule_from_form(form),
                            "lower_is_better": form.get("lower_is_better") == "1"}
    for name in ("trim_min_scores", "disagreement_threshold"):
        value = integer(form, name)
        if value is not None:
            data[name] = value
    return data


def form_of(setup: JudgingSetup) -> dict[str, str]:
    """The fields showing ``setup``'s settings, as a form posts them unchanged."""
    rule = setup.award_rule or {}
    levels = {lv.get("name"): lv for lv in rule.get("levels") or []}
    by_count = any(lv.get("count") is not None for lv in levels.values())
    out = {"aggregation": setup.aggregation, "trim_min_scores": str(setup.trim_min_scores),
           "disagreement_threshold": str(setup.disagreement_threshold),
           "tie_break": ", ".join(setup.tie_break or []),
           "lower_is_better": "1" if setup.lower_is_better else "",
           "mode": str(rule.get("mode") or "quota"),
           "quota_by": "count" if by_count else "percent",
           "rounding": str(rule.get("rounding") or "floor"),
           "cut_ties": str(rule.get("cut_ties") or "include")}
    for i, name in enumerate(AWARD_LEVELS):
        lv = levels.get(name) or {}
        amount = next((lv[k] for k in ("percent", "count", "min_score")
                       if lv.get(k) is not None), "")
        out[f"level_{i}"] = str(amount)
    return out
