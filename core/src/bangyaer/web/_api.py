"""JSON conventions: the error envelope, body validation and OpenAPI metadata."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from ._i18n import gettext as _

F = TypeVar("F", bound=Callable[..., Any])


class ApiError(Exception):
    """An error a client should see: ``{"error": {"code", "message"}}`` with a status.

    ``message`` is for people (Chinese first); ``code`` is for programs.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.detail = dict(detail or {})

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.detail:
            body["detail"] = self.detail
        return JSONResponse({"error": body}, status_code=self.status, headers=self.headers)


_JSON_TYPES: dict[type, str] = {
    str: "string", int: "integer", bool: "boolean", float: "number", list: "array",
    dict: "object",
}


@dataclass(frozen=True)
class Field:
    type: type
    required: bool = True
    max_length: int | None = None
    description: str = ""

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": _JSON_TYPES[self.type]}
        if self.max_length:
            out["maxLength"] = self.max_length
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class Body:
    """The fields a JSON request body may carry; checked by ``read_json``."""

    fields: Mapping[str, Field] = field(default_factory=dict)

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {name: f.schema() for name, f in self.fields.items()},
            "required": [name for name, f in self.fields.items() if f.required],
        }


async def read_json(request: Request, body: Body, *, max_bytes: int = 1 << 20) -> dict[str, Any]:
    """Parse and check a JSON object body; a bad one is a 422 that names the field."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        # Browsers send text/plain across sites without asking first, and a
        # text/plain body can be made to parse as JSON; insisting on the type
        # keeps cross-site forms out of JSON endpoints.
        raise ApiError(415, "unsupported_media_type", _("请求体应为 JSON（application/json）"))
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > max_bytes:
            raise ApiError(413, "body_too_large",
                           _("请求体超过 %(limit)s 字节", limit=max_bytes))
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", _("请求体不是有效的 JSON")) from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_body", _("请求体应为 JSON 对象"))
    out: dict[str, Any] = {}
    for name, spec in body.fields.items():
        if name not in data or data[name] is None:
            if spec.required:
                raise ApiError(422, "missing_field", _("缺少字段 %(field)s", field=name),
                               detail={"field": name})
            continue
        value = data[name]
        ok = isinstance(value, spec.type) and not (
            spec.type in (int, float) and isinstance(value, bool)
        )
        if not ok:
            raise ApiError(
                422, "invalid_field",
                _("字段 %(field)s 应为 %(type)s", field=name, type=_JSON_TYPES[spec.type]),
                detail={"field": name},
            )
        if spec.max_length and isinstance(value, str) and len(value) > spec.max_length:
            raise ApiError(422, "invalid_field",
                           _("字段 %(field)s 过长（最多 %(max)s 字）", field=name,
                             max=spec.max_length), detail={"field": name})
        out[name] = value
    unknown = set(data) - set(body.fields)
    if unknown:
        raise ApiError(422, "unknown_field",
                       _("未知字段 %(fields)s", fields=", ".join(sorted(unknown))),
                       detail={"fields": sorted(unknown)})
    return out


def api(
    summary: str,
    *,
    body: Body | None = None,
    responses: Mapping[int, str] | None = None,
    auth: bool = True,
) -> Callable[[F], F]:
    """Describe a JSON endpoint for the OpenAPI document."""

    def mark(endpoint: F) -> F:
        endpoint.__bangyaer_api__ = {  # type: ignore[attr-defined]
            "summary": summary, "body": body, "responses": dict(responses or {}), "auth": auth,
        }
        return endpoint

    return mark
