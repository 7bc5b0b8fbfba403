"""Password sign-in, sign-out, the acting child, and ``/api/v1/me``."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..db import utcnow
from ..identity import ROLE_TITLES, Account, Actor, LoginAttempt, verify_password
from ..platform import Platform
from ._api import ApiError, Body, Field, api, read_json
from ._context import get_actor, get_platform, render, require_actor, safe_next
from ._i18n import gettext as _
from ._middleware import csrf_token, same_origin

LOGIN_BODY = Body({
    "username": Field(str, max_length=64), "password": Field(str, max_length=256),
})
CHILD_BODY = Body({"child_id": Field(int)})


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


async def _retry_after(session: AsyncSession, platform: Platform, username: str, ip: str
                       ) -> int | None:
    """Seconds until another try is allowed, or None when one is allowed now."""
    s = platform.settings
    since = utcnow() - dt.timedelta(seconds=s.login_window_seconds)
    failed = (LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
    # Per username against guessing one account's password; per address,
    # five times looser, against trying many accounts from one machine.
    for column, value, limit in (
        (LoginAttempt.username, username, s.login_max_failures),
        (LoginAttempt.ip, ip, s.login_max_failures * 5),
    ):
        count, oldest = (await session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(column == value, *failed)
        )).one()
        if count >= limit and oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC)
            wait = (oldest - since).total_seconds()
            return max(1, math.ceil(wait))
    return None


async def authenticate(request: Request, username: str, password: str) -> Account:
    """Check a password sign-in, recording the attempt; raises ApiError 401/403/429."""
    platform = get_platform(request)
    ip = client_ip(request)
    username = username.strip()
    async with platform.db.transaction() as session:
        wait = await _retry_after(session, platform, username, ip)
        if wait is not None:
            raise ApiError(
                429, "too_many_attempts",
                _("登录失败次数过多，请 %(minutes)s 分钟后再试", minutes=math.ceil(wait / 60)),
                headers={"Retry-After": str(wait)}, detail={"retry_after": wait},
            )
        account = await session.scalar(select(Account).where(Account.username == username))
        # Verified even for an unknown name, so both cost the same time.
        password_ok = verify_password(account.password_hash if account else None, password)
        ok = password_ok and account is not None and account.active
        session.add(LoginAttempt(username=username, ip=ip, succeeded=ok, at=utcnow()))
        if ok and account is not None:
            account.last_login_at = utcnow()
    # Raised after the commit, so the failed attempt is counted.
    if account is None or not password_ok:
        raise ApiError(401, "invalid_credentials", _("用户名或密码错误"))
    if not ok:
        # Only someone who knows the password learns that the account is switched off.
        raise ApiError(403, "account_disabled", _("该账号已停用，请联系学校或区少年宫"))
    return account


def _refuse_cross_site(request: Request) -> None:
    # A sign-in posted from another site would put the family into someone
    # else's account (login CSRF); the CSRF check only guards existing sessions.
    if not same_origin(request):
        raise ApiError(403, "cross_origin", _("跨站请求被拒绝，请从本站页面重新操作"))


def start_session(request: Request, account: Account) -> None:
    """Begin a fresh session for ``account``; any earlier session data is dropped."""
    request.session.clear()
    request.session["account_id"] = account.id
    csrf_token(request.session)


def actor_json(actor: Actor, locale: str) -> dict[str, Any]:
    def child(p: Any) -> dict[str, Any]:
        return {"id": p.id, "name": p.name, "school_id": p.school_id, "class_id": p.class_id,
                "stage": p.stage, "grade": p.grade}

    en = locale.startswith("en")
    person = actor.person
    return {
        "account_id": actor.account_id,
        "person": None if person is None else {
            "id": person.id, "name": person.name, "kind": person.kind},
        "roles": [{"role": g.role, "org_id": g.org_id,
                   "title": ROLE_TITLES[g.role][1 if en else 0]} for g in actor.grants],
        "children": [child(c) for c in actor.children],
        "acting_child": child(actor.acting_child) if actor.acting_child else None,
    }


@api("Sign in with a username and password", body=LOGIN_BODY, auth=False,
     responses={401: "wrong username or password", 429: "too many failed attempts"})
async def api_login(request: Request) -> Response:
    _refuse_cross_site(request)
    data = await read_json(request, LOGIN_BODY)
    account = await authenticate(request, data["username"], data["password"])
    start_session(request, account)
    request.state.actor = None
    actor = await get_actor(request)
    return JSONResponse({**actor_json(actor, request.state.locale),
                         "csrf_token": request.session["csrf"]})


@api("Sign out")
async def api_logout(request: Request) -> Response:
    # Not yet: revoking a copied cookie on the server; sessions live in signed
    # cookies that expire after session_max_age, and deactivation ends them.
    request.session.clear()
    return JSONResponse({"ok": True})


@api("The signed-in person, their roles and the child they act for")
async def api_me(request: Request) -> Response:
    actor = await require_actor(request)
    return JSONResponse({**actor_json(actor, request.state.locale),
                         "csrf_token": csrf_token(request.session)})


async def _set_child(request: Request, child_id: int) -> Actor:
    actor = await require_actor(request)
    if not actor.is_guardian_of(child_id):
        raise ApiError(403, "not_your_child", _("只能选择自己的孩子"))
    request.session["child_id"] = child_id
    request.state.actor = None
    return await get_actor(request)


@api("Choose the child a guardian acts for", body=CHILD_BODY,
     responses={403: "not a child of this guardian"})
async def api_acting_child(request: Request) -> Response:
    data = await read_json(request, CHILD_BODY)
    actor = await _set_child(request, data["child_id"])
    return JSONResponse(actor_json(actor, request.state.locale))


async def login_page(request: Request) -> Response:
    platform = get_platform(request)
    providers = platform.host.collect_by_id("identity_providers")
    context: dict[str, Any] = {"next": safe_next(request.query_params.get("next")),
                               "error": None, "username": "", "providers": providers.values()}
    if request.method == "GET":
        return await render(request, "login.html", context)
    _refuse_cross_site(request)
    form = await request.form()
    username = str(form.get("username", ""))[:64]
    context.update(username=username, next=safe_next(str(form.get("next", "/"))))
    try:
        account = await authenticate(request, username, str(form.get("password", ""))[:256])
    except ApiError as exc:
        context["error"] = exc.message
        response = await render(request, "login.html", context, status_code=exc.status)
        response.headers.update(exc.headers)
        return response
    start_session(request, account)
    return RedirectResponse(context["next"], status_code=303)


async def logout_page(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)


async def acting_child_page(request: Request) -> Response:
    form = await request.form()
    try:
        child_id = int(str(form.get("child_id", "")))
    except ValueError:
        raise ApiError(422, "invalid_field", _("请选择孩子")) from None
    await _set_child(request, child_id)
    return RedirectResponse(safe_next(str(form.get("next", "/me"))), status_code=303)


api_routes = [
    Route("/auth/login", api_login, methods=["POST"], name="auth_login"),
    Route("/auth/logout", api_logout, methods=["POST"], name="auth_logout"),
    Route("/me", api_me, name="me"),
    Route("/me/acting-child", api_acting_child, methods=["POST"], name="me_acting_child"),
]
page_routes = [
    Route("/login", login_page, methods=["GET", "POST"], name="login"),
    Route("/logout", logout_page, methods=["POST"], name="logout"),
    Route("/me/acting-child", acting_child_page, methods=["POST"], name="acting_child"),
]
