"""Alipay (支付宝) for Bangyaer: the payments ledger's ``alipay`` provider.

The plugin's hooks live in ``plugin``; ``sandbox`` is a stand-in Alipay
gateway that speaks the same protocol, for tests, demos and development.
"""

from ._client import AlipayClient
from ._config import AlipayConfig
from ._provider import AlipayProvider

__all__ = ["AlipayClient", "AlipayConfig", "AlipayProvider"]
