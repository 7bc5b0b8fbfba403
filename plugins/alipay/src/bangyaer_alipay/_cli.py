"""``bangyaer alipay …``: check the configuration, and serve a sandbox for development."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import click
from bangyaer.cli import State, pass_state
from bangyaer.settings import ConfigError

from ._runtime import runtime


@click.group()
def alipay() -> None:
    """Alipay (支付宝): configuration check, and a sandbox gateway for development."""


@alipay.command("check")
@pass_state
def check(state: State) -> None:
    """Load the keys and settings the way the first payment will, and say what is wrong."""
    platform = state.platform()
    try:
        config = runtime(platform).config
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if config is None:
        raise click.ClickException("[plugins.alipay] app_id is not set: Alipay is not "
                                   "configured, families cannot pay with it")
    click.echo(f"app_id {config.app_id}, seller_id {config.seller_id}, gateway "
               f"{config.gateway_url}{' (sandbox)' if config.sandbox else ''}: keys loaded")


@alipay.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8031, show_default=True, type=int)
@click.option("--app-id", default="2021000000000001", show_default=True)
@click.option("--seller-id", default="2088000000000001", show_default=True)
@click.option("--app-public-key", "app_public_key", required=True,
              type=click.Path(exists=True, dir_okay=False),
              help="The app's RSA2 public key (PEM): the sandbox verifies requests with it.")
def sandbox_command(host: str, port: int, app_id: str, seller_id: str,
                    app_public_key: str) -> None:
    """Serve a sandbox gateway; its public key is printed for alipay_public_key_file."""
    from .sandbox import Sandbox, serve

    box = Sandbox(app_id=app_id, seller_id=seller_id,
                  app_public_key=Path(app_public_key).read_text(encoding="ascii"))
    with serve(box, host, port) as running:
        click.echo(running.public_key_pem, nl=False)
        click.echo(f"gateway_url = \"{running.gateway_url}\"  (Ctrl-C stops it)", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
