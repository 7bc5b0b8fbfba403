"""A stand-in for Nuonuo's open platform that speaks its protocol, for tests and demos.

``Sandbox()`` holds the apps, tokens and invoices; ``.app`` is the ASGI app.
``serve(sandbox)`` runs it with uvicorn on loopback in a thread, so tests
talk to it over real HTTP; ``python -m bangyaer_nuonuo.sandbox`` serves it
for people, and with ``sandbox = true`` the platform mounts it under
/nuonuo/_sandbox. Its invoices are not real: never point a production
deployment at it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from bangyaer.web import serve_in_thread

from .._invoice import BILLING, QUERY
from ._app import build_app
from ._state import MESSAGES, TOKEN_LIMIT, TOKEN_TTL, App, Invoice, SandboxError, SandboxState

__all__ = ["BILLING", "DEMO_APP", "MESSAGES", "QUERY", "TOKEN_LIMIT", "TOKEN_TTL", "App",
           "Invoice", "Sandbox", "SandboxError", "serve"]

# 339901999999142 is the test tax number Nuonuo's own debugging tool suggests.
DEMO_APP = App(app_key="SDBANGYAER01", app_secret="sandbox-secret-not-for-production",
               tax_no="339901999999142", saler_name="演示区少年宫")


class Sandbox:
    """One sandbox: its apps, tokens and invoices, and its ASGI app.

    ``in_progress_queries`` queries of a new invoice answer 开票中 (20) before
    it is final; ``issue_delay`` seconds must also have passed.
    """

    def __init__(self, apps: tuple[App, ...] = (DEMO_APP,), *, in_progress_queries: int = 1,
                 issue_delay: float = 0.0) -> None:
        self.state = SandboxState({a.app_key: a for a in apps},
                                  in_progress_queries=in_progress_queries,
                                  issue_delay=issue_delay)
        self.app = build_app(self.state)
        self.url = ""  # set by serve()

    # What a test does in place of the tax bureau's moods and a clock.

    def refuse_next_issue(self, code: str, describe: str | None = None) -> None:
        """Answer the next valid requestBillingNew with ``code`` (nothing is issued)."""
        with self.state.lock:
            self.state.issue_faults.append(SandboxError(code, describe))

    def fail_next_billing(self, cause: str) -> None:
        """Accept the next invoice, then let it end as 开票失败 (22) with ``cause``."""
        with self.state.lock:
            self.state.billing_faults.append(cause)

    def delay_next_answer(self, seconds: float) -> None:
        """Do the next service call's work, then answer only after ``seconds``."""
        with self.state.lock:
            self.state.slow.append(seconds)

    def advance(self, seconds: float) -> None:
        """Move the sandbox's clock forward (tokens expire by it, delays pass by it)."""
        with self.state.lock:
            self.state.offset += seconds

    def invoice(self, serial: str) -> Invoice:
        with self.state.lock:
            return self.state.invoices[serial]

    def invoices(self) -> list[Invoice]:
        with self.state.lock:
            return list(self.state.invoices.values())

    @property
    def token_requests(self) -> dict[str, int]:
        with self.state.lock:
            return dict(self.state.token_requests)

    @property
    def calls(self) -> list[tuple[str, str]]:
        """(method, code) of every service call, in order."""
        with self.state.lock:
            return list(self.state.calls)


@contextlib.contextmanager
def serve(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[Sandbox]:
    """Serve ``sandbox`` over HTTP in a background thread; ``sandbox.url`` is its address."""
    with serve_in_thread(sandbox.app, name="nuonuo-sandbox", host=host, port=port) as url:
        sandbox.url = url
        yield sandbox
