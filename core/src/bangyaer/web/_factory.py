"""Entry for multi-process serving: each uvicorn worker builds its own app."""

from __future__ import annotations

from starlette.applications import Starlette

from ..settings import load_settings
from ._app import create_app


def app() -> Starlette:
    return create_app(load_settings())
