"""``bangyaer nuonuo check``: settings and credentials, before a family needs an invoice."""

from __future__ import annotations

import asyncio

import click
from bangyaer.cli import State, pass_state
from bangyaer.payments import GatewayError, GatewayUnavailable
from bangyaer.settings import ConfigError
from sqlalchemy.exc import DBAPIError

from ._config import PLUGIN_ID, configured
from ._runtime import runtime


@click.group()
def nuonuo() -> None:
    """Nuonuo (诺诺) e-invoices."""


@nuonuo.command("check")
@pass_state
def check(state: State) -> None:
    """Check the settings and take an access token from the open platform."""
    platform = state.platform()
    if not configured(platform.config(PLUGIN_ID)):
        raise click.ClickException("[plugins.nuonuo] app_key is not set: invoices are off")
    try:
        rt = runtime(platform)
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None

    async def token() -> None:
        async with rt.client() as client:
            await client.access_token()

    try:
        asyncio.run(token())
    except (GatewayError, GatewayUnavailable) as exc:
        raise click.ClickException(f"Nuonuo refused or did not answer: {exc}") from None
    except DBAPIError as exc:  # the token is kept in nuonuo_token
        raise click.ClickException(f"the database is not ready ({type(exc.orig).__name__}); "
                                   "run `bangyaer db upgrade` first") from None
    where = "the built-in sandbox" if rt.sandbox is not None else rt.config.token_url
    click.echo(f"ok: app {rt.config.app_key}, 税号 {rt.config.saler_tax_no}, 税率 "
               f"{rt.config.tax_rate_text}, 商品编码 {rt.config.goods_code}; token from {where}")
