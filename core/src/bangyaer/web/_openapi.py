"""The OpenAPI 3.1 document, built from the mounted routes and their ``@api`` marks."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Sequence
from typing import Any

from starlette.convertors import FloatConvertor, IntegerConvertor
from starlette.routing import BaseRoute, Mount, Route

API_PREFIX = "/api/v1"

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "description": "for programs, e.g. registration_closed"},
            "message": {"type": "string", "description": "for people, in the reader's language"},
            "detail": {"type": "object"},
        },
    }},
}
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def walk(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    """Every Route with its full path, looking inside mounts."""
    for route in routes:
        if isinstance(route, Mount):
            yield from walk(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def summary_of(route: Route) -> str:
    """The ``@api`` summary, else the first docstring line; empty when neither exists."""
    meta = getattr(route.endpoint, "__bangyaer_api__", None) or {}
    return str(meta.get("summary") or (inspect.getdoc(route.endpoint) or "").split("\n")[0])


def _param_schema(convertor: object) -> dict[str, str]:
    if isinstance(convertor, IntegerConvertor):
        return {"type": "integer"}
    if isinstance(convertor, FloatConvertor):
        return {"type": "number"}
    return {"type": "string"}


def _operation(path: str, method: str, route: Route) -> dict[str, Any]:
    meta = getattr(route.endpoint, "__bangyaer_api__", None) or {}
    segments = path[len(API_PREFIX):].strip("/").split("/")
    op: dict[str, Any] = {
        "summary": summary_of(route) or path,
        # Derived from the path, which is unique per method: route names are not.
        "operationId": method + "_" + re.sub(r"[^A-Za-z0-9]+", "_", _PARAM.sub(r"\1", path))
        .strip("_"),
        "tags": [segments[0] or "core"],
        "responses": {
            "200": {"description": "OK"},
            "default": {"description": "error envelope",
                        "content": {"application/json": {"schema": _ERROR}}},
        },
    }
    for status, text in meta.get("responses", {}).items():
        op["responses"][str(status)] = {
            "description": text, "content": {"application/json": {"schema": _ERROR}}}
    if meta.get("body") is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": meta["body"].schema()}}}
    if route.param_convertors:
        op["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": _param_schema(conv)}
            for name, conv in route.param_convertors.items()
        ]
    if not meta.get("auth", True):
        op["security"] = []
    return op


def document(routes: Sequence[BaseRoute], version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path, route in walk(routes):
        if not path.startswith(API_PREFIX + "/"):
            continue
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            paths.setdefault(_PARAM.sub(r"{\1}", path), {})[method.lower()] = _operation(
                path, method.lower(), route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bangyaer API", "version": version,
                 "description": "JSON API of the Bangyaer platform and its enabled plugins."},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "bangyaer_session"}}},
        "security": [{"session": []}],
        "paths": dict(sorted(paths.items())),
    }
