"""Checking what staff send for an item, from the JSON API and the forms alike.

Every refusal is a 422 ApiError naming the field, in Chinese, so the form
can show it beside the field and an API client can read ``detail.field``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from bangyaer.web import ApiError, Body, Field

from ._markdown import is_local_path
from .models import Column

COLUMN_NAMES: dict[str, Column] = {
    **{c.value: c for c in Column}, "通知": Column.notice, "公示": Column.publicity,
    "新闻": Column.news,
}
TIME_FIELDS = ("publish_at", "unpublish_at", "period_start", "period_end")
MAX_BODY = 50_000

ITEM_BODY = Body({
    "column": Field(str, required=False, max_length=16,
                    description="notice | publicity | news (or 通知 | 公示 | 新闻)"),
    "title": Field(str, required=False, max_length=200),
    "body": Field(str, required=False, max_length=MAX_BODY, description="Markdown"),
    "public": Field(bool, required=False, description="readable without signing in"),
    "pinned": Field(bool, required=False),
    "school_ids": Field(list, required=False,
                        description="schools it is for; empty or absent: the whole district"),
    "publish_at": Field(str, required=False, description="ISO 8601 with offset; '' clears"),
    "unpublish_at": Field(str, required=False, description="ISO 8601 with offset; '' clears"),
    "period_start": Field(str, required=False, description="公示 only: period start"),
    "period_end": Field(str, required=False, description="公示 only: period end"),
    "objection_contact": Field(str, required=False, max_length=200),
    "objection_url": Field(str, required=False, max_length=500,
                           description="a path on this site or an http(s) link"),
})
PUBLISH_BODY = Body({
    "publish_at": Field(str, required=False, description="ISO 8601; default now"),
    "unpublish_at": Field(str, required=False, description="ISO 8601; '' clears"),
})


def invalid(field: str, message: str, code: str = "invalid_field") -> ApiError:
    return ApiError(422, code, message, detail={"field": field})


def parse_column(value: str) -> Column:
    column = COLUMN_NAMES.get(value.strip())
    if column is None:
        raise invalid("column", f"栏目“{value}”不存在；应为 通知、公示 或 新闻", "invalid_column")
    return column


def parse_time(field: str, value: str, zone: ZoneInfo | None) -> dt.datetime | None:
    """An aware UTC time from ISO 8601; '' is None.

    ``zone`` is the zone a time without an offset is read in (forms, whose
    datetime-local inputs are in the district's zone); None refuses such a
    time, as the JSON API does, rather than guess.
    """
    text = value.strip()
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise invalid(field, f"{field} 不是有效的时间：{text}（例如 2026-12-03T08:00+08:00）",
                      "invalid_time") from None
    if parsed.tzinfo is None:
        if zone is None:
            raise invalid(field, f"{field} 须带时区，例如 2026-12-03T08:00+08:00",
                          "invalid_time")
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(dt.UTC)


def _school_ids(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise invalid("school_ids", "school_ids 应为学校编号（整数）列表")
    return sorted(set(value))


def check_objection_url(value: str) -> str:
    url = value.strip()
    if url and not (is_local_path(url) or url.lower().startswith(("https://", "http://"))):
        raise invalid("objection_url", "异议链接应为本站路径（以 / 开头）或 http(s) 网址")
    return url


def parse_fields(data: Mapping[str, Any], zone: ZoneInfo | None) -> dict[str, Any]:
    """Typed values for the fields present in ``data``; absent fields are left out."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name == "column":
            out[name] = parse_column(value)
        elif name == "title":
            title = " ".join(str(value).split())
            if not title:
                raise invalid("title", "请填写标题", "missing_field")
            out[name] = title
        elif name == "body":
            out[name] = str(value).replace("\r\n", "\n")
        elif name in TIME_FIELDS:
            out[name] = parse_time(name, value, zone)
        elif name == "school_ids":
            out[name] = _school_ids(value)
        elif name == "objection_url":
            out[name] = check_objection_url(value)
        elif name == "objection_contact":
            out[name] = " ".join(str(value).split())
        else:
            out[name] = value
    return out


def require_for_create(fields: Mapping[str, Any]) -> None:
    for name, label in (("column", "栏目"), ("title", "标题")):
        if name not in fields:
            raise invalid(name, f"请填写{label}", "missing_field")


def form_to_data(form: Mapping[str, Any], school_ids: list[str]) -> dict[str, Any]:
    """The staff form's strings as the JSON API would send them."""
    data: dict[str, Any] = {
        name: str(form.get(name, "")) for name in (
            "column", "title", "body", *TIME_FIELDS, "objection_contact", "objection_url")
    }
    data["public"] = form.get("public") == "1"
    data["pinned"] = form.get("pinned") == "1"
    if form.get("audience") == "schools":
        try:
            data["school_ids"] = [int(s) for s in school_ids]
        except ValueError:
            raise invalid("school_ids", "学校选择有误，请刷新后重试") from None
        if not data["school_ids"]:
            raise invalid("school_ids", "请选择至少一所学校，或选择“全区”")
    else:
        data["school_ids"] = []
    for name in ("title", "body"):
        limit = ITEM_BODY.fields[name].max_length
        if limit and len(data[name]) > limit:
            raise invalid(name, f"{'标题' if name == 'title' else '正文'}过长（最多 {limit} 字）")
    return data
