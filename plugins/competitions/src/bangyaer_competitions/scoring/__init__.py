"""Pure judging arithmetic with no database: assignment, aggregation, ranking, awards.

Plain data in, plain data out, the same output for the same input: each
module's docstring states what it guarantees.
"""

from .aggregate import METHODS, Aggregate, JudgeScore, aggregate
from .assign import (
    EntrySlot,
    JudgeProfile,
    Pair,
    Plan,
    check_pair,
    conflicts,
    draw,
    new_seed,
    reassign,
)
from .awards import AWARD_LEVELS, AwardLevel, AwardRule, describe_rule, give_awards
from .mask import mask_name
from .rank import Ranked, rank_group, rank_measured

__all__ = [
    "AWARD_LEVELS", "METHODS", "Aggregate", "AwardLevel", "AwardRule", "EntrySlot",
    "JudgeProfile", "JudgeScore", "Pair", "Plan", "Ranked", "aggregate", "check_pair",
    "conflicts", "describe_rule", "draw", "give_awards", "mask_name", "new_seed",
    "rank_group", "rank_measured", "reassign",
]
