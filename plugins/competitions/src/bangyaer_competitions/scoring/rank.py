"""Ranks within one group: by score, then a tie-break chain, then a shared rank.

Guarantees:

- order never depends on the order of the input: entries that are still
  equal after the score and every tie-break share a rank (1, 2, 2, 4) and
  are listed by entry id only for display;
- tie-breaks compare exact values: ``criterion:<key>`` is the mean of that
  criterion over the entry's judges (only the judges who gave it; none
  ranks below any value), ``median`` the median of their totals; higher is
  better for both, as it is for the score;
- entries without a score come after every scored one and share the rank
  after the last scored entry;
- measured results rank by their exact decimal value, lower first for times
  and higher first for distances, equal values sharing a rank.

``keys`` holds the tie-break values used, as strings of exact fractions
("17/2"), so a 公示 or an audit can show why one entry is above another.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .aggregate import Aggregate, JudgeScore, median_ratio, ratio_text

__all__ = ["Ranked", "check_tie_break", "rank_group", "rank_measured"]

CRITERION = "criterion:"
Ratio = tuple[int, int]


@dataclass(frozen=True)
class Ranked:
    entry_id: int
    rank: int
    score: Fraction | float | None
    keys: dict[str, Any]


def check_tie_break(tie_break: Sequence[str]) -> None:
    """ValueError for the first item that is neither ``median`` nor ``criterion:<key>``."""
    for item in tie_break:
        if item != "median" and not (item.startswith(CRITERION) and item[len(CRITERION):]):
            raise ValueError(f"tie-break items are 'median' or 'criterion:<key>', got {item!r}")


def rank_group(aggs: Sequence[Aggregate], scores: Mapping[int, Sequence[JudgeScore]], *,
               tie_break: Sequence[str]) -> list[Ranked]:
    """Rank one group's aggregates; ``scores`` supplies the tie-break values."""
    check_tie_break(tie_break)
    ties = [[_tie_value(item, scores.get(agg.entry_id, ())) for item in tie_break]
            for agg in aggs]
    columns = [_comparable([_ratio(agg.score) for agg in aggs]),
               *(_comparable([row[c] for row in ties]) for c in range(len(tie_break)))]
    rows = []
    for i, agg in enumerate(aggs):
        # Descending on every key, with "no value" below any value.
        sort_key = tuple((column[i] is not None, column[i] or 0) for column in columns)
        keys = {item: None if v is None else ratio_text(*v)
                for item, v in zip(tie_break, ties[i], strict=True)}
        rows.append((sort_key, agg, keys))
    rows.sort(key=lambda row: row[1].entry_id)
    rows.sort(key=lambda row: row[0], reverse=True)
    out = []
    for position, ranks in _shared(rows, key=lambda row: row[0]):
        for _, agg, keys in ranks:
            out.append(Ranked(agg.entry_id, position, agg.score, keys))
    return out


def rank_measured(values: Mapping[int, Decimal], *, lower_is_better: bool) -> list[Ranked]:
    """Rank measured results (times, distances) from their exact values."""
    rows = []
    for entry_id, value in values.items():
        if not value.is_finite():
            raise ValueError(f"entry {entry_id}: a measurement must be a finite number")
        exact = Fraction(value)
        rows.append((exact if lower_is_better else -exact, entry_id, value))
    rows.sort()
    out = []
    for position, ranks in _shared(rows, key=lambda row: row[0]):
        for _, entry_id, value in ranks:
            out.append(Ranked(entry_id, position, Fraction(value),
                              {"value": str(value), "lower_is_better": lower_is_better}))
    return out


def _ratio(score: Fraction | float | None) -> Ratio | float | None:
    if isinstance(score, Fraction):
        return score.numerator, score.denominator
    return score


def _tie_value(item: str, given: Sequence[JudgeScore]) -> Ratio | None:
    # Plain (numerator, denominator) pairs: a Fraction per value and key made
    # ranking a district's activity several times slower.
    if item == "median":
        return median_ratio([s.total for s in given]) if given else None
    key = item[len(CRITERION):]
    points = [s.criteria[key] for s in given if key in s.criteria]
    return (sum(points), len(points)) if points else None


def _comparable(values: Sequence[Ratio | float | None]) -> list[int | float | None]:
    """Ratios over their common denominator as integers: the same order, compared fast."""
    exact = [v for v in values if isinstance(v, tuple)]
    if len(exact) < sum(v is not None for v in values):
        return [None if v is None else v[0] / v[1] if isinstance(v, tuple) else v
                for v in values]
    common = math.lcm(*(den for _, den in exact)) if exact else 1
    return [v[0] * (common // v[1]) if isinstance(v, tuple) else None for v in values]


def _shared(rows: list[Any], *, key: Any) -> list[tuple[int, list[Any]]]:
    """Sorted rows cut into runs of equal keys, each with its competition rank."""
    runs: list[tuple[int, list[Any]]] = []
    for position, row in enumerate(rows, start=1):
        if runs and key(runs[-1][1][0]) == key(row):
            runs[-1][1].append(row)
        else:
            runs.append((position, [row]))
    return runs
