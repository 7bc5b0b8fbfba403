"""Fixtures shared by the core's page tests of the payments ledger."""

from __future__ import annotations

import pytest
from bangyaer.payments.testing import MemoryGateway, MemoryInvoicer
from bangyaer.testing import TinyDistrict, build_plugin, login


@pytest.fixture
def gateway():
    return MemoryGateway(id="alipay_test", title_zh="支付宝", title_en="Alipay")


@pytest.fixture
async def site(make_platform, make_client, gateway):
    """The TinyDistrict with a memory gateway and invoicer; ``site.client_for(username)``."""
    invoicer = MemoryInvoicer(polls=0)
    plugin = build_plugin("paytest", payment_providers=lambda: [gateway],
                          invoice_providers=lambda: [invoicer])
    platform = await make_platform([plugin])
    platform.people = await TinyDistrict().build(platform)
    opened = []

    async def client_for(username=None):
        client = make_client(platform)
        opened.append(client)
        if username:
            await login(client, username, TinyDistrict.PASSWORD)
        return client

    platform.client_for = client_for
    yield platform
    for client in opened:
        await client.aclose()
