"""The sandbox as an ASGI app: the token endpoint, the signed service endpoint, the PDFs.

Nuonuo answers HTTP 200 whatever happens: the outcome is the ``code`` of
``{"code", "describe", "result"}`` ("E0000" is success), and the token
endpoint's failures are ``{"error", "error_description"}``. Every service
call is checked in the platform's order: parameters present, app known,
token valid for that app, signature right, merchant matches, method exists.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._invoice import BILLING, QUERY
from .._sign import sign
from ._billing import query_result, request_billing
from ._pdf import render_invoice
from ._state import App, SandboxError, SandboxState

CLOCK_SKEW = 600  # seconds the caller's timestamp may differ from ours


def _base_url(request: Request) -> str:
    root = request.scope.get("root_path", "")
    return f"{request.url.scheme}://{request.url.netloc}{root}"


def build_app(state: SandboxState) -> Starlette:
    async def access_token(request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            return _token_error("070315")
        form = await request.form()
        app = state.apps.get(str(form.get("client_id", "")))
        if app is None:
            return _token_error("070304")
        if str(form.get("client_secret", "")) != app.app_secret:
            return _token_error("070305")
        if form.get("grant_type") != "client_credentials":
            return _token_error("070307")
        try:
            token, ttl = state.issue_token(app)
        except SandboxError as exc:
            return _token_error(exc.code)
        # expires_in is a string in Nuonuo's answer.
        return JSONResponse({"access_token": token, "expires_in": str(ttl)})

    async def services(request: Request) -> Response:
        body = await request.body()
        method = request.headers.get("method", "")
        try:
            result = _serve(state, request, method, body)
        except SandboxError as exc:
            with state.lock:
                state.calls.append((method, exc.code))
            return JSONResponse({"code": exc.code, "describe": exc.describe, "result": None})
        with state.lock:
            state.calls.append((method, "E0000"))
        delay = state.take(state.slow)
        if delay:
            # The work is done; only the answer is late, as when a reply is lost.
            await asyncio.sleep(delay)
        return JSONResponse({"code": "E0000", "describe": "调用成功", "result": result})

    async def invoice_pdf(request: Request) -> Response:
        key = request.path_params["key"]
        with state.lock:
            invoice = next((i for i in state.invoices.values()
                            if i.pdf_key and i.pdf_key == key), None)
            if invoice is None:
                return Response("not found", status_code=404, media_type="text/plain")
            blue = state.invoices.get(invoice.blue_serial)
            app = state.apps[invoice.app_key]
        return Response(render_invoice(invoice, app, blue), media_type="application/pdf")

    return Starlette(routes=[
        Route("/accessToken", access_token, methods=["POST"]),
        Route("/open/v1/services", services, methods=["POST"]),
        Route("/invoice/{key}.pdf", invoice_pdf),
    ])


def _token_error(code: str) -> Response:
    error = SandboxError(code)
    return JSONResponse({"error": code, "error_description": error.describe})


def _serve(state: SandboxState, request: Request, method: str, body: bytes) -> Any:
    query = request.query_params
    senid, nonce = query.get("senid", ""), query.get("nonce", "")
    timestamp, app_key = query.get("timestamp", ""), query.get("appkey", "")
    token = request.headers.get("accessToken", "")
    signature = request.headers.get("X-Nuonuo-Sign", "")
    if not all((senid, nonce, timestamp, app_key, token, signature, method)):
        raise SandboxError("0201")
    app = state.apps.get(app_key)
    if app is None:
        raise SandboxError("070101")
    app = state.app_for_token(token, app_key)
    text = body.decode("utf-8", errors="replace")
    expected = sign(app.app_secret, request.url.path, app_key=app_key, senid=senid,
                    nonce=nonce, timestamp=timestamp, body=text)
    if signature != expected:
        raise SandboxError("070601")
    if not timestamp.isdigit() or abs(int(timestamp) - state.now()) > CLOCK_SKEW:
        raise SandboxError("070601", "验签失败，请检查服务器时间是否与北京时间保持一致")
    user_tax = request.headers.get("userTax", "")
    if user_tax and user_tax != app.tax_no:
        raise SandboxError("070401")
    handler = _METHODS.get(method)
    if handler is None:
        raise SandboxError("070501")
    try:
        content = json.loads(text)
    except ValueError:
        raise SandboxError("0201", "输入参数格式有误") from None
    if not isinstance(content, dict):
        raise SandboxError("0201", "输入参数格式有误")
    return handler(state, app, content, _base_url(request))


def _billing(state: SandboxState, app: App, content: dict[str, Any], base: str) -> Any:
    return request_billing(state, app, content)


_METHODS: dict[str, Callable[[SandboxState, App, dict[str, Any], str], Any]] = {
    BILLING: _billing,
    QUERY: query_result,
}
