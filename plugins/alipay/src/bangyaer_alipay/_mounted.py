"""The platform's own sandbox as an ASGI app, found per request (hooks see no platform)."""

from __future__ import annotations

from bangyaer.web import gettext as _
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from ._runtime import runtime


class MountedSandbox:
    """Serves /alipay/_sandbox when the ``sandbox`` setting is on; 404 otherwise."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sandbox = runtime(scope["app"].state.platform).sandbox
        if sandbox is None:
            response = JSONResponse({"error": {"code": "not_found",
                                               "message": _("支付宝沙箱未开启")}},
                                    status_code=404)
            await response(scope, receive, send)
            return
        await sandbox.app(scope, receive, send)
