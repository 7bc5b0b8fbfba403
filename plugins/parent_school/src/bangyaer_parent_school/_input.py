"""Checking a course as staff send it: lessons and questions, every field named on error."""

from __future__ import annotations

import re
from typing import Any

from bangyaer.web import ApiError

from .models import STAGE_TITLES, LessonKind

CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_ITEMS = 50


def _bad(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_field", message, detail={"field": field})


def text(data: dict[str, Any], field: str, limit: int, *, required: bool = True) -> str:
    value = data.get(field, "")
    if not isinstance(value, str):
        raise _bad(field, f"{field} 应为文字")
    value = value.strip()
    if required and not value:
        raise _bad(field, f"请填写 {field}")
    if len(value) > limit:
        raise _bad(field, f"{field} 最多 {limit} 字")
    return value


def course_fields(data: dict[str, Any]) -> dict[str, Any]:
    if not CODE.fullmatch(str(data["code"])):
        raise _bad("code", "code 只能用字母、数字、- 和 _，最多 32 个")
    if data["stage"] not in STAGE_TITLES:
        raise _bad("stage", "stage 应为 kindergarten、primary 或 middle")
    mark = data.get("pass_mark", 60)
    if not isinstance(mark, int) or isinstance(mark, bool) or not 1 <= mark <= 100:
        raise _bad("pass_mark", "pass_mark 应为 1 到 100 之间的整数")
    return {"code": data["code"], "title": text(data, "title", 200),
            "summary": text(data, "summary", 2000, required=False), "stage": data["stage"],
            "pass_mark": mark}


def _items(data: dict[str, Any], field: str) -> list[dict[str, Any]]:
    items = data.get(field, [])
    if not isinstance(items, list) or len(items) > MAX_ITEMS or not all(
            isinstance(i, dict) for i in items):
        raise _bad(field, f"{field} 应为对象列表，最多 {MAX_ITEMS} 个")
    return items


def lesson_fields(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for n, item in enumerate(_items(data, "lessons"), start=1):
        kind = item.get("kind")
        if kind not in set(LessonKind):
            raise _bad(f"lessons[{n}].kind", f"第 {n} 节课的 kind 应为 article 或 video")
        url = text(item, "video_url", 500, required=False) or None
        if url is not None and not url.startswith("https://"):
            raise _bad(f"lessons[{n}].video_url", f"第 {n} 节课的视频链接须以 https:// 开头")
        out.append({"position": n, "title": text(item, "title", 200), "kind": LessonKind(kind),
                    "body": text(item, "body", 50_000, required=kind == "article"),
                    "video_url": url})
    return out


def question_fields(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for n, item in enumerate(_items(data, "questions"), start=1):
        options = item.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= 8 or not all(
                isinstance(o, str) and o.strip() and len(o) <= 200 for o in options):
            raise _bad(f"questions[{n}].options", f"第 {n} 题应有 2 到 8 个选项")
        answer = item.get("answer")
        multiple = item.get("multiple", False) is True
        valid = isinstance(answer, list) and answer and all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(options)
            for i in answer)
        if not valid or (not multiple and len(answer) != 1):
            raise _bad(f"questions[{n}].answer", f"第 {n} 题的答案应为选项序号（从 0 起）")
        out.append({"position": n, "text": text(item, "text", 500), "multiple": multiple,
                    "options": [o.strip() for o in options], "answer": sorted(set(answer))})
    return out
