"""Nuonuo (诺诺) e-invoices for Bangyaer: issue, track, download and red-flush.

The plugin's hooks live in ``plugin``; the ledger calls ``NuonuoInvoices``
through the ``invoice_providers`` hook. ``sandbox`` is a stand-in for
Nuonuo's open platform that speaks the same protocol, for tests and demos.
"""

from ._config import NuonuoConfig, parse_config
from ._provider import NuonuoInvoices
from ._tax import Split, split_tax

__all__ = ["NuonuoConfig", "NuonuoInvoices", "Split", "parse_config", "split_tax"]
