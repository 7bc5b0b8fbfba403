"""The DingTalk plugin's hooks."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from bangyaer import Permission, PluginInfo, Routes, SettingSpec, hookimpl
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import Mount, Route

from . import _demo
from ._config import PLUGIN_ID, settings_specs
from ._login import DingTalkSignIn, api_login, open_page
from ._notices import CHECK_JOB, SEND_JOB, WorkNoticeChannel, check_job, send_job
from ._sync import SYNC_JOB, sync_job
from ._workbench import MountedSandbox, workbench_page


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        id=PLUGIN_ID, title_zh="钉钉", title_en="DingTalk", category="integration",
        icon="message", requires_core=">=0.1,<0.2",
        description_zh="钉钉免登、家校通讯录同步与工作通知",
        description_en="DingTalk login-free sign-in, home-school roster sync, work notices",
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


@hookimpl
def routes() -> Routes:
    return Routes(
        pages=[
            Route("/open", open_page, name="dingtalk_open"),
            Route("/workbench", workbench_page, name="dingtalk_workbench"),
            Mount("/_sandbox", app=MountedSandbox(), name="dingtalk_sandbox"),
        ],
        api=[Route("/login", api_login, methods=["POST"], name="dingtalk_login")],
    )


@hookimpl
def permissions() -> Iterable[Permission]:
    return [Permission("dingtalk.sync", "同步钉钉家校通讯录", "Sync the DingTalk roster",
                       ("district_admin",))]


@hookimpl
def identity_providers() -> Iterable[Any]:
    return [DingTalkSignIn()]


@hookimpl
def notification_channels() -> Iterable[Any]:
    return [WorkNoticeChannel()]


@hookimpl
def job_handlers() -> dict[str, Any]:
    return {SYNC_JOB: sync_job, SEND_JOB: send_job, CHECK_JOB: check_job}


@hookimpl
def commands(cli: click.Group) -> None:
    from ._cli import dingtalk

    cli.add_command(dingtalk)


@hookimpl
def demo_data(session: AsyncSession, district: Any) -> Any:
    return _demo.demo_data(session, district)

