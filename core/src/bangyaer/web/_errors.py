"""Error responses: the JSON envelope under /api/, friendly Chinese pages elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._api import ApiError
from ._context import SignInRequired, is_api, login_redirect, render
from ._i18n import N_, gettext

log = logging.getLogger("bangyaer.web")

STATUS_TEXT = {
    400: N_("请求有误"), 401: N_("请先登录"), 403: N_("没有权限访问此页面"),
    404: N_("页面不存在"), 405: N_("不支持的请求方式"), 409: N_("操作冲突"),
    413: N_("文件过大"), 422: N_("填写的内容有误"), 429: N_("请求过于频繁"),
    500: N_("服务器出错了，请稍后再试"),
}
DEFAULT_TEXT = N_("出错了")
_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "too_many"}


def status_text(status: int) -> str:
    return gettext(STATUS_TEXT.get(status, DEFAULT_TEXT))


async def api_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):  # pragma: no cover - Starlette routes by type
        raise exc
    if is_api(request):
        return exc.response()
    return await error_page(request, exc.status, exc.message, exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover - Starlette routes by type
        raise exc
    # A detail other than Starlette's English default phrase is ours, and worded.
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    message = detail or status_text(exc.status_code)
    if is_api(request):
        code = _CODES.get(exc.status_code, "http_error")
        return ApiError(exc.status_code, code, message, headers=exc.headers).response()
    return await error_page(request, exc.status_code, message, exc.headers)


async def sign_in(request: Request, exc: Exception) -> Response:
    if is_api(request):
        return ApiError(401, "sign_in_required", gettext("请先登录")).response()
    return login_redirect(request)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if is_api(request):
        return ApiError(500, "server_error", status_text(500)).response()
    return await error_page(request, 500, status_text(500))


async def error_page(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    try:
        response = await render(request, "error.html", {
            "status": status, "message": message, "title": status_text(status),
        }, status_code=status)
    except Exception:  # the error page itself failed: plain text, never a loop
        log.exception("error page for status %s failed to render", status)
        response = Response(f"{status} {message}", status_code=status,
                            media_type="text/plain; charset=utf-8")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


async def refusal(scope: Scope, status: int, code: str, message: str) -> Response:
    """What a middleware answers when it refuses a request before any route ran."""
    request = Request(scope)
    if is_api(request):
        return ApiError(status, code, message).response()
    return await error_page(request, status, message)


class ServerErrors:
    """Turn an unexpected exception into the 500 page inside the middleware stack.

    Starlette's own last-resort handler sits outside every middleware, so its
    answer would miss the security headers and the locale; this one sits
    innermost and leaves that handler only for failures of the middleware.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            if started:  # half a response is out; nothing better can be sent
                raise
            response = await server_error(Request(scope), exc)
            await response(scope, receive, send)


HANDLERS = {
    ApiError: api_error, HTTPException: http_error, SignInRequired: sign_in,
    Exception: server_error,
}
