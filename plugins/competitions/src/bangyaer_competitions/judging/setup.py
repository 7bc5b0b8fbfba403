"""An activity's judging setup: judges per entry and the rubric, fixed once the draw is made."""

from __future__ import annotations

import re
from typing import Any

from bangyaer.identity import Actor, audit
from bangyaer.web import ApiError
from bangyaer.web import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Activity
from .models import JudgingSetup

KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_JUDGES = 15
MAX_POINTS = 1000
MAX_CRITERIA = 20


def default_rubric(kind: Any) -> list[dict[str, Any]]:
    """The activity type's rubric, as the setup stores it."""
    return [{"key": r.key, "title_zh": r.title_zh, "title_en": r.title_en,
             "max_score": int(r.max_score)} for r in getattr(kind, "rubric", ())]


async def setup_of(session: AsyncSession, activity: Activity, kind: Any) -> JudgingSetup:
    """The activity's setup, made from its type's defaults the first time it is asked for."""
    found = await session.get(JudgingSetup, activity.id)
    if found is not None:
        return found
    made = JudgingSetup(activity_id=activity.id, judges_per_entry=3,
                        rubric=default_rubric(kind), tie_break=[], award_rule={}, withheld=[])
    session.add(made)
    await session.flush()
    return made


def _invalid(message: str, field: str) -> ApiError:
    return ApiError(422, "invalid_setup", message, detail={"field": field})


def parse_rubric(raw: Any) -> list[dict[str, Any]]:
    """A rubric from a request, each criterion checked; the error names the criterion."""
    if not isinstance(raw, list) or not raw:
        raise _invalid(_("评分细则至少需要一项"), "rubric")
    if len(raw) > MAX_CRITERIA:
        raise _invalid(_("评分细则最多 %(n)s 项", n=MAX_CRITERIA), "rubric")
    out: list[dict[str, Any]] = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise _invalid(_("评分细则第 %(n)s 项格式不对", n=n), "rubric")
        key, title = item.get("key"), item.get("title_zh", item.get("title"))
        points, title_en = item.get("max_score"), item.get("title_en", "")
        if not isinstance(key, str) or not KEY.match(key):
            raise _invalid(_("评分细则第 %(n)s 项的代码应为小写字母开头的字母、数字或下划线",
                             n=n), "rubric")
        if any(c["key"] == key for c in out):
            raise _invalid(_("评分细则的代码 %(key)s 重复了", key=key), "rubric")
        if not isinstance(title, str) or not title.strip() or len(title) > 40:
            raise _invalid(_("请填写评分细则第 %(n)s 项的名称（最多 40 字）", n=n), "rubric")
        if not isinstance(title_en, str) or len(title_en) > 80:
            raise _invalid(_("评分细则第 %(n)s 项的英文名称应为文字（最多 80 字）", n=n),
                           "rubric")
        if isinstance(points, bool) or not isinstance(points, int) or not (
                1 <= points <= MAX_POINTS):
            raise _invalid(_("评分细则“%(title)s”的满分应为 1–%(top)s 的整数",
                             title=title.strip(), top=MAX_POINTS), "rubric")
        out.append({"key": key, "title_zh": title.strip(), "title_en": title_en.strip(),
                    "max_score": points})
    return out


def parse_k(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_JUDGES:
        raise _invalid(_("每件作品的评委人数应为 1–%(n)s 的整数", n=MAX_JUDGES),
                       "judges_per_entry")
    return raw


def change(setup: JudgingSetup, data: dict[str, Any]) -> None:
    """Apply staff's edits; refused once the draw has fixed who scores what against what."""
    if setup.assigned_at is not None:
        raise ApiError(409, "setup_fixed", _("已分配评委，评委人数和评分细则不能再改"))
    if "judges_per_entry" in data:
        setup.judges_per_entry = parse_k(data["judges_per_entry"])
    if "rubric" in data:
        setup.rubric = parse_rubric(data["rubric"])


async def edit(session: AsyncSession, actor: Actor, activity: Activity, setup: JudgingSetup,
               data: dict[str, Any]) -> None:
    """Staff's edits (the API's or the desk's), applied and audited."""
    change(setup, data)
    await audit(session, actor, "competitions.judging_setup", "competitions_activity",
                activity.id, fields=sorted(data))


def setup_json(setup: JudgingSetup) -> dict[str, Any]:
    return {
        "judges_per_entry": setup.judges_per_entry, "rubric": setup.rubric,
        "frozen_at": setup.frozen_at.isoformat() if setup.frozen_at else None,
        "assigned_at": setup.assigned_at.isoformat() if setup.assigned_at else None,
        "seed": setup.seed, "withheld": list(setup.withheld or []),
        "editable": setup.assigned_at is None,
    }
