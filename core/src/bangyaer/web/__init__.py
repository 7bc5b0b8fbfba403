"""The web shell: ``create_app`` and what plugin handlers use."""

from ._api import ApiError, Body, Field, api, read_json
from ._app import create_app
from ._auth import start_session
from ._context import (
    get_actor,
    get_platform,
    render,
    require,
    require_actor,
    require_child,
)
from ._i18n import N_, current_locale, gettext

__all__ = [
    "N_",
    "ApiError",
    "Body",
    "Field",
    "api",
    "create_app",
    "current_locale",
    "get_actor",
    "get_platform",
    "gettext",
    "read_json",
    "render",
    "require",
    "require_actor",
    "require_child",
    "start_session",
]
