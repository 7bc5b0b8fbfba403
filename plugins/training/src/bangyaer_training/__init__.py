"""Training classes (培训班): catalogue, enrollment rush, verifiable lottery, waiting lists.

A seat with a fee opens an order in the core's payments ledger; the ledger's
events confirm it (:func:`confirm_seat`), let it go, or refund it
(:func:`refund_seat`, the seat then moves on). Anyone can recompute a
published draw with :func:`verify_published_draw`.
"""

from ._draw import DrawError, canonical_json, run_draw, verify_published_draw
from ._seats import SeatError, confirm_seat, refund_seat

__all__ = [
    "DrawError",
    "SeatError",
    "canonical_json",
    "confirm_seat",
    "refund_seat",
    "run_draw",
    "verify_published_draw",
]
