"""What results add to the plugin's hooks; plugin.py gathers it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bangyaer.contrib import NavItem, Permission
from bangyaer.identity import Actor
from starlette.routing import BaseRoute


def permissions() -> list[Permission]:
    return []


def nav_items(actor: Actor) -> Iterable[NavItem]:
    return []


def job_handlers() -> dict[str, Any]:
    return {}


def pages() -> list[BaseRoute]:
    return []


def api() -> list[BaseRoute]:
    return []
