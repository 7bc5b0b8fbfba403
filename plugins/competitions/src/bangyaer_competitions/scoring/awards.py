"""Awards from ranks: by quota (a percentage or a count per level) or by thresholds.

Guarantees:

- the award of an entry depends only on its rank, its score and the rule,
  never on where it stands in a list: entries that share a rank always get
  the same award;
- quota: N is the number of entries of the group with a score (entries
  without one get no award and do not count). Each level's count is its
  ``count``, or ``percent`` × N / 100 rounded by ``rounding`` (``floor``,
  ``ceil``, or ``half_up``: halves go up), computed exactly. The cut lines
  are cumulative: level i reaches down to position C_i = count_1 + … +
  count_i (at most N). An entry at rank r whose tie fills positions r … r +
  t − 1 is inside line i with ``cut_ties="include"`` when r ≤ C_i (the tie
  touches the line, so all of it gets the higher award) and with
  ``"exclude"`` when r + t − 1 ≤ C_i (the whole tie must fit, or all of it
  drops to the next level, and below the last level to no award). Its award
  is the highest level whose line it is inside. Lines do not move, so an
  included tie takes its extra places from the levels below;
- threshold: the highest level whose ``min_score`` the score reaches; for
  measured results ranked lower-first (times) the value must be at most
  ``min_score``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any

from bangyaer.web import N_
from bangyaer.web import gettext as _

from .rank import Ranked

__all__ = ["AWARD_LEVELS", "AwardLevel", "AwardRule", "describe_rule", "give_awards"]

AWARD_LEVELS = (N_("一等奖"), N_("二等奖"), N_("三等奖"), N_("优胜奖"))
MODES = ("quota", "threshold")
ROUNDINGS = ("floor", "ceil", "half_up")
CUT_TIES = ("include", "exclude")
_RULE_KEYS = {"mode", "levels", "rounding", "cut_ties"}
_LEVEL_KEYS = {"name", "percent", "count", "min_score"}
# A JSON number or numeric string of at most this many characters for a threshold.
_SCORE_TEXT = 16


@dataclass(frozen=True)
class AwardLevel:
    name: str
    percent: int | None = None
    count: int | None = None
    min_score: Fraction | None = None


@dataclass(frozen=True)
class AwardRule:
    mode: str
    levels: tuple[AwardLevel, ...]
    rounding: str = "floor"
    cut_ties: str = "include"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AwardRule:
        """The rule staff set, checked; ValueError with a message for staff otherwise."""
        if not isinstance(data, Mapping):
            raise ValueError(_("评奖规则格式有误"))
        unknown = sorted(set(data) - _RULE_KEYS)
        if unknown:
            raise ValueError(_("评奖规则含有无法识别的设置：%(keys)s", keys="、".join(unknown)))
        mode = data.get("mode")
        if mode not in MODES:
            raise ValueError(_("评奖方式应为 quota（按比例或名额）或 threshold（按分数线）"))
        rounding = data.get("rounding", "floor")
        if rounding not in ROUNDINGS:
            raise ValueError(_(
                "名额取整方式应为 floor（向下取整）、ceil（向上取整）或 half_up（四舍五入）"))
        cut_ties = data.get("cut_ties", "include")
        if cut_ties not in CUT_TIES:
            raise ValueError(_(
                "名额线上并列的处理应为 include（都获较高奖项）或 exclude（都降一等）"))
        raw = data.get("levels")
        if not isinstance(raw, list) or not raw:
            raise ValueError(_("至少需要设置一个奖项"))
        levels = tuple(_level(item, i, mode) for i, item in enumerate(raw, start=1))
        _check_levels(levels, mode)
        return cls(mode=mode, levels=levels, rounding=rounding, cut_ties=cut_ties)

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "rounding": self.rounding, "cut_ties": self.cut_ties,
                "levels": [{"name": level.name, "percent": level.percent, "count": level.count,
                            "min_score": None if level.min_score is None
                            else _number_text(level.min_score)}
                           for level in self.levels]}


def give_awards(ranked: Sequence[Ranked], rule: AwardRule) -> dict[int, str | None]:
    """Each entry's award (a name of ``AWARD_LEVELS``) or None, for one group."""
    awards: dict[int, str | None] = {r.entry_id: None for r in ranked}
    scored = [r for r in ranked if r.score is not None]
    if rule.mode == "threshold":
        lower_first = any(r.keys.get("lower_is_better") for r in scored)
        _check_direction(rule, lower_first)
        for r in scored:
            awards[r.entry_id] = _by_threshold(r, rule, lower_first)
        return awards
    lines = quota_lines(rule, len(scored))
    # A shared rank r held by t entries fills positions r … r + t − 1.
    size = Counter(r.rank for r in scored)
    for r in scored:
        end = r.rank + size[r.rank] - 1
        edge = r.rank if rule.cut_ties == "include" else end
        awards[r.entry_id] = next((name for name, line in lines if edge <= line), None)
    return awards


def quota_lines(rule: AwardRule, entrants: int) -> list[tuple[str, int]]:
    """Each level with its cumulative cut line, for ``entrants`` scored entries."""
    lines, reach = [], 0
    for level in rule.levels:
        if level.count is not None:
            places = level.count
        else:
            places = _round(Fraction(level.percent or 0) * entrants / 100, rule.rounding)
        reach = min(entrants, reach + places)
        lines.append((level.name, reach))
    return lines


def describe_rule(rule: AwardRule) -> str:
    """One sentence, shown to staff and in the 公示, stating how awards were given."""
    comma = _("、")
    # Not yet: thresholds on times are worded as points ("分及以上"); the rule
    # alone does not say which way the activity ranks.
    if rule.mode == "threshold":
        parts = comma.join(_("%(name)s %(score)s 分及以上", name=_(level.name),
                           score=_number_text(level.min_score or Fraction(0)))
                          for level in rule.levels)
        return _("按分数线评奖：%(levels)s。", levels=parts)
    parts = comma.join(_("%(name)s %(n)s 名", name=_(level.name), n=level.count)
                      if level.count is not None else
                      _("%(name)s %(percent)s%%", name=_(level.name), percent=level.percent)
                      for level in rule.levels)
    rounding = {"floor": _("向下取整"), "ceil": _("向上取整"), "half_up": _("四舍五入")}
    ties = {"include": _("名次并列跨越名额线时，并列者都获较高奖项。"),
            "exclude": _("名次并列跨越名额线时，并列者都降一等，最低奖项线上并列者不获奖。")}
    return _("按名额评奖：%(levels)s；比例按各组别有成绩的人数计算，名额%(rounding)s。%(ties)s",
             levels=parts, rounding=rounding[rule.rounding], ties=ties[rule.cut_ties])


def _check_direction(rule: AwardRule, lower_first: bool) -> None:
    lines = [level.min_score or Fraction(0) for level in rule.levels]
    if lower_first and lines != sorted(lines):
        raise ValueError(_("计时类成绩的分数线须从一等奖起逐级放宽（数值逐级增大）"))
    if not lower_first and lines != sorted(lines, reverse=True):
        raise ValueError(_("分数线须从一等奖起逐级降低"))


def _by_threshold(r: Ranked, rule: AwardRule, lower_first: bool) -> str | None:
    for level in rule.levels:
        line = level.min_score
        if line is None or r.score is None:
            continue
        if (r.score <= line) if lower_first else (r.score >= line):
            return level.name
    return None


def _round(value: Fraction, rounding: str) -> int:
    if rounding == "floor":
        return value.numerator // value.denominator
    if rounding == "ceil":
        return -(-value.numerator // value.denominator)
    up = value + Fraction(1, 2)
    return up.numerator // up.denominator


def _level(item: Any, position: int, mode: str) -> AwardLevel:
    if not isinstance(item, Mapping):
        raise ValueError(_("第 %(i)s 个奖项格式有误", i=position))
    unknown = sorted(set(item) - _LEVEL_KEYS)
    if unknown:
        raise ValueError(_("第 %(i)s 个奖项含有无法识别的设置：%(keys)s", i=position,
                           keys="、".join(unknown)))
    name = item.get("name")
    if name not in AWARD_LEVELS:
        raise ValueError(_("第 %(i)s 个奖项的名称应为 一等奖、二等奖、三等奖、优胜奖 之一",
                           i=position))
    percent, count = item.get("percent"), item.get("count")
    min_score = item.get("min_score")
    if mode == "threshold":
        if percent is not None or count is not None:
            raise ValueError(_("按分数线评奖时，%(name)s 不设比例或名额", name=_(name)))
        return AwardLevel(name, min_score=_score(min_score, name))
    if min_score is not None:
        raise ValueError(_("按名额评奖时，%(name)s 不设分数线", name=_(name)))
    if (percent is None) == (count is None):
        raise ValueError(_("%(name)s 须设置比例或名额中的一项", name=_(name)))
    if percent is not None and not (_is_int(percent) and 0 <= percent <= 100):
        raise ValueError(_("%(name)s 的比例应为 0 到 100 之间的整数", name=_(name)))
    if count is not None and not (_is_int(count) and count >= 0):
        raise ValueError(_("%(name)s 的名额应为不小于 0 的整数", name=_(name)))
    return AwardLevel(name, percent=percent, count=count)


def _check_levels(levels: tuple[AwardLevel, ...], mode: str) -> None:
    names = [level.name for level in levels]
    if names != sorted(set(names), key=AWARD_LEVELS.index):
        raise ValueError(_("奖项须按 一等奖、二等奖、三等奖、优胜奖 的顺序排列，且不能重复"))
    if sum(level.percent or 0 for level in levels) > 100:
        raise ValueError(_("各奖项比例之和不能超过 100%"))
    if mode == "threshold":
        # Points fall from level to level, times (lower is better) rise; which
        # one applies is known only from the ranking, so give_awards checks it.
        lines = [level.min_score for level in levels]
        steps = {higher > lower for higher, lower in pairwise(lines)
                 if higher is not None and lower is not None}
        if len(steps) > 1 or len(set(lines)) < len(lines):
            raise ValueError(_("分数线须逐级不同，并从一等奖起依次降低（计时类成绩依次放宽）"))


def _score(raw: Any, name: str) -> Fraction:
    problem = ValueError(_("%(name)s 的分数线应为不小于 0 的数，如 85 或 85.5", name=_(name)))
    if _is_int(raw):
        value = Fraction(raw)
    elif isinstance(raw, str) and 0 < len(raw) <= _SCORE_TEXT:
        try:
            value = Fraction(raw.strip())
        except ValueError:
            raise problem from None
    elif isinstance(raw, float) and raw == raw and abs(raw) != float("inf"):
        # A JSON decimal such as 85.5 arrives as a float; its shortest text is what staff typed.
        value = Fraction(repr(raw))
    else:
        raise problem
    if value < 0:
        raise problem
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number_text(value: Fraction) -> str:
    """85, 85.5 or, for a fraction with no short decimal, 170/3."""
    if value.denominator == 1:
        return str(value.numerator)
    for places in range(1, 7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            whole, part = divmod(abs(scaled.numerator), 10**places)
            sign = "-" if value < 0 else ""
            return f"{sign}{whole}.{part:0{places}d}"
    return str(value)
