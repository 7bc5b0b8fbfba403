"""Login-free sign-in (免登) for the internal H5 micro-app.

DingTalk opens the app's homepage, ``/dingtalk/open?corpId=$CORPID$``, with
the corp filled in. The page asks the JSAPI for a one-time code
(``dd.requestAuthCode``) and posts it to ``POST /api/v1/dingtalk/login``;
the server exchanges it with ``topapi/v2/user/getuserinfo`` under the corp's
own app token and signs in whoever the roster links to that
``(corp_id, userid)``. The browser never says who the user is: only the code
DingTalk issued does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import Account, ExternalIdentity, Person, audit
from bangyaer.web import ApiError, Body, Field, api, get_platform, read_json, render, start_session
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._apply import PROVIDER
from ._client import INVALID_AUTH_CODE, DingTalkError
from ._config import CorpConfig
from ._runtime import runtime

log = logging.getLogger("bangyaer.dingtalk")

LOGIN_BODY = Body({
    "corp_id": Field(str, max_length=64, description="The corpId DingTalk put in the URL"),
    "code": Field(str, max_length=128, description="The code from dd.requestAuthCode"),
})

UNKNOWN_CORP = "该学校尚未开通钉钉登录（企业 ID 未在平台配置），请联系学校管理员"
INVALID_CODE = "钉钉登录码无效、已过期或已被使用，请从钉钉工作台重新打开本应用"
NOT_IN_ROSTER = "学校的家校通讯录中没有您的钉钉账号，请联系班主任核对后再试"
INACTIVE = "您的账号已停用，请联系学校管理员"
UNAVAILABLE = "暂时无法连接钉钉，请稍后再试"


@dataclass(frozen=True)
class DingTalkSignIn:
    """The identity provider shown on the login page as 「钉钉登录」."""

    id: str = PROVIDER
    login_url: str = "/dingtalk/open"

    def title(self, locale: str) -> str:
        return "Sign in with DingTalk" if locale.startswith("en") else "钉钉登录"


async def _corp(request: Request, corp_id: str) -> CorpConfig:
    corp = (await runtime(get_platform(request))).config.corp(corp_id)
    if corp is None:
        raise ApiError(400, "unknown_corp", UNKNOWN_CORP)
    return corp


async def _userid(request: Request, corp: CorpConfig, code: str) -> str:
    rt = await runtime(get_platform(request))
    try:
        async with rt.http() as http:
            info = await rt.client(corp, http).user_by_code(code)
    except DingTalkError as exc:
        if exc.errcode == INVALID_AUTH_CODE:
            raise ApiError(401, "invalid_code", INVALID_CODE) from None
        log.warning("corp %s: sign-in code exchange failed: %s", corp.corp_id, exc)
        raise ApiError(502, "dingtalk_unavailable", UNAVAILABLE) from None
    return str(info["userid"])


async def sign_in(request: Request, corp_id: str, code: str) -> tuple[Account, Person]:
    """Check ``code`` with DingTalk and start a session for the roster's person."""
    corp = await _corp(request, corp_id)
    userid = await _userid(request, corp, code)
    async with get_platform(request).db.transaction() as session:
        row = (await session.execute(
            select(Account, Person)
            .join(ExternalIdentity, ExternalIdentity.account_id == Account.id)
            .join(Person, Person.id == Account.person_id)
            .where(ExternalIdentity.provider == PROVIDER,
                   ExternalIdentity.tenant == corp.corp_id,
                   ExternalIdentity.subject == userid))).first()
        if row is None:
            log.info("corp %s: DingTalk sign-in by a user with no roster match", corp.corp_id)
            raise ApiError(403, "not_in_roster", NOT_IN_ROSTER)
        account, person = row
        if not (account.active and person.active):
            raise ApiError(403, "account_inactive", INACTIVE)
        account.last_login_at = utcnow()
        await audit(session, None, "dingtalk.sign_in", "account", account.id,
                    corp_id=corp.corp_id)
    start_session(request, account)
    return account, person


@api("Sign in with a DingTalk login-free code (免登码) from dd.requestAuthCode",
     body=LOGIN_BODY, auth=False,
     responses={400: "corp not configured", 401: "code unknown, used or expired",
                403: "no roster match, or account inactive", 502: "DingTalk unreachable"})
async def api_login(request: Request) -> Response:
    data = await read_json(request, LOGIN_BODY)
    account, person = await sign_in(request, data["corp_id"].strip(), data["code"].strip())
    return JSONResponse({"account_id": account.id,
                         "person": {"id": person.id, "name": person.name, "kind": person.kind},
                         "csrf_token": request.session["csrf"]})


def safe_next(target: str | None) -> str:
    # Same-site paths only: "//evil.example" and "https://…" would leave the site.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


async def open_page(request: Request) -> Response:
    """The micro-app's homepage inside DingTalk (or the demo workbench's stand-in)."""
    rt = await runtime(get_platform(request))
    corp_id = request.query_params.get("corpId", "").strip()
    if (not corp_id or corp_id == "$CORPID$") and len(rt.config.corps) == 1:
        corp_id = rt.config.corps[0].corp_id  # one school: nothing to choose
    corp = rt.config.corp(corp_id) if corp_id else None
    error = UNKNOWN_CORP if corp_id and corp is None else None
    context: dict[str, Any] = {
        "corp": corp, "error": error, "next": safe_next(request.query_params.get("next")),
        "jsapi_script": rt.config.jsapi_script, "sandbox": rt.sandbox is not None,
        "sandbox_user": request.query_params.get("sandbox_user", "")
        if rt.sandbox is not None else "",
    }
    return await render(request, "dingtalk/open.html", context,
                        status_code=400 if error else 200)
