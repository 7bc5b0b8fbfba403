"""Judging tables: the setup of an activity's judging, judges, judging copies, assignments.

A judge's score lives on the assignment row that gave them the entry, so
"who may score what" and "who scored what" can never disagree, and the
uniqueness of (entry, judge) over every round means a re-judging after an
appeal can only go to judges who have not seen the entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bangyaer.db import Base, utcnow
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class JudgingSetup(Base):
    """How an activity is judged and turned into awards; one row per activity."""

    __tablename__ = "competitions_judging_setup"

    activity_id: Mapped[int] = mapped_column(ForeignKey("competitions_activity.id"),
                                             primary_key=True)
    # Judges per entry (k).
    judges_per_entry: Mapped[int] = mapped_column(default=3)
    # [{"key", "title_zh", "title_en", "max_score"}], copied from the type's
    # default rubric and editable by staff until judging starts.
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # "mean" | "trimmed_mean" | "zscore"
    aggregation: Mapped[str] = mapped_column(String(16), default="mean")
    # Trimmed mean drops the highest and lowest only with at least this many scores.
    trim_min_scores: Mapped[int] = mapped_column(default=5)
    # Flag an entry when its judges' totals spread (max − min) by more than this.
    disagreement_threshold: Mapped[int] = mapped_column(default=20)
    # Tie-break chain after the score, e.g. ["criterion:skill", "median"]; a
    # tie left after it is a shared rank.
    tie_break: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {"mode": "quota"|"threshold", "levels": [...], "rounding": ..., "cut_ties": ...};
    # the results package reads and checks it.
    award_rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Measured-result activities: whether a lower value ranks first (times) or higher (distances).
    lower_is_better: Mapped[bool] = mapped_column(default=True)
    # The seed of the last draw, so the draw can be replayed and checked.
    seed: Mapped[str | None] = mapped_column(String(64))
    frozen_at: Mapped[dt.datetime | None]
    assigned_at: Mapped[dt.datetime | None]
    # Files that could not be made safe, so judges never get them:
    # [{"entry_id", "code", "position", "file_id", "reason"}], shown to staff.
    withheld: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class JudgeInvite(Base):
    """A judge account invited to one group of an activity."""

    __tablename__ = "competitions_judge"
    __table_args__ = (UniqueConstraint("activity_id", "group_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("competitions_activity.id"),
                                             index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("competitions_group.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("core_account.id"), index=True)
    # "active" | "dropped": a dropped judge's unscored entries go to others.
    status: Mapped[str] = mapped_column(String(16), default="active")
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("core_account.id"))
    invited_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    dropped_at: Mapped[dt.datetime | None]


class JudgingCopy(Base):
    """An anonymised copy of one file of an entry's frozen work: all a judge ever gets."""

    __tablename__ = "competitions_judging_copy"
    __table_args__ = (UniqueConstraint("entry_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("competitions_entry.id"), index=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("competitions_work.id"))
    source_file_id: Mapped[int] = mapped_column(ForeignKey("competitions_file.id"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(ForeignKey("core_blob.sha256"))
    size: Mapped[int]
    # Built from the entry code, e.g. "K2026-03-00017-1.jpg"; never the upload's name.
    name: Mapped[str] = mapped_column(String(64))
    thumb_sha256: Mapped[str | None] = mapped_column(ForeignKey("core_blob.sha256"))
    made_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Assignment(Base):
    """One entry given to one judge, and that judge's score for it."""

    __tablename__ = "competitions_assignment"
    __table_args__ = (
        UniqueConstraint("entry_id", "judge_account_id"),
        Index("ix_competitions_assignment_judge", "activity_id", "judge_account_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("competitions_activity.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("competitions_group.id"))
    # Panels number from 1 within a group.
    panel: Mapped[int] = mapped_column(default=1)
    entry_id: Mapped[int] = mapped_column(ForeignKey("competitions_entry.id"), index=True)
    judge_account_id: Mapped[int] = mapped_column(ForeignKey("core_account.id"))
    # "initial" | "reassigned" | "manual" | "extra" | "appeal"
    round: Mapped[str] = mapped_column(String(16), default="initial")
    # "assigned" | "scored" | "withdrawn"
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    # {criterion key: points}; None until scored.
    scores: Mapped[dict[str, int] | None] = mapped_column(JSON)
    total: Mapped[int | None]
    comment: Mapped[str] = mapped_column(String(1000), default="")
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    scored_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]
    # Why a withdrawal or a manual change happened, in staff's words.
    note: Mapped[str] = mapped_column(String(500), default="")
