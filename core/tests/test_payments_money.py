"""Money is int fen everywhere: columns, JSON, arguments and the yuan conversions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bangyaer.payments import fen_from_yuan, yuan_from_fen
from bangyaer.payments._common import check_fen
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Integer


async def test_every_money_column_of_every_enabled_table_is_an_integer(platform):
    columns = [(table.name, column) for table in platform.enabled_metadata().tables.values()
               for column in table.columns if column.name.endswith("_fen")]

    assert {name for name, _ in columns} >= {
        "core_payment_order", "core_payment_payment", "core_payment_refund",
        "core_payment_invoice"}
    for name, column in columns:
        assert isinstance(column.type, (Integer, BigInteger)), f"{name}.{column.name}"


@pytest.mark.parametrize("value", [
    pytest.param(12.5, id="float"), pytest.param(Decimal("12.50"), id="decimal"),
    pytest.param(True, id="bool"), pytest.param("1250", id="string")])
def test_an_amount_that_is_not_int_fen_is_refused(value):
    with pytest.raises(TypeError, match="int number of fen"):
        check_fen("amount_fen", value)


@pytest.mark.parametrize("text", ["12.345", "-1", "1e3", "01.00", "12.", ".5", "¥12", "", "nan"])
def test_a_malformed_yuan_string_is_refused(text):
    with pytest.raises(ValueError, match="not an amount in yuan"):
        fen_from_yuan(text)


@pytest.mark.parametrize("value", [12.5, Decimal("12.5"), 1250])
def test_fen_from_yuan_takes_only_strings(value):
    with pytest.raises(TypeError):
        fen_from_yuan(value)


def test_yuan_from_fen_refuses_floats_and_bools():
    for value in (12.5, True):
        with pytest.raises(TypeError):
            yuan_from_fen(value)


@given(st.integers(min_value=0, max_value=10**13))
def test_yuan_and_fen_round_trip(fen):
    text = yuan_from_fen(fen)

    assert fen_from_yuan(text) == fen
    assert text == f"{Decimal(fen) / 100:.2f}"
