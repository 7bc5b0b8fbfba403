"""``create_app``: one Starlette app assembled from the enabled plugins."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from ..certificates import _web as certificates_web
from ..contrib import NavItem
from ..identity import Actor
from ..payments import _web_family as payments_family
from ..payments import _web_manage as payments_manage
from ..payments import _web_reconcile as payments_reconcile
from ..payments import _web_staff as payments_staff
from ..platform import Platform
from ..settings import ConfigError, Settings
from . import _auth, _cockpit, _pages
from ._errors import HANDLERS, ServerErrors
from ._i18n import Translations
from ._middleware import SESSION_COOKIE, CSRFMiddleware, LocaleMiddleware, SecurityHeaders
from ._openapi import document
from ._templates import build_environment

log = logging.getLogger("bangyaer.web")
CORE_DIR = Path(__file__).resolve().parent.parent


def plugin_dir(obj: object) -> Path:
    """The directory a plugin's templates/, static/ and locale/ live in."""
    target = obj if inspect.ismodule(obj) else type(obj)
    return Path(inspect.getfile(target)).resolve().parent  # type: ignore[arg-type]


def create_app(
    settings: Settings | None = None,
    *,
    platform: Platform | None = None,
    plugins: Sequence[object] = (),
    discover: bool = True,
) -> Starlette:
    """Build the web app for ``settings`` (or an existing ``platform``)."""
    if platform is None:
        if settings is None:
            raise TypeError("create_app() needs settings or a platform")
        platform = Platform(settings, plugins=plugins, discover=discover)
    settings = platform.settings
    if not settings.secret_key:
        raise ConfigError("secret_key: not set; put it in bangyaer.toml or BANGYAER_SECRET_KEY "
                          "(`bangyaer init` generates one)")

    translations = Translations()
    translations.load_dir(CORE_DIR / "locale")
    template_dirs: dict[str, Path] = {}
    routes: list[BaseRoute] = [
        Mount("/static/core", StaticFiles(directory=CORE_DIR / "static"), name="static_core"),
    ]
    plugin_routes: list[BaseRoute] = []
    for record in platform.host.enabled():
        if record.id == "core" or record.obj is None:
            continue
        base = plugin_dir(record.obj)
        if (base / "templates").is_dir():
            template_dirs[record.id] = base / "templates"
        if (base / "static").is_dir():
            routes.append(Mount(f"/static/{record.id}", StaticFiles(directory=base / "static"),
                                name=f"static_{record.id}"))
        if (base / "locale").is_dir():
            translations.load_dir(base / "locale")
    # The routes were collected and checked once, when the platform started.
    plugin_api: list[BaseRoute] = []
    for plugin_id, contributed in platform.routes.items():
        if not platform.host.is_enabled(plugin_id):
            continue
        if contributed.pages:
            plugin_routes.append(Mount(f"/{plugin_id}", routes=list(contributed.pages),
                                       name=plugin_id))
        if contributed.api:
            plugin_api.append(Mount(f"/api/v1/{plugin_id}", routes=list(contributed.api),
                                    name=f"api_{plugin_id}"))

    # A plugin's /api/v1/<id> mount goes before the core's /api/v1 mount:
    # Starlette picks the first Mount whose prefix matches, and the core's
    # would otherwise swallow every plugin API path and answer 404.
    routes += [
        *plugin_api,
        Mount("/api/v1", routes=_auth.api_routes + _pages.api_routes + _cockpit.api_routes
              + certificates_web.api_routes + payments_staff.api_routes,
              name="api_core"),
        *_auth.page_routes,
        *_pages.page_routes,
        *_cockpit.page_routes,
        *certificates_web.page_routes,
        *payments_family.page_routes,
        *payments_manage.page_routes,
        *payments_reconcile.page_routes,
        *plugin_routes,
    ]

    middleware = [
        Middleware(SecurityHeaders, hsts=settings.secure_cookies),
        Middleware(LocaleMiddleware, translations=translations,
                   default=settings.default_locale),
        Middleware(SessionMiddleware, secret_key=settings.secret_key,
                   session_cookie=SESSION_COOKIE, max_age=settings.session_max_age,
                   same_site="lax", https_only=settings.secure_cookies),
        Middleware(CSRFMiddleware),
        Middleware(ServerErrors),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = None
        if settings.embedded_worker and app.state.run_worker:
            # One process is the whole platform on a small install (the demo):
            # the worker runs beside the web server. Larger ones run
            # `bangyaer worker` separately and set embedded_worker = false.
            task = asyncio.create_task(platform.worker().run_forever(stop, poll=0.5))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await platform.close()

    app = Starlette(
        debug=settings.debug, routes=routes, middleware=middleware, lifespan=lifespan,
        exception_handlers=dict(HANDLERS),
    )
    app.state.platform = platform
    app.state.run_worker = True
    app.state.templates = build_environment(
        CORE_DIR / "templates", template_dirs, translations, settings.timezone
    )
    app.state.translations = translations
    app.state.title = "棒伢儿"
    app.state.openapi = lambda: document(app.routes, platform.host.core)

    async def menu(request: Request, actor: Actor) -> list[NavItem]:
        return _pages.nav_for(request, actor, "home")

    app.state.menu = menu
    return app
