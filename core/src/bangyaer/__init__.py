"""Bangyaer (棒伢儿): the plugin core of a district's out-of-school education platform.

Plugin authors import from here: ``hookimpl`` to mark hook implementations,
and the value types their hooks return.
"""

import pluggy

hookimpl = pluggy.HookimplMarker("bangyaer")

from .contrib import (  # noqa: E402  (hookimpl must exist before builtin imports it)
    NavItem,
    Permission,
    PluginInfo,
    Routes,
    Scope,
    SettingSpec,
    Widget,
    WidgetData,
)

__version__ = "0.1.0"

__all__ = [
    "NavItem",
    "Permission",
    "PluginInfo",
    "Routes",
    "Scope",
    "SettingSpec",
    "Widget",
    "WidgetData",
    "__version__",
    "hookimpl",
]
