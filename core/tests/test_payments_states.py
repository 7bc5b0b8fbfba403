"""The state tables: every listed move is allowed, every other one is refused."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from bangyaer.payments import OrderStateError
from bangyaer.payments._states import INVOICE_MOVES, ORDER_MOVES, REFUND_MOVES, move

TABLES = {"order": ORDER_MOVES, "refund": REFUND_MOVES, "invoice": INVOICE_MOVES}
CASES = [(kind, start, end, end in table[start])
         for kind, table in TABLES.items() for start in table for end in table]


@pytest.mark.parametrize(("kind", "start", "end", "allowed"), [
    pytest.param(*case, id=f"{case[0]}-{case[1]}-{case[2]}") for case in CASES])
def test_only_listed_moves_are_allowed(kind, start, end, allowed):
    record = SimpleNamespace(status=start)

    if allowed:
        move(kind, record, end)
        assert record.status == end
    else:
        with pytest.raises(OrderStateError, match=f"不能从 {start} 变为 {end}"):
            move(kind, record, end)
        assert record.status == start


def test_finished_records_never_move_again():
    assert ORDER_MOVES["expired"] == ORDER_MOVES["closed"] == ORDER_MOVES["refunded"] == set()
    assert REFUND_MOVES["done"] == REFUND_MOVES["failed"] == set()
    assert INVOICE_MOVES["issued"] == INVOICE_MOVES["failed"] == set()
