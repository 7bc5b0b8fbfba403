"""Tax-included amounts split into amount and tax, in whole fen, never through float.

An invoice line carries 含税金额 = 不含税金额 + 税额 exactly; Nuonuo accepts a
税额 within 0.06 yuan of 不含税金额 × 税率. We round 不含税金额 half up to the
fen and give the tax the rest, so the sum is always the amount paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Split", "signed_yuan", "split_tax"]


@dataclass(frozen=True)
class Split:
    included_fen: int
    excluded_fen: int
    tax_fen: int


def split_tax(included_fen: int, rate: Decimal) -> Split:
    if not isinstance(included_fen, int) or isinstance(included_fen, bool):
        raise TypeError(f"amount must be int fen, not {type(included_fen).__name__}")
    if not isinstance(rate, Decimal):
        raise TypeError(f"tax rate must be a Decimal, not {type(rate).__name__}")
    if included_fen <= 0:
        raise ValueError("amount must be positive")
    num, den = rate.as_integer_ratio()
    # excluded = included / (1 + rate), rounded half up: integers only.
    whole = den + num
    excluded = (2 * included_fen * den + whole) // (2 * whole)
    return Split(included_fen, excluded, included_fen - excluded)


def signed_yuan(fen: int) -> str:
    """-9999 → "-99.99": red invoices carry negative amounts."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"amount must be int fen, not {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
