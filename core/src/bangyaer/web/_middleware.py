"""Pure ASGI middleware: security headers, locale, and CSRF on cookie sessions.

Pure ASGI (not BaseHTTPMiddleware) so uploads keep streaming and a large
request body is never buffered here.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._i18n import N_, Translations, current_locale, current_translations, gettext, negotiate

SESSION_COOKIE = "bangyaer_session"
LOCALE_COOKIE = "bangyaer_lang"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_FORM_LIMIT = 1 << 20

# Inline scripts are not allowed: pages load their script files from
# /static/, which keeps injected markup from running even if it slips in.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'self'; form-action 'self'"
)
STATIC_PREFIX = "/static/"


def csrf_token(session: dict[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("Permissions-Policy", "camera=(self), geolocation=()")
                headers.setdefault("X-Frame-Options", "SAMEORIGIN")
                if not scope["path"].startswith(STATIC_PREFIX):
                    # Pages and JSON carry a family's data: no shared cache
                    # (a DingTalk webview, a school's proxy) may keep a copy.
                    headers.setdefault("Cache-Control", "no-store")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, with_headers)


class LocaleMiddleware:
    """Pick the request's language (``?lang=``, then the cookie, then the default)."""

    def __init__(
        self, app: ASGIApp, *, translations: Translations, default: str = "zh_CN"
    ) -> None:
        self.app = app
        self.translations = translations
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        locale = negotiate(conn.cookies.get(LOCALE_COOKIE), conn.query_params.get("lang"),
                           self.default)
        scope.setdefault("state", {})["locale"] = locale
        token = current_locale.set(locale)
        catalogues = current_translations.set(self.translations)
        try:
            await self.app(scope, receive, send)
        finally:
            current_translations.reset(catalogues)
            current_locale.reset(token)


class CSRFMiddleware:
    """Unsafe requests that carry the session cookie must prove they came from us.

    The token travels in the ``X-CSRF-Token`` header (scripts), a
    ``csrf_token`` form field (url-encoded forms) or the ``csrf_token`` query
    parameter (multipart uploads, whose bodies are streamed, not parsed here).
    Requests without the cookie cannot ride on a session and pass.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        if SESSION_COOKIE not in conn.cookies:
            await self.app(scope, receive, send)
            return
        if not same_origin(conn):
            await _refuse(scope, send, "cross_origin", N_("跨站请求被拒绝，请从本站页面重新操作"))
            return
        expected = conn.session.get("csrf") if "session" in scope else None
        supplied = conn.headers.get(CSRF_HEADER) or conn.query_params.get(CSRF_FIELD)
        replay: list[Message] = []
        content_type = conn.headers.get("content-type", "")
        if supplied is None and content_type.startswith("application/x-www-form-urlencoded"):
            supplied, replay = await _token_from_form(receive)
            if supplied is None and replay and replay[-1].get("type") == "overflow":
                await _refuse(scope, send, "body_too_large", N_("表单过大"), status=413)
                return
        if not (isinstance(expected, str) and supplied and
                hmac.compare_digest(expected.encode(), supplied.encode())):
            await _refuse(scope, send, "csrf_failed", N_("页面已过期，请刷新后重试"))
            return
        if replay:
            await self.app(scope, _replaying(replay, receive), send)
        else:
            await self.app(scope, receive, send)


def same_origin(conn: HTTPConnection) -> bool:
    """False when the browser says the request came from another site."""
    origin = conn.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    host = conn.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def _token_from_form(receive: Receive) -> tuple[str | None, list[Message]]:
    messages: list[Message] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if len(body) > _FORM_LIMIT:
            return None, [*messages, {"type": "overflow"}]
        if not message.get("more_body", False):
            break
    values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD)
    return (values[0] if values else None), messages


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    queue = list(messages)

    async def replay() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replay


async def _refuse(scope: Scope, send: Send, code: str, message: str, status: int = 403) -> None:
    # Imported here: the error pages render templates, which need this module.
    from ._errors import refusal

    response = await refusal(scope, status, code, gettext(message))
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - responses never read
    return {"type": "http.disconnect"}
