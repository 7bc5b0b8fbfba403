"""How an activity's scores become results: aggregation, tie-breaks, the award rule.

Stored on the judging setup (its aggregation, tie_break and award_rule
fields) and fixed once a 公示 is out, so what families were shown is what
the rule said.
"""

from __future__ import annotations

from typing import Any

from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError, Body, Field
from bangyaer.web import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from ..judging.models import JudgingSetup
from ..models import Activity
from ..scoring.awards import AwardRule, describe_rule
from ._common import TARGET, publication

METHODS = ("mean", "trimmed_mean", "zscore")
METHOD_TITLES = {"mean": "平均分", "trimmed_mean": "去掉最高分和最低分后的平均分",
                 "zscore": "按评委标准化（z 分数）后的平均分"}
SETTINGS_BODY = Body({
    "aggregation": Field(str, required=False, description="mean | trimmed_mean | zscore"),
    "trim_min_scores": Field(int, required=False,
                             description="trimmed mean drops the extremes from this many scores"),
    "disagreement_threshold": Field(int, required=False,
                                    description="flag when judges' totals spread by more"),
    "tie_break": Field(list, required=False,
                       description='e.g. ["criterion:skill", "median"]; then a shared rank'),
    "award_rule": Field(dict, required=False, description="quota or threshold award rule"),
    "lower_is_better": Field(bool, required=False,
                             description="measured results: a lower value ranks first"),
})


def award_rule(setup: JudgingSetup) -> AwardRule | None:
    """The stored rule, or None while staff have not set one."""
    if not setup.award_rule:
        return None
    return AwardRule.from_json(setup.award_rule)


def settings_json(setup: JudgingSetup) -> dict[str, Any]:
    rule = award_rule(setup)
    return {
        "aggregation": setup.aggregation, "aggregation_title": METHOD_TITLES[setup.aggregation],
        "trim_min_scores": setup.trim_min_scores,
        "disagreement_threshold": setup.disagreement_threshold,
        "tie_break": list(setup.tie_break), "award_rule": setup.award_rule or None,
        "award_rule_text": describe_rule(rule) if rule else "",
        "lower_is_better": setup.lower_is_better,
    }


def _check_tie_break(raw: list[Any], rubric: list[dict[str, Any]]) -> list[str]:
    keys = {str(item.get("key")) for item in rubric}
    out: list[str] = []
    for item in raw:
        ok = isinstance(item, str) and (
            item == "median" or (item.startswith("criterion:") and item[10:] in keys))
        if not ok:
            choices = "、".join(["median", *(f"criterion:{k}" for k in sorted(keys))])
            raise ApiError(422, "invalid_tie_break",
                           _("比分相同时的排序依据“%(item)s”无效，可选：%(choices)s",
                             item=str(item), choices=choices), detail={"field": "tie_break"})
        if item in out:
            raise ApiError(422, "invalid_tie_break",
                           _("排序依据“%(item)s”重复", item=item), detail={"field": "tie_break"})
        out.append(item)
    return out


def _check_range(data: dict[str, Any], name: str, low: int, high: int) -> None:
    if name in data and not low <= data[name] <= high:
        raise ApiError(422, "invalid_field",
                       _("%(field)s 应在 %(low)s 到 %(high)s 之间", field=name, low=low,
                         high=high), detail={"field": name})


async def update(session: AsyncSession, actor: Actor, activity: Activity,
                 setup: JudgingSetup, data: dict[str, Any]) -> JudgingSetup:
    """Apply checked settings; refused once results are publicised."""
    if activity.status == "finished" or await publication(session, activity.id, "publicised"):
        raise ApiError(409, "results_published", _("结果已公示，评奖规则不能再改"))
    if "aggregation" in data and data["aggregation"] not in METHODS:
        raise ApiError(422, "invalid_field",
                       _("计分方法应为 %(choices)s", choices="、".join(METHODS)),
                       detail={"field": "aggregation"})
    _check_range(data, "trim_min_scores", 3, 50)
    _check_range(data, "disagreement_threshold", 0, 1000)
    if "tie_break" in data:
        data["tie_break"] = _check_tie_break(data["tie_break"], setup.rubric)
    if "award_rule" in data:
        try:
            data["award_rule"] = AwardRule.from_json(data["award_rule"]).to_json()
        except ValueError as exc:
            raise ApiError(422, "invalid_award_rule", str(exc),
                           detail={"field": "award_rule"}) from None
    for key, value in data.items():
        setattr(setup, key, value)
    await audit(session, actor, "competitions.results_settings", TARGET, activity.id,
                fields=sorted(data))
    return setup
