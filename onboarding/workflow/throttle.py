"""Keeping a batch inside the portal's limits instead of bumping into them.

DocSpace's limiter (when on) allows per user 1,500 requests per sliding minute, 15 concurrent
writes and 50 concurrent reads, rejecting the excess at once with 429 (docspace-api.md §12). The
:class:`Throttle` holds our side under those numbers: a sliding-window request budget, and
separate gates for writes and reads. The write gate is adaptive: a 429 halves it, successes grow
it back one step at a time (AIMD), and it never exceeds its configured cap.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

PORTAL_MAX_WRITES = 15
PORTAL_MAX_READS = 50


@dataclass(frozen=True)
class Limits:
    """Our own client-side limits (not the portal's; keep them under the portal's)."""

    writes_in_flight: int = 12
    """Concurrent POST/PUT/DELETE calls; never above the portal's 15."""
    reads_in_flight: int = 24
    """Concurrent GET calls; the portal allows 50."""
    requests_per_minute: int = 1400
    """Sliding-window budget for all calls; the portal allows 1,500."""
    window_seconds: float = 60.0
    """Length of that window (benchmarks scale it down together with the portal's)."""

    def __post_init__(self) -> None:
        if not 1 <= self.writes_in_flight <= PORTAL_MAX_WRITES:
            raise ValueError(f"writes in flight must be 1..{PORTAL_MAX_WRITES}")
        if not 1 <= self.reads_in_flight <= PORTAL_MAX_READS:
            raise ValueError(f"reads in flight must be 1..{PORTAL_MAX_READS}")
        if self.requests_per_minute < 1:
            raise ValueError("requests per minute must be at least 1")


class SlidingWindow:
    """At most ``limit`` acquisitions in any ``window`` seconds (a log of recent start times)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._stamps: deque[float] = deque()
        self._cond = threading.Condition()

    def acquire(self) -> None:
        with self._cond:
            while True:
                now = self._clock()
                while self._stamps and self._stamps[0] <= now - self.window:
                    self._stamps.popleft()
                if len(self._stamps) < self.limit:
                    self._stamps.append(now)
                    return
                self._cond.wait(timeout=max(0.001, self._stamps[0] + self.window - now))


class AdaptiveGate:
    """A semaphore whose size shrinks on 429 and grows back on success, within ``1..cap``."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._size = float(cap)
        self._in_use = 0
        self._cond = threading.Condition()

    @property
    def size(self) -> int:
        return max(1, int(self._size))

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._cond:
            while self._in_use >= self.size:
                self._cond.wait()
            self._in_use += 1
        try:
            yield
        finally:
            with self._cond:
                self._in_use -= 1
                self._cond.notify_all()

    def on_success(self) -> None:
        with self._cond:
            if self._size < self.cap:
                self._size = min(self.cap, self._size + 1.0 / max(1.0, self._size))
                self._cond.notify_all()

    def on_throttled(self) -> None:
        with self._cond:
            self._size = max(1.0, self._size / 2)


class Throttle:
    """The gates every engine call passes through."""

    def __init__(self, limits: Limits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.window = SlidingWindow(self.limits.requests_per_minute, self.limits.window_seconds, clock)
        self.writes = AdaptiveGate(self.limits.writes_in_flight)
        self.reads = AdaptiveGate(self.limits.reads_in_flight)

    @contextmanager
    def write(self) -> Iterator[None]:
        with self.writes.slot():
            self.window.acquire()
            yield

    @contextmanager
    def read(self) -> Iterator[None]:
        with self.reads.slot():
            self.window.acquire()
            yield


_shared: dict[tuple[str, Limits], Throttle] = {}
_shared_lock = threading.Lock()


def shared_throttle(portal: str, limits: Limits) -> Throttle:
    """The process's throttle for one portal and set of limits (created on first use).

    The portal's limits are per user, not per run: two runs in one process (two dashboard tabs)
    must share one budget rather than each take the whole of it.
    """
    with _shared_lock:
        throttle = _shared.get((portal, limits))
        if throttle is None:
            throttle = _shared[(portal, limits)] = Throttle(limits)
        return throttle
