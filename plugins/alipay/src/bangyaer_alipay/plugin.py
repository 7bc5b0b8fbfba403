"""The Alipay plugin's hooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click
from bangyaer import PluginInfo, Routes, SettingSpec, hookimpl
from starlette.routing import Mount, Route

from ._config import PLUGIN_ID, settings_specs
from ._mounted import MountedSandbox
from ._notify import notify, return_page
from ._provider import AlipayProvider

PROVIDER = AlipayProvider()


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id=PLUGIN_ID, title_zh="支付宝", title_en="Alipay", category="integration",
        icon="wallet", requires_core=">=0.1,<0.2",
        description_zh="支付宝手机网站支付与电脑网站支付、异步通知、退款与对账单",
        description_en="Alipay phone and desktop checkout, notifications, refunds and bills",
    )


@hookimpl
def settings_schema() -> Iterable[SettingSpec]:
    return settings_specs()


@hookimpl
def routes() -> Routes:
    return Routes(
        pages=[
            Route("/return", return_page, name="alipay_return"),
            Mount("/_sandbox", app=MountedSandbox(), name="alipay_sandbox"),
        ],
        api=[Route("/notify", notify, methods=["POST"], name="alipay_notify")],
    )


@hookimpl
def payment_providers() -> Iterable[Any]:
    return [PROVIDER]


@hookimpl
def commands(cli: click.Group) -> None:
    from ._cli import alipay

    cli.add_command(alipay)
