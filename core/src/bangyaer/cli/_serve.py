"""``bangyaer serve`` and ``bangyaer worker``."""

from __future__ import annotations

import asyncio
import os
import signal

import click
import uvicorn

from ..settings import ConfigError
from . import State, main, pass_state


def serve_app(state: State, host: str, port: int, workers: int) -> None:
    from ..web import create_app

    if workers < 1:
        raise click.BadParameter(f"expected at least 1, found {workers}", param_hint="--workers")
    if workers > 1 and state.settings.is_sqlite:
        raise click.ClickException(
            f"--workers {workers} needs PostgreSQL: SQLite takes one writer at a time. "
            "Set database_url to a postgresql+asyncpg:// URL, or serve with --workers 1.")
    try:
        app = create_app(state.settings)  # also checks the settings before any fork
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None
    if workers > 1:
        # Each uvicorn process builds its own app from the same data directory.
        os.environ["BANGYAER_HOME"] = str(state.data_dir)
        uvicorn.run("bangyaer.web._factory:app", host=host, port=port, workers=workers,
                    factory=True, proxy_headers=True)
        return
    uvicorn.run(app, host=host, port=port, proxy_headers=True, log_level="info")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int,
              help="Web processes (PostgreSQL only).")
@pass_state
def serve(state: State, host: str, port: int, workers: int) -> None:
    """Serve the platform over HTTP."""
    serve_app(state, host, port, workers)


@main.command()
@click.option("--once", is_flag=True, help="Run what is ready now, then exit.")
@pass_state
def worker(state: State, once: bool) -> None:
    """Run queued jobs (messages, PDFs, gateway calls) until stopped."""
    platform = state.platform()

    async def go() -> int:
        w = platform.worker()
        try:
            if once:
                return await w.drain()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await w.run_forever(stop)
            return 0
        finally:
            await platform.close()

    ran = asyncio.run(go())
    if once:
        click.echo(f"ran {ran} jobs")
