"""The sandbox as an ASGI app: DingTalk's endpoints, with the protocol's quirks.

Legacy endpoints answer HTTP 200 with ``errcode``/``errmsg`` even on error,
and topapi answers carry a ``request_id``; the new token endpoint answers
errors with HTTP 400 and ``{"code", "message", "requestid"}``. Endpoints
under ``/_sandbox/`` exist only here: they stand in for the phone.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._directory import RELATIONS, ROLES, Corp, unionid
from ._state import SandboxError, SandboxState

MSG_TYPES = ("text", "image", "voice", "file", "link", "oa", "markdown", "action_card")
MAX_PAGE = 30
Handler = Callable[[SandboxState, Corp, dict[str, Any]], dict[str, Any]]


async def _body(request: Request) -> dict[str, Any]:
    # The SDKs post JSON; curl examples in DingTalk's docs post forms. Accept both.
    if request.headers.get("content-type", "").startswith("application/x-www-form"):
        return dict(await request.form())
    raw = await request.body()
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise SandboxError(40035, "请求体不是合法的JSON") from None
    if not isinstance(data, dict):
        raise SandboxError(40035)
    return data


def _int(data: dict[str, Any], key: str, *, required: bool = True) -> int | None:
    value = data.get(key)
    if value is None and not required:
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SandboxError(40035, f"不合法的参数: {key}") from None


def _page(data: dict[str, Any], items: list[dict[str, Any]]) -> tuple[list[Any], bool]:
    size, page_no = _int(data, "page_size"), _int(data, "page_no")
    assert size is not None and page_no is not None
    if not 1 <= size <= MAX_PAGE or page_no < 1:
        raise SandboxError(40035, "page_size 取值1~30，page_no 从1开始")
    start = (page_no - 1) * size
    return items[start:start + size], start + size < len(items)


def _legacy(state: SandboxState, path: str, handler: Handler
            ) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        request_id = state.request_id()
        try:
            fault = state.take_fault(path)
            if fault is not None:
                raise fault
            corp = state.corp_for_token(request.query_params.get("access_token"))
            result = handler(state, corp, await _body(request))
        except SandboxError as exc:
            return JSONResponse({"errcode": exc.errcode, "errmsg": exc.errmsg,
                                 "request_id": request_id})
        return JSONResponse({"errcode": 0, "errmsg": "ok", **result,
                             "request_id": request_id})

    return endpoint


def getuserinfo(state: SandboxState, corp: Corp, data: dict[str, Any]) -> dict[str, Any]:
    userid = state.redeem_code(corp, str(data.get("code") or ""))
    return {"result": {
        "userid": userid, "device_id": "sandbox-device", "sys": False, "sys_level": 0,
        "associated_unionid": "", "unionid": unionid(corp.corp_id, userid),
        "name": corp.names()[userid],
    }}


def user_get(state: SandboxState, corp: Corp, data: dict[str, Any]) -> dict[str, Any]:
    userid = str(data.get("userid") or "")
    if not corp.has_user(userid):
        raise SandboxError(60121)
    classes = sorted({u["class_id"] for u in corp.users if u["userid"] == userid})
    return {"result": {
        "userid": userid, "unionid": unionid(corp.corp_id, userid),
        "name": corp.names()[userid], "active": True, "admin": False, "boss": False,
        "dept_id_list": classes, "hide_mobile": True,
    }}


def _dept_view(corp: Corp, dept: dict[str, Any]) -> dict[str, Any]:
    chain: list[int] = []
    parent = dept.get("super_id")
    while parent is not None:
        chain.insert(0, parent)
        parent = corp.depts[parent].get("super_id")
    feature: dict[str, Any] = {}
    if dept["dept_type"] == "period":
        feature = {"name_mode": "number", "period_type": dept["period_type"]}
    elif dept["dept_type"] == "grade":
        feature = {"grade_level": dept.get("grade_level", 0)}
    elif dept["dept_type"] == "class":
        grade = corp.depts[dept["super_id"]]
        feature = {"class_level": dept.get("class_level", 0),
                   "grade_level": grade.get("grade_level", 0)}
    return {"dept_id": dept["dept_id"], "name": dept["name"], "nick": dept.get("nick", ""),
            "chain": json.dumps(chain), "feature": json.dumps(feature),
            "contact_type": "classic", "dept_type": dept["dept_type"]}


def dept_list(state: SandboxState, corp: Corp, data: dict[str, Any]) -> dict[str, Any]:
    super_id = _int(data, "super_id", required=False)
    if super_id is not None and super_id not in corp.depts:
        raise SandboxError(60003)
    children = [d for d in corp.depts.values() if d.get("super_id") == super_id]
    page, more = _page(data, [_dept_view(corp, d) for d in children])
    return {"success": True, "result": {"details": page, "has_more": more,
                                        "super_id": super_id or 0}}


def _class(corp: Corp, data: dict[str, Any]) -> int:
    class_id = _int(data, "class_id")
    assert class_id is not None
    if corp.depts.get(class_id, {}).get("dept_type") != "class":
        raise SandboxError(60003)
    return class_id


def user_list(state: SandboxState, corp: Corp, data: dict[str, Any]) -> dict[str, Any]:
    class_id = _class(corp, data)
    role = data.get("role")
    if role not in ROLES:
        raise SandboxError(40035, "role 应为 teacher、guardian 或 student")
    details = [{
        "class_id": class_id, "role": role, "feature": "{}", "name": u["name"],
        "userid": u["userid"], "unionid": unionid(corp.corp_id, u["userid"]),
        "is_adviser": "1" if u.get("is_adviser") else "0",
        **({"student_no": u.get("student_no", "")} if role == "student" else {}),
    } for u in corp.memberships(class_id, str(role))]
    page, more = _page(data, details)
    return {"success": True, "result": {"details": page, "has_more": more}}


def relation_list(state: SandboxState, corp: Corp, data: dict[str, Any]) -> dict[str, Any]:
    class_id = _class(corp, data)
    rels = [{"class_id": class_id, "from_userid": r["from_userid"],
             "to_userid": r["to_userid"], "relation_code": r["relation_code"],
             "relation_name": RELATIONS[r["relation_code"]]}
            for r in corp.relations if r["class_id"] == class_id]
    page, more = _page(data, rels)
    return {"success": True, "result": {"relations": page, "has_more": more}}


def _check_agent(corp: Corp, data: dict[str, Any]) -> None:
    if _int(data, "agent_id") != corp.agent_id:
        raise SandboxError(40056)


def asyncsend(state: SandboxState, corp: Corp, data: dict[str, Any]) -> dict[str, Any]:
    _check_agent(corp, data)
    userids = [u for u in str(data.get("userid_list") or "").split(",") if u]
    if not 1 <= len(userids) <= 100:
        raise SandboxError(40035, "userid_list 最多100个用户")
    msg = data.get("msg")
    if isinstance(msg, str):
        msg = json.loads(msg)
    if (not isinstance(msg, dict) or msg.get("msgtype") not in MSG_TYPES
            or not isinstance(msg.get(msg["msgtype"]), dict)):
        raise SandboxError(40035, "msg 格式不正确")
    if len(json.dumps(msg, ensure_ascii=False).encode()) > 2048:
        raise SandboxError(40035, "消息内容超过2048个字节")
    return {"task_id": state.send(corp, userids, msg)}


def sendresult(state: SandboxState, corp: Corp, data: dict[str, Any]) -> dict[str, Any]:
    _check_agent(corp, data)
    task_id = _int(data, "task_id")
    assert task_id is not None
    return {"send_result": state.send_result(corp, task_id)}


def build_app(state: SandboxState) -> Starlette:
    async def gettoken(request: Request) -> Response:
        try:
            token, ttl = state.issue_token(request.query_params.get("appkey", ""),
                                           request.query_params.get("appsecret", ""))
        except SandboxError as exc:
            return JSONResponse({"errcode": exc.errcode, "errmsg": exc.errmsg})
        return JSONResponse({"errcode": 0, "errmsg": "ok", "access_token": token,
                             "expires_in": ttl})

    async def oauth2_token(request: Request) -> Response:
        try:
            data = await _body(request)
            token, ttl = state.issue_token(str(data.get("appKey", "")),
                                           str(data.get("appSecret", "")))
        except SandboxError:
            return JSONResponse({"code": "invalidClientIdOrSecret",
                                 "message": "无效的clientId或者clientSecret",
                                 "requestid": state.request_id()}, status_code=400)
        return JSONResponse({"accessToken": token, "expireIn": ttl})

    async def auth_codes(request: Request) -> Response:
        data = await request.json()
        try:
            code = state.issue_code(str(data.get("corp_id")), str(data.get("userid")))
        except KeyError as exc:
            return JSONResponse({"error": {"code": "not_found", "message": str(exc)}}, 404)
        return JSONResponse({"code": code})

    async def faults(request: Request) -> Response:
        data = await request.json()
        state.fail_next(str(data["path"]), int(data["errcode"]), int(data.get("times", 1)))
        return JSONResponse({"ok": True})

    async def stats(request: Request) -> Response:
        return JSONResponse({"token_requests": dict(state.token_requests),
                             "calls": dict(state.calls)})

    legacy = {
        "/topapi/v2/user/getuserinfo": getuserinfo, "/topapi/v2/user/get": user_get,
        "/topapi/edu/dept/list": dept_list, "/topapi/edu/user/list": user_list,
        "/topapi/edu/user/relation/list": relation_list,
        "/topapi/message/corpconversation/asyncsend_v2": asyncsend,
        "/topapi/message/corpconversation/getsendresult": sendresult,
    }
    routes = [
        Route("/gettoken", gettoken),
        Route("/v1.0/oauth2/accessToken", oauth2_token, methods=["POST"]),
        *[Route(path, _legacy(state, path, handler), methods=["POST"])
          for path, handler in legacy.items()],
        Route("/_sandbox/auth-codes", auth_codes, methods=["POST"]),
        Route("/_sandbox/faults", faults, methods=["POST"]),
        Route("/_sandbox/stats", stats),
    ]
    return Starlette(routes=routes)
