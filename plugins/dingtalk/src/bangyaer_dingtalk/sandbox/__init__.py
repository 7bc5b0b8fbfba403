"""A stand-in DingTalk server that speaks DingTalk's protocol, for tests and demos.

``Sandbox(fixture)`` holds the directory and the protocol state; ``.app`` is
the ASGI app. ``serve(sandbox)`` runs it with uvicorn on loopback in a
thread, so tests talk to it over real HTTP; ``bangyaer dingtalk sandbox``
serves it for people, and with ``sandbox = true`` the platform mounts it
under /dingtalk/_sandbox. It hands a sign-in code to anyone who asks: never
point a production deployment at it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bangyaer.web import serve_in_thread

from ._app import build_app
from ._directory import RELATIONS, Corp, FixtureError, load_fixture_file
from ._state import CODE_TTL, TOKEN_TTL, SandboxState

__all__ = ["CODE_TTL", "DEMO_FIXTURE", "RELATIONS", "TOKEN_TTL", "Corp", "FixtureError",
           "Sandbox", "load_fixture_file", "serve"]

DEMO_FIXTURE = Path(__file__).parent / "demo.json"


class Sandbox:
    """One sandbox: its directory, its tokens and codes, and its ASGI app."""

    def __init__(self, fixture: dict[str, Any]) -> None:
        self.state = SandboxState(fixture)
        self.app = build_app(self.state)
        self.url = ""  # set by serve()

    # What a test or the demo workbench does in place of a phone and a clock.

    def issue_code(self, corp_id: str, userid: str) -> str:
        """A one-time login-free code, as dd.requestAuthCode would hand the page."""
        return self.state.issue_code(corp_id, userid)

    def advance(self, seconds: float) -> None:
        """Move the sandbox's clock forward (tokens and codes expire by it)."""
        with self.state.lock:
            self.state.offset += seconds

    def fail_next(self, path: str, errcode: int, times: int = 1,
                  errmsg: str | None = None) -> None:
        """Answer the next ``times`` calls to ``path`` with ``errcode``."""
        self.state.fail_next(path, errcode, times, errmsg)

    def load(self, fixture: dict[str, Any]) -> None:
        """Replace the directory (tokens and codes survive), e.g. after moving a student."""
        self.state.load(fixture)

    def refuse(self, corp_id: str, userid: str) -> None:
        """Work notices to this user fail (they left the app's visible range, say)."""
        with self.state.lock:
            self.state.refused.add((corp_id, userid))

    def inbox(self, corp_id: str, userid: str) -> list[dict[str, Any]]:
        """Work notices delivered to this user's phone."""
        with self.state.lock:
            return list(self.state.inboxes.get((corp_id, userid), []))

    @property
    def token_requests(self) -> dict[str, int]:
        with self.state.lock:
            return dict(self.state.token_requests)

    def corps(self) -> list[Corp]:
        with self.state.lock:
            return list(self.state.corps.values())


@contextlib.contextmanager
def serve(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[Sandbox]:
    """Serve ``sandbox`` over HTTP in a background thread; ``sandbox.url`` is its address."""
    with serve_in_thread(sandbox.app, name="dingtalk-sandbox", host=host, port=port) as url:
        sandbox.url = url
        yield sandbox
