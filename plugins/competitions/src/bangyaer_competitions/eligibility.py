"""Who may enter an activity, and the reason, in Chinese, when a child may not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bangyaer.identity import Person

from .models import Activity, Group

STAGE_TITLES = {"kindergarten": "幼儿园", "primary": "小学", "middle": "初中"}


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reason: str = ""
    group: Group | None = None


def group_for(groups: Sequence[Group], child: Person) -> Group | None:
    for group in sorted(groups, key=lambda g: g.number):
        if (group.stage == child.stage and child.grade is not None
                and group.grade_min <= child.grade <= group.grade_max):
            return group
    return None


def check(activity: Activity, groups: Sequence[Group], child: Person) -> Verdict:
    """Whether ``child`` may enter ``activity`` at all, whatever the date."""
    rules = activity.eligibility or {}
    stages = rules.get("stages") or []
    if stages and child.stage not in stages:
        names = "、".join(STAGE_TITLES.get(s, s) for s in stages)
        return Verdict(False, f"本活动仅限{names}学生参加")
    grades = rules.get("grades") or []
    if grades and child.grade not in grades:
        names = "、".join(f"{g}年级" for g in grades)
        return Verdict(False, f"本活动仅限{names}学生参加")
    schools = rules.get("school_ids") or []
    if schools and child.school_id not in schools:
        return Verdict(False, "你孩子的学校不在本活动范围内")
    group = group_for(groups, child)
    if group is None:
        return Verdict(False, "本活动没有适合孩子年级的组别")
    return Verdict(True, "", group)


def window_problem(activity: Activity, now: dt.datetime) -> tuple[str, str] | None:
    """(code, message) when registration is not open right now."""
    if activity.status == "draft" or now < activity.registration_opens_at:
        return "registration_not_open", "报名尚未开始"
    if activity.status != "open" or now >= activity.registration_closes_at:
        return "registration_closed", "报名已截止，不能再报名或取消报名"
    return None


def submission_problem(activity: Activity, now: dt.datetime) -> tuple[str, str] | None:
    """(code, message) when works may not be submitted or replaced right now."""
    if not activity.online_submission:
        return "no_online_submission", "本活动不在网上提交作品"
    if activity.status != "open" or now >= activity.submission_deadline:
        return "submissions_closed", "作品提交已截止，作品已锁定，不能再上传或替换"
    return None
