"""Training classes (培训班): catalogue, enrollment rush, verifiable lottery, waiting lists.

The payments ledger confirms a seat with :func:`confirm_seat` and records a
refund with :func:`refund_seat` (the seat then moves on); anyone can
recompute a published draw with :func:`verify_published_draw`.
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
