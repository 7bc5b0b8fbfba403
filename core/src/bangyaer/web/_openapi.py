"""The OpenAPI document, built from the mounted routes so no JSON route is left out."""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import Any

from starlette.routing import BaseRoute, Mount, Route

API_PREFIX = "/api/v1"

_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}}}},
}


def walk(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from walk(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def document(routes: Sequence[BaseRoute], version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path, route in walk(routes):
        if not path.startswith(API_PREFIX):
            continue
        meta = getattr(route.endpoint, "__bangyaer_api__", None) or {}
        summary = meta.get("summary") or (inspect.getdoc(route.endpoint) or path).split("\n")[0]
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            op: dict[str, Any] = {
                "summary": summary,
                "operationId": f"{method.lower()}_{route.name}",
                "responses": {"200": {"description": "OK"}, "default": {
                    "description": "错误 (error envelope)",
                    "content": {"application/json": {"schema": _ERROR}},
                }},
            }
            for status, text in meta.get("responses", {}).items():
                op["responses"][str(status)] = {"description": text}
            if meta.get("body") is not None:
                op["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": meta["body"].schema()}}}
            params = [p for p in route.param_convertors]
            if params:
                op["parameters"] = [
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    for name in params
                ]
            if not meta.get("auth", True):
                op["security"] = []
            paths.setdefault(_openapi_path(path), {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bangyaer API", "version": version},
        "components": {"securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "bangyaer_session"}}},
        "security": [{"session": []}],
        "paths": dict(sorted(paths.items())),
    }


def _openapi_path(path: str) -> str:
    # Starlette writes {id:int}; OpenAPI wants {id}.
    out, depth, name = [], 0, ""
    for ch in path:
        if ch == "{":
            depth, name = 1, ""
        elif ch == "}" and depth:
            depth = 0
            out.append("{" + name.split(":")[0] + "}")
        elif depth:
            name += ch
        else:
            out.append(ch)
    return "".join(out)
