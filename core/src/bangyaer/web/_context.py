"""What every handler needs: the platform, the actor, rendering and access checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..identity import Actor, authorize, load_actor
from ..notifications import unread_count
from ._api import ApiError
from ._i18n import gettext as _
from ._middleware import csrf_token

if TYPE_CHECKING:
    from ..platform import Platform


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def get_actor(request: Request) -> Actor:
    """The signed-in actor (anonymous if none), loaded once per request."""
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    platform = get_platform(request)
    account_id = request.session.get("account_id")
    child_id = request.session.get("child_id")
    async with platform.db.session() as session:
        actor = await load_actor(session, platform.permissions, account_id, child_id)
    if account_id is not None and not actor.is_authenticated:
        request.session.clear()  # the account was deactivated or removed
    request.state.actor = actor
    return actor


class SignInRequired(Exception):
    pass


async def require_actor(request: Request) -> Actor:
    actor = await get_actor(request)
    if not actor.is_authenticated:
        raise SignInRequired()
    return actor


async def require(request: Request, permission: str, resource: object = None) -> Actor:
    """The actor, if signed in and holding ``permission`` over ``resource``; else 401/403."""
    actor = await require_actor(request)
    if not authorize(actor, permission, resource):
        if is_api(request):
            raise ApiError(403, "forbidden", _("没有权限执行此操作"))
        raise HTTPException(403, _("没有权限访问此页面"))
    return actor


async def require_child(request: Request) -> tuple[Actor, Any]:
    """A guardian acting for a child; 409 asks them to pick one first."""
    actor = await require_actor(request)
    if actor.acting_child is None:
        if is_api(request):
            raise ApiError(409, "no_acting_child", _("请先选择孩子"))
        raise HTTPException(409, _("请先在“我的”页面选择孩子"))
    return actor, actor.acting_child


async def render(
    request: Request, template: str, context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    platform = get_platform(request)
    actor = await get_actor(request)
    env = request.app.state.templates
    unread = 0
    if actor.person is not None:
        # The tab bar shows it on every page; one indexed count.
        async with platform.db.session() as session:
            unread = await unread_count(session, actor.person.id)
    ctx = {
        "request": request,
        "actor": actor,
        "locale": request.state.locale,
        # An anonymous visitor gets no session (and no cookie) just for looking;
        # without the cookie their form posts need no token.
        "csrf_token": csrf_token(request.session) if request.session else "",
        "platform_title": request.app.state.title,
        "menu": await request.app.state.menu(request, actor),
        "nav_unread": unread,
        "current_path": request.url.path,
        "settings": platform.settings,
        **(context or {}),
    }
    html = env.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code)


def is_number(raw: str) -> bool:
    """A non-negative integer in ASCII digits (``"²".isdigit()`` is true, ``int`` refuses it)."""
    return raw.isascii() and raw.isdigit()


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default``.

    Browsers read ``//host``, ``/\\host`` and paths with tabs or line breaks
    inside (which they strip) as another site, so those are refused too.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return default
    return target


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
