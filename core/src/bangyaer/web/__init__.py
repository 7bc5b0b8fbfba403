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
from ._ranges import ByteRange, Unsatisfiable, parse_range
from ._stream import stream_blob
from ._thread import serve_in_thread
from ._upload import Upload, single_file

__all__ = [
    "N_",
    "ApiError",
    "Body",
    "ByteRange",
    "Field",
    "Unsatisfiable",
    "Upload",
    "api",
    "create_app",
    "current_locale",
    "get_actor",
    "get_platform",
    "gettext",
    "parse_range",
    "read_json",
    "render",
    "require",
    "require_actor",
    "require_child",
    "serve_in_thread",
    "single_file",
    "start_session",
    "stream_blob",
]
