"""The demo's stand-in for DingTalk's workbench (工作台), and the mounted sandbox.

Both exist only with ``sandbox = true``; otherwise they answer 404. The
workbench lists the sandbox corps' guardians and teachers; choosing one
opens the app's homepage as DingTalk would, and the sandbox's JSAPI shim
plays dd.requestAuthCode for that person.
"""

from __future__ import annotations

from typing import Any

from bangyaer.identity import ExternalIdentity
from bangyaer.web import get_platform, render
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from ._apply import PROVIDER
from ._runtime import runtime


async def workbench_page(request: Request) -> Response:
    platform = get_platform(request)
    rt = await runtime(platform)
    if rt.sandbox is None:
        raise HTTPException(404)
    async with platform.db.session() as session:
        linked = set((await session.execute(
            select(ExternalIdentity.tenant, ExternalIdentity.subject)
            .where(ExternalIdentity.provider == PROVIDER))).all())
    schools: list[dict[str, Any]] = []
    for corp in rt.sandbox.corps():
        people: dict[str, dict[str, Any]] = {}
        for user in corp.users:
            if user["role"] != "student" and (corp.corp_id, user["userid"]) in linked:
                people.setdefault(user["userid"], {
                    "userid": user["userid"], "name": user["name"], "role": user["role"]})
        schools.append({"corp_id": corp.corp_id, "name": corp.name,
                        "people": sorted(people.values(),
                                         key=lambda p: (p["role"] != "guardian", p["userid"]))})
    return await render(request, "dingtalk/workbench.html", {"schools": schools})


class MountedSandbox:
    """The platform's own sandbox as an ASGI app, found per request (hooks see no platform)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        platform = scope["app"].state.platform
        rt = await runtime(platform)
        if rt.sandbox is None:
            response = JSONResponse({"error": {"code": "not_found",
                                               "message": "钉钉沙箱未开启"}}, status_code=404)
            await response(scope, receive, send)
            return
        await rt.sandbox.app(scope, receive, send)
