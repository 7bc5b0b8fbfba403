"""Tax-included fen split into amount and tax: exact, integer, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bangyaer_nuonuo._tax import signed_yuan, split_tax
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(("fen", "rate", "excluded", "tax"), [
    pytest.param(1, "0.03", 1, 0, id="one-fen-3%"),
    pytest.param(1, "0.06", 1, 0, id="one-fen-6%"),
    pytest.param(9999, "0.03", 9708, 291, id="9999-fen-3%"),
    pytest.param(9999, "0.06", 9433, 566, id="9999-fen-6%"),
    pytest.param(103, "0.03", 100, 3, id="exact-3%"),
    pytest.param(120000, "0.06", 113208, 6792, id="1200-yuan-6%"),
    pytest.param(17, "0.13", 15, 2, id="17-fen-13%"),
])
def test_awkward_amounts_split_to_the_fen(fen, rate, excluded, tax):
    split = split_tax(fen, Decimal(rate))
    assert (split.excluded_fen, split.tax_fen) == (excluded, tax)
    assert type(split.excluded_fen) is int and type(split.tax_fen) is int


@given(st.integers(min_value=1, max_value=10**12),
       st.sampled_from(["0.01", "0.03", "0.05", "0.06", "0.09", "0.13"]))
def test_the_parts_always_add_up_and_the_tax_is_within_a_fen(fen, rate):
    split = split_tax(fen, Decimal(rate))
    assert split.excluded_fen + split.tax_fen == fen
    # Nuonuo allows 0.06 yuan; half-up rounding keeps us under one fen.
    assert abs(Decimal(split.excluded_fen) * Decimal(rate) - split.tax_fen) < 1


@pytest.mark.parametrize("amount", [pytest.param(99.99, id="float"),
                                    pytest.param(Decimal("9999"), id="decimal"),
                                    pytest.param(True, id="bool")])
def test_anything_but_int_fen_is_refused(amount):
    with pytest.raises(TypeError, match="int fen"):
        split_tax(amount, Decimal("0.03"))


def test_a_float_rate_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        split_tax(100, 0.03)  # type: ignore[arg-type]


@pytest.mark.parametrize(("fen", "text"), [(-9999, "-99.99"), (1, "0.01"), (0, "0.00"),
                                           (-5, "-0.05"), (120000, "1200.00")])
def test_signed_yuan(fen, text):
    assert signed_yuan(fen) == text
