"""From judges' scores to one score per entry: mean, trimmed mean or z-score.

Guarantees:

- ``mean`` and ``trimmed_mean`` are exact ``Fraction``s of the judges'
  integer totals, so two entries tie exactly when their arithmetic does;
- ``trimmed_mean`` drops one highest and one lowest total only when an
  entry has at least ``trim_min_scores`` scores, and says which in
  ``details["dropped"]``; below that it is the plain mean;
- ``zscore`` turns each judge's totals, over every entry that judge scored
  in ``scores``, into standard scores (population mean 0 and standard
  deviation 1), averages them per entry and maps the average back to the
  points scale as ``M + S × z`` with M and S the mean and population
  standard deviation of all totals. A judge whose totals are all equal
  (which includes a judge with a single score) tells nothing about order,
  so each of their scores counts as z = 0. The float is rounded to 9
  decimals so that equal judgements compare equal whatever the order of
  the additions;
- an entry is flagged when its totals spread (highest − lowest) by more
  than ``disagreement_threshold`` points, whatever the method;
- an entry with no scores gets ``score=None``, unflagged.

Every result carries JSON-able ``details``: method, the totals by judge,
the dropped totals, the median and the spread; exact values as strings
("169/2"), z-scores as floats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = ["METHODS", "Aggregate", "JudgeScore", "aggregate", "median", "median_ratio",
           "ratio_text"]

METHODS = ("mean", "trimmed_mean", "zscore")
_PLACES = 9


@dataclass(frozen=True)
class JudgeScore:
    judge_account_id: int
    total: int
    criteria: Mapping[str, int]


@dataclass(frozen=True)
class Aggregate:
    entry_id: int
    score: Fraction | float | None
    flagged: bool
    details: dict[str, Any]


def median(values: Sequence[int]) -> Fraction:
    """The exact median of a non-empty sequence of integers."""
    return Fraction(*median_ratio(values))


def median_ratio(values: Sequence[int]) -> tuple[int, int]:
    """The median as (numerator, denominator), without building a Fraction."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle], 1
    return ordered[middle - 1] + ordered[middle], 2


def ratio_text(numerator: int, denominator: int) -> str:
    """What ``str(Fraction(numerator, denominator))`` gives, at a fraction of the cost."""
    common = math.gcd(numerator, denominator)
    numerator, denominator = numerator // common, denominator // common
    return str(numerator) if denominator == 1 else f"{numerator}/{denominator}"


def aggregate(scores: Mapping[int, Sequence[JudgeScore]], *, method: str,
              trim_min_scores: int = 5, disagreement_threshold: int = 20) -> dict[int, Aggregate]:
    """One :class:`Aggregate` per entry of ``scores``; see the module docstring."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if trim_min_scores < 3:
        # Dropping two of fewer than three scores would leave nothing.
        raise ValueError(f"trim_min_scores must be at least 3, got {trim_min_scores}")
    zs = _standard_scores(scores) if method == "zscore" else None
    out: dict[int, Aggregate] = {}
    for entry_id in sorted(scores):
        given = sorted(scores[entry_id], key=lambda s: s.judge_account_id)
        details: dict[str, Any] = {
            "method": method,
            "totals": {str(s.judge_account_id): s.total for s in given},
            "dropped": [],
        }
        if not given:
            out[entry_id] = Aggregate(entry_id, None, False, details)
            continue
        totals = [s.total for s in given]
        spread = max(totals) - min(totals)
        details["median"] = ratio_text(*median_ratio(totals))
        details["spread"] = spread
        score: Fraction | float
        if zs is not None:
            score, details["z"] = _zscore(given, zs)
        elif method == "trimmed_mean" and len(totals) >= trim_min_scores:
            kept = sorted(totals)[1:-1]
            details["dropped"] = [max(totals), min(totals)]
            score = Fraction(sum(kept), len(kept))
        else:
            score = Fraction(sum(totals), len(totals))
        if isinstance(score, Fraction):
            details["score"] = str(score)
        out[entry_id] = Aggregate(entry_id, score, spread > disagreement_threshold, details)
    return out


class _Scale:
    """Each judge's mean and spread, and those of all totals together."""

    def __init__(self, by_judge: dict[int, tuple[float, float]], mean: float, sd: float) -> None:
        self.by_judge = by_judge
        self.mean = mean
        self.sd = sd


def _standard_scores(scores: Mapping[int, Sequence[JudgeScore]]) -> _Scale:
    per_judge: dict[int, list[int]] = {}
    everything: list[int] = []
    for entry_id in sorted(scores):
        for s in sorted(scores[entry_id], key=lambda s: s.judge_account_id):
            per_judge.setdefault(s.judge_account_id, []).append(s.total)
            everything.append(s.total)
    by_judge = {judge: _mean_sd(totals) for judge, totals in per_judge.items()}
    mean, sd = _mean_sd(everything) if everything else (0.0, 0.0)
    return _Scale(by_judge, mean, sd)


def _mean_sd(values: list[int]) -> tuple[float, float]:
    # Integer sums keep it exact up to the square root, so a judge's equal
    # totals give sd 0 exactly: variance = (n·Σv² − (Σv)²) / n².
    n, total = len(values), sum(values)
    spread = n * sum(v * v for v in values) - total * total
    return total / n, math.sqrt(spread) / n


def _zscore(given: list[JudgeScore], scale: _Scale) -> tuple[float, list[float]]:
    zs = []
    for s in given:
        mean, sd = scale.by_judge[s.judge_account_id]
        zs.append(0.0 if sd == 0 else (s.total - mean) / sd)
    z = math.fsum(zs) / len(zs)
    return round(scale.mean + scale.sd * z, _PLACES), [round(v, _PLACES) for v in zs]
