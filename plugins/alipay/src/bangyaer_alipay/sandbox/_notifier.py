"""Asynchronous notifications (异步通知), delivered like Alipay delivers them.

Each notification is a signed form POST to the trade's notify_url, retried
with growing pauses until the merchant answers exactly ``success`` (Alipay
retries 8 times over 25 hours; the sandbox's pauses are short and settable).
Tests turn the knobs real networks turn: ``duplicates`` (delivered again
after success), ``delay``, ``hold``/``release`` (delivered later, in any
order) and ``drop_next`` (never delivered).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

log = logging.getLogger("bangyaer.alipay.sandbox")

# Alipay's own schedule is 4m, 10m, 10m, 1h, 2h, 6h, 15h; demos cannot wait that long.
DEMO_RETRY_DELAYS = (2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


@dataclass
class Notification:
    notify_id: str
    url: str
    params: dict[str, str]
    attempts: int = 0


@dataclass(frozen=True)
class Delivery:
    notify_id: str
    out_trade_no: str
    trade_status: str
    attempt: int
    status_code: int
    answer: str

    @property
    def acknowledged(self) -> bool:
        return self.answer == "success"


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    item: Notification = field(compare=False)
    repeat: bool = field(default=False, compare=False)


class Notifier:
    """A thread that posts notifications; independent of any event loop."""

    def __init__(self, retry_delays: Sequence[float] = DEMO_RETRY_DELAYS,
                 post: Callable[[str, dict[str, str]], httpx.Response] | None = None) -> None:
        self.retry_delays = tuple(retry_delays)
        self.duplicates = 0
        self.delay = 0.0
        self.deliveries: list[Delivery] = []
        self.held: list[Notification] = []
        self.holding = False
        self._drop = 0
        self._queue: list[_Due] = []
        self._seq = itertools.count()
        self._busy = 0
        self._cond = threading.Condition()
        self._stopped = False
        self._http = httpx.Client(timeout=5.0)
        self._post = post or (lambda url, data: self._http.post(url, data=data))
        self._thread = threading.Thread(target=self._run, name="alipay-sandbox-notify",
                                        daemon=True)
        self._thread.start()

    # -- knobs --------------------------------------------------------------

    def drop_next(self, count: int = 1) -> None:
        with self._cond:
            self._drop += count

    def hold(self) -> None:
        with self._cond:
            self.holding = True

    def release(self, order: Sequence[int] | None = None) -> None:
        """Send what was held, in ``order`` (indexes into ``held``), default as queued."""
        with self._cond:
            held, self.held, self.holding = self.held, [], False
            for index in (order if order is not None else range(len(held))):
                self._schedule(held[index], 0.0)

    def reset(self) -> None:
        with self._cond:
            self.duplicates, self.delay, self._drop, self.holding = 0, 0.0, 0, False
            self.held, self._queue, self.deliveries = [], [], []

    @property
    def idle(self) -> bool:
        with self._cond:
            return not self._queue and not self._busy

    # -- sending ------------------------------------------------------------

    def send(self, notification: Notification) -> None:
        with self._cond:
            if self._drop:
                self._drop -= 1
                log.info("sandbox: dropped notification %s", notification.notify_id)
                return
            if self.holding:
                self.held.append(notification)
                return
            self._schedule(notification, self.delay)

    def _schedule(self, item: Notification, after: float, repeat: bool = False) -> None:
        heapq.heappush(self._queue, _Due(time.monotonic() + after, next(self._seq), item,
                                         repeat))
        self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (
                        not self._queue or self._queue[0].at > time.monotonic()):
                    wait = self._queue[0].at - time.monotonic() if self._queue else None
                    self._cond.wait(wait)
                if self._stopped:
                    return
                due = heapq.heappop(self._queue)
                self._busy += 1
            try:
                self._deliver(due)
            finally:
                with self._cond:
                    self._busy -= 1

    def _deliver(self, due: _Due) -> None:
        item = due.item
        item.attempts += 1
        try:
            response = self._post(item.url, item.params)
            status, answer = response.status_code, response.text
        except httpx.HTTPError as exc:
            status, answer = 0, f"{type(exc).__name__}"
        record = Delivery(item.notify_id, item.params.get("out_trade_no", ""),
                          item.params.get("trade_status", ""), item.attempts, status, answer)
        with self._cond:
            self.deliveries.append(record)
            if record.acknowledged:
                if not due.repeat:
                    for _ in range(self.duplicates):
                        self._schedule(item, 0.0, repeat=True)
                return
            if item.attempts <= len(self.retry_delays):
                self._schedule(item, self.retry_delays[item.attempts - 1], due.repeat)
            else:
                log.warning("sandbox: notification %s given up after %d attempts",
                            item.notify_id, item.attempts)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join(timeout=10)
        self._http.close()
