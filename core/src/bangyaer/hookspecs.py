# mypy: disable-error-code="empty-body"
"""Every hook a Bangyaer plugin may implement.

Each stub says in one line what to return; ``docs/plugins.md`` tells the
long story with an example for every hook. Hooks named with nouns contribute
something; hooks named ``on_…`` react. A hook may return an awaitable where
its line says so, and the host awaits it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterable
    from types import ModuleType

    import click
    from sqlalchemy.ext.asyncio import AsyncSession

    from .contrib import (
        NavItem,
        Permission,
        PluginInfo,
        Routes,
        Scope,
        SettingSpec,
        Widget,
    )
    from .events import Event
    from .identity import Actor, Organisation
    from .platform import Platform

hookspec = pluggy.HookspecMarker("bangyaer")


@hookspec
def plugin_info() -> PluginInfo:
    """Return the plugin's PluginInfo: id, titles, icon, category, supported core range."""


@hookspec
def models() -> Iterable[ModuleType]:
    """Return the modules that define this plugin's SQLAlchemy models."""


@hookspec
def migrations() -> str | None:
    """Return the directory holding this plugin's Alembic revisions (one branch per plugin)."""


@hookspec
def routes() -> Routes:
    """Return Routes(pages=…, api=…), mounted under /<id>/ and /api/v1/<id>/."""


@hookspec
def permissions() -> Iterable[Permission]:
    """Return the permissions this plugin defines, each with its default roles."""


@hookspec
def nav_items(actor: Actor) -> Iterable[NavItem]:
    """Return the home-screen tiles and menu entries this actor may see."""


@hookspec
def dashboard_widgets(scope: Scope) -> Iterable[Widget]:
    """Return cockpit widgets for the district or for one school (scope.kind)."""


@hookspec
def activity_types() -> Iterable[Any]:
    """Return competition activity types, each with a unique ``id`` attribute."""


@hookspec
def notification_channels() -> Iterable[Any]:
    """Return channels (``id``, ``async send(ctx, messages)``) reaching people beyond the inbox."""


@hookspec
def identity_providers() -> Iterable[Any]:
    """Return sign-in methods beyond passwords, each with ``id``, ``title`` and ``login_url``."""


@hookspec
def payment_providers() -> Iterable[Any]:
    """Return payment gateways for the payments ledger, each with a unique ``id``."""


@hookspec
def invoice_providers() -> Iterable[Any]:
    """Return e-invoice platforms for the payments ledger, each with a unique ``id``."""


@hookspec
def job_handlers() -> dict[str, Any]:
    """Return {job kind: async handler(ctx, payload)} for the durable job queue."""


@hookspec
def commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``bangyaer`` command line."""


@hookspec
def settings_schema() -> Iterable[SettingSpec]:
    """Return this plugin's settings (key, type, default), read from [plugins.<id>]."""


@hookspec
def demo_data(session: AsyncSession, district: Organisation, platform: Platform
              ) -> Awaitable[None] | None:
    """Add believable demo content inside ``session``; may return an awaitable."""


@hookspec
def on_event(event: Event, session: AsyncSession) -> Awaitable[None] | None:
    """React to a domain event from any plugin inside ``session``; may return an awaitable."""
