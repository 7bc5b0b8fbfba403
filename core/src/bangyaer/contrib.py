"""The small value types plugins hand to the core through hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.routing import BaseRoute

Category = Literal["module", "integration", "core"]


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says about itself; checked by the host before it is registered."""

    id: str
    title_zh: str
    title_en: str
    requires_core: str
    category: Category = "module"
    icon: str = "grid"
    description_zh: str = ""
    description_en: str = ""

    def title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") else self.title_zh


@dataclass
class Routes:
    """A plugin's routes: ``pages`` mount under /<id>/, ``api`` under /api/v1/<id>/."""

    pages: Sequence[BaseRoute] = ()
    api: Sequence[BaseRoute] = ()


@dataclass(frozen=True)
class Permission:
    """A named permission, e.g. ``notices.publish``, with the roles that hold it by default."""

    name: str
    title_zh: str
    title_en: str
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class NavItem:
    """A tile on the home screen (and an entry in the menu)."""

    plugin_id: str
    title_zh: str
    title_en: str
    url: str
    icon: str = "grid"
    order: int = 100
    badge: int | None = None
    # "home" for a tile on the home screen, "me" for a link on the 我的 page
    # (a module's records for the acting child: entries, classes, awards …).
    placement: Literal["home", "me"] = "home"
    description_zh: str = ""
    description_en: str = ""

    def description(self, locale: str) -> str:
        return self.description_en if locale.startswith("en") else self.description_zh

    def title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") else self.title_zh


@dataclass(frozen=True)
class Scope:
    """The cockpit's scope: the whole district, or one school."""

    kind: Literal["district", "school"]
    org_id: int
    org_path: str


WidgetKind = Literal["number", "table", "bars"]


@dataclass(frozen=True)
class WidgetData:
    """What a widget shows: a number, or rows of (label, value …) with column headings."""

    value: int | float | None = None
    columns: Sequence[str] = ()
    rows: Sequence[Sequence[Any]] = ()
    note: str = ""


@dataclass(frozen=True)
class Widget:
    """A cockpit widget; ``load`` runs in a read-only session for the scope."""

    id: str
    title_zh: str
    title_en: str
    kind: WidgetKind
    load: Callable[[AsyncSession, Scope], Awaitable[WidgetData]]
    order: int = 100

    def title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") else self.title_zh


SettingType = Literal["str", "int", "bool", "float", "list"]


@dataclass(frozen=True)
class SettingSpec:
    """One setting of a plugin, read from ``[plugins.<id>]`` in bangyaer.toml."""

    key: str
    type: SettingType
    default: Any
    help: str = ""
    secret: bool = False
    choices: Sequence[Any] = field(default_factory=tuple)
    # The value `bangyaer demo` writes into a new demo configuration, e.g.
    # an integration's sandbox switch; None leaves the setting out.
    demo: Any = None
