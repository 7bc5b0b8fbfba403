"""Checking what staff send for courses and lessons; a bad field is a 422 naming it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bangyaer.identity.years import YEAR_MAX, YEAR_MIN
from bangyaer.web import ApiError, Body, Field

from .models import LessonKind

COURSE_BODY = Body({
    "title": Field(str, required=False, max_length=120),
    "category": Field(str, required=False, max_length=32),
    "description": Field(str, required=False, max_length=4000),
    "teacher": Field(str, required=False, max_length=60),
    "year_min": Field(int, required=False, description="lowest school year (1–9)"),
    "year_max": Field(int, required=False, description="highest school year (1–9)"),
    "certificate": Field(bool, required=False),
})
LESSON_BODY = Body({
    "title": Field(str, required=False, max_length=120),
    "kind": Field(str, required=False, description="video, link or text"),
    "body": Field(str, required=False, max_length=20000),
    "external_url": Field(str, required=False, max_length=500),
    "duration": Field(int, required=False, description="seconds, if known"),
})
ORDER_BODY = Body({"lesson_ids": Field(list, description="every lesson id, in order")})
PROGRESS_BODY = Body({
    "position": Field(int, description="furthest second reached"),
    "duration": Field(int, required=False, description="the video's length in seconds"),
    "ended": Field(bool, required=False),
})


def _bad(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_field", message, detail={"field": field})


def course_fields(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v)
                           for k, v in data.items()}
    for name, label in (("title", "课程名称"), ("category", "类别")):
        if (creating or name in out) and not out.get(name):
            raise _bad(name, f"请填写{label}")
    for name in ("year_min", "year_max"):
        if name in out and not YEAR_MIN <= out[name] <= YEAR_MAX:
            raise _bad(name, f"年级应在 {YEAR_MIN} 到 {YEAR_MAX} 之间")
    return out


def check_years(low: int, high: int) -> None:
    if low > high:
        raise _bad("year_min", "最低年级不能高于最高年级")


def lesson_fields(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {k: (v.strip() if isinstance(v, str) and k != "body" else v)
                           for k, v in data.items()}
    if (creating or "title" in out) and not out.get("title"):
        raise _bad("title", "请填写课时名称")
    if creating and "kind" not in out:
        raise _bad("kind", "请选择课时类型：video、link 或 text")
    if "kind" in out:
        if out["kind"] not in set(LessonKind):
            raise _bad("kind", "课时类型应为 video、link 或 text")
        out["kind"] = LessonKind(out["kind"])
    if out.get("external_url"):
        parts = urlsplit(out["external_url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _bad("external_url", "外部链接应以 http:// 或 https:// 开头")
    if "duration" in out and not 0 < out["duration"] <= 24 * 3600:
        raise _bad("duration", "时长应为 1 到 86400 秒")
    return out


def check_lesson(kind: LessonKind, external_url: str, body: str) -> None:
    if kind == LessonKind.link and not external_url:
        raise _bad("external_url", "外链课时需要填写视频链接")
    if kind == LessonKind.text and not body.strip():
        raise _bad("body", "图文课时需要填写正文")
