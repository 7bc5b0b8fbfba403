"""When a failed job runs again."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

FIRST_DELAY = 2.0  # seconds before the second attempt
MAX_DELAY = 3600.0  # a gateway down for a day is retried hourly, not never

RetryDelay = Callable[[int], dt.timedelta]


def backoff(
    attempt: int, *, uniform: Callable[[float, float], float] = random.uniform
) -> dt.timedelta:
    """The wait after failed attempt ``attempt`` (1-based): doubling, capped, jittered.

    The delay is drawn between half and all of ``FIRST_DELAY * 2**(attempt-1)``
    (at most ``MAX_DELAY``), so jobs that failed together -- a gateway
    outage -- do not all come back in the same second.
    """
    if attempt < 1:
        raise ValueError(f"attempt must be 1 or more, got {attempt}")
    # Capping the exponent first keeps 2.0 ** attempt from overflowing a float.
    exponent = min(attempt - 1, 32)
    ceiling = min(MAX_DELAY, FIRST_DELAY * 2.0**exponent)
    return dt.timedelta(seconds=uniform(ceiling / 2, ceiling))
