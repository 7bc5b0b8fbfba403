"""The Nuonuo plugin's hooks."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from bangyaer import PluginInfo, Routes, SettingSpec, hookimpl
from starlette.responses import JSONResponse
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from ._config import PLUGIN_ID, configured, settings_specs
from ._provider import NuonuoInvoices
from ._runtime import runtime


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id=PLUGIN_ID, title_zh="诺诺电子发票", title_en="Nuonuo e-invoices",
        category="integration", icon="receipt", requires_core=">=0.1,<0.2",
        description_zh="通过诺诺开放平台为缴费开具、冲红电子发票",
        description_en="Issues and red-flushes e-invoices for payments through Nuonuo",
    )


@hookimpl
def models() -> Iterable[ModuleType]:
    from . import models as tables

    return [tables]


@hookimpl
def migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def settings_schema() -> Iterable[SettingSpec]:
    return settings_specs()


class MountedSandbox:
    """The platform's own sandbox as an ASGI app, found per request (hooks see no platform)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        platform = scope["app"].state.platform
        sandbox = None
        if configured(platform.config(PLUGIN_ID)):
            sandbox = runtime(platform).sandbox
        if sandbox is None:
            response = JSONResponse({"error": {"code": "not_found",
                                               "message": "诺诺沙箱未开启"}}, status_code=404)
            await response(scope, receive, send)
            return
        await sandbox.app(scope, receive, send)


@hookimpl
def routes() -> Routes:
    return Routes(pages=[Mount("/_sandbox", app=MountedSandbox(), name="nuonuo_sandbox")])


@hookimpl
def invoice_providers() -> Iterable[Any]:
    return [NuonuoInvoices()]


@hookimpl
def commands(cli: click.Group) -> None:
    from ._cli import nuonuo

    cli.add_command(nuonuo)
