"""Keeping a batch inside the portal's limits: learned from the portal, not assumed.

DocSpace's limiter, when it is on, allows per user 1,500 requests per sliding minute, 15
concurrent writes and 50 concurrent reads, and rejects the excess at once with 429
(docspace-api.md §12). It is *off* by default on a self-hosted portal, so assuming it everywhere
makes every batch of more than ~140 clients wait for a window that does not exist.

* The concurrency caps (15 writes, 50 reads) always hold: they cost nothing. The write gate is
  adaptive: a 429 from a concurrency limiter halves it, successes grow it back (AIMD).
* Request-rate pacing starts only once the portal shows a limiter: a 429 carrying
  ``X-RateLimit-Limit`` sets our window to what the portal announced (see :mod:`.pacing`); a
  headerless one (the concurrency limiter, chained with the rate window) starts pacing at
  DocSpace's default until a limit is announced. The vendor's cloud portals start paced;
  ``--rpm N`` forces a rate and ``--rpm off`` forces none.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from onboarding.errors import ApiStatusError, RateLimited
from onboarding.journal.protocol import SharedLimits
from onboarding.workflow.estimate import PortalModel
from onboarding.workflow.machine_speed import machine_speed
from onboarding.workflow.pacing import (
    DAILY_HINT_SECONDS,
    DOCSPACE_RPM,
    DOCSPACE_WINDOW,
    RatePacer,
)

ASSUMED_SOURCE = (
    "DocSpace's default: the portal's concurrency limiter answered (429), so its rate window is on"
)
PORTAL_MAX_WRITES = 15
PORTAL_MAX_READS = 50
LATENCY_SAMPLES = 20
"""Calls timed for the model of the portal: the first ones, before our own load inflates them."""
LATENCY_MAX_AGE = 300.0
"""Seconds after which a plan times the portal again: a dashboard lives for days, and a latency
measured in the morning (or before the network changed) must not set the afternoon's estimate."""

VENDOR_CLOUD_SUFFIXES = (".onlyoffice.com", ".onlyoffice.eu", ".onlyoffice.sg")
"""The vendor's DocSpace cloud regions (US, EU, Singapore), whose portals run the limiter.

Region domains as the vendor's own clients name them (e.g. the ONLYOFFICE Android app's region
map: ``onlyoffice.eu`` for Europe, ``onlyoffice.sg`` for Asia, ``onlyoffice.com`` otherwise).
"""


def is_vendor_cloud(url_or_host: str) -> bool:
    """True for a portal on the vendor's cloud (``acme.onlyoffice.com``, ``acme.onlyoffice.eu``...)."""
    host = (urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host) or ""
    return host.lower().rstrip(".").endswith(VENDOR_CLOUD_SUFFIXES)


@dataclass(frozen=True)
class Limits:
    """Our own client-side limits (never above the portal's)."""

    writes_in_flight: int = PORTAL_MAX_WRITES
    """Concurrent POST/PUT/DELETE calls; never above the portal's 15."""
    reads_in_flight: int = PORTAL_MAX_READS
    """Concurrent GET calls; never above the portal's 50."""
    requests_per_minute: int | None = None
    """None: learn the portal's rate limit (the default); 0: never pace; N: pace at N per window."""
    window_seconds: float = DOCSPACE_WINDOW
    """The rate window assumed for a learned or forced limit (DocSpace's is one minute; benchmarks
    that shrink the sandbox's window shrink this one with it)."""

    def __post_init__(self) -> None:
        if not 1 <= self.writes_in_flight <= PORTAL_MAX_WRITES:
            raise ValueError(f"writes in flight must be 1..{PORTAL_MAX_WRITES}")
        if not 1 <= self.reads_in_flight <= PORTAL_MAX_READS:
            raise ValueError(f"reads in flight must be 1..{PORTAL_MAX_READS}")
        if self.requests_per_minute is not None and self.requests_per_minute < 0:
            raise ValueError("requests per minute must be 0 (off) or more")
        if self.window_seconds <= 0:
            raise ValueError("the rate window must be positive")


class AdaptiveGate:
    """A semaphore whose size shrinks on 429 and grows back on success, within ``1..cap``.

    A freed slot is handed straight to the longest waiter (its own lock is released, in order):
    the woken thread neither re-takes the gate's lock nor finds the slot taken by a newcomer, so a
    write's end starts the next write with one wake-up (this runs once per request).
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._size = float(cap)
        self._in_use = 0
        self._lock = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()

    @property
    def size(self) -> int:
        return max(1, int(self._size))

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def acquire(self) -> None:
        with self._lock:
            if self._in_use < self.size and not self._waiting:
                self._in_use += 1
                return
            baton = threading.Lock()
            baton.acquire()
            self._waiting.append(baton)
        baton.acquire()  # released by the thread that hands this one its slot

    def release(self) -> None:
        with self._lock:
            self._in_use -= 1
            self._hand_over()

    def _hand_over(self) -> None:
        """Give free slots to waiters, oldest first (under the lock)."""
        while self._waiting and self._in_use < self.size:
            self._in_use += 1
            self._waiting.popleft().release()

    def on_success(self) -> None:
        if self._size >= self.cap:  # the common case: no lock needed to see there is nothing to do
            return
        with self._lock:
            if self._size < self.cap:
                self._size = min(self.cap, self._size + 1.0 / max(1.0, self._size))
                self._hand_over()

    def on_throttled(self) -> None:
        with self._lock:
            self._size = max(1.0, self._size / 2)

    def lower_cap(self, cap: int) -> None:
        """Never more than ``cap`` at once from now on (slots in use finish; none is taken away)."""
        with self._lock:
            self.cap = max(1, min(self.cap, cap))
            self._size = min(self._size, float(self.cap))


def is_rate_rejection(exc: RateLimited) -> bool:
    """A 429 from the sliding request window: it announces its limit and has no fixed reset.

    The server's limiters answer differently (RedisRateLimiting's ``OnRejected``): the sliding
    window sends ``X-RateLimit-Limit`` and ``Retry-After``; the daily fixed window adds
    ``X-RateLimit-Reset`` and a Retry-After of hours; the concurrency limiter sends neither.
    """
    return exc.limit is not None and exc.reset is None and (exc.retry_after or 0) <= DAILY_HINT_SECONDS


class Throttle:
    """The gates every engine call passes through, for one portal."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        portal_url: str = "",
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.limits = lim = limits or Limits()
        self.writes = AdaptiveGate(lim.writes_in_flight)
        self.reads = AdaptiveGate(lim.reads_in_flight)
        self.pacer = RatePacer(window=lim.window_seconds, clock=clock, wall=wall)
        self.pacer.on_limiter = self._leave_headroom
        if lim.requests_per_minute == 0:
            self.pacer.force_off()
        elif lim.requests_per_minute is not None:
            self.pacer.force(lim.requests_per_minute)
        elif portal_url and is_vendor_cloud(portal_url):
            self.pacer.learn(DOCSPACE_RPM, source="the vendor's cloud runs DocSpace's limiter")
        self._clock = clock
        self._lock = threading.Lock()
        self._rate_429s = 0
        self._concurrency_429s = 0
        self._latencies: list[float] = []
        self._measured_at = 0.0

    shared: SharedLimits | None = None
    """The portal's limits as shared with other machines through a shared journal (if any)."""
    shared_source: object | None = None
    """The journal ``shared`` came from: an engine on another journal (a process-wide throttle
    outlives a journal that was closed) takes that journal's limits instead."""

    @contextmanager
    def write(self) -> Iterator[None]:
        with self.writes.slot():
            # The shared budget is waited for before a shared write slot is taken: a slot's lease
            # then covers one write, never a wait of a minute for the window as well (which could
            # outlast it and let another machine take the slot: more writes in flight than allowed).
            self._shared_budget()
            with self.shared.write_slot() if self.shared else nullcontext(), self._paced(self.writes):
                yield

    @contextmanager
    def read(self) -> Iterator[None]:
        with self.reads.slot():
            self._shared_budget()
            with self._paced(self.reads):
                yield

    def _shared_budget(self) -> None:
        """Wait for the request budget other machines on this key spend too (a shared journal)."""
        if self.shared is None:
            return
        since = self._clock()

        def announce(seconds: float) -> None:
            self.pacer.waited_elsewhere(since, announce=seconds)

        if self.shared.take_request(self.pacer.permits, self.pacer.window, on_wait=announce) > 0:
            self.pacer.waited_elsewhere(since)

    @contextmanager
    def _paced(self, gate: AdaptiveGate) -> Iterator[None]:
        ticket = self.pacer.acquire()
        started = self._clock()
        try:
            yield
        except RateLimited as exc:
            self.pacer.release(ticket, answered=True, limited=True)
            self.on_rejected(exc, gate)
            raise
        except ApiStatusError:  # the portal answered (past its limiter), with an error
            self.pacer.release(ticket, answered=True, limited=False)
            self._measure(started)
            raise
        except BaseException:
            self.pacer.release(ticket, answered=False, limited=False)
            raise
        self.pacer.release(ticket, answered=True, limited=False)
        self._measure(started)
        gate.on_success()

    def _measure(self, started: float) -> None:
        """Time the first calls: the model of the portal behind the plan's estimate and the ETA."""
        if len(self._latencies) < LATENCY_SAMPLES:
            with self._lock:
                if len(self._latencies) < LATENCY_SAMPLES:
                    now = self._clock()
                    if not self._latencies:
                        self._measured_at = now
                    self._latencies.append(now - started)

    def measure_again_if_old(self, max_age: float = LATENCY_MAX_AGE) -> None:
        """Forget a latency measured more than ``max_age`` seconds ago (a plan then times its own
        look-ups and its run's first calls); a recent one is kept."""
        with self._lock:
            if self._latencies and self._clock() - self._measured_at > max_age:
                self._latencies.clear()

    def model(self) -> PortalModel:
        """What is known of the portal now: measured latency, concurrency, the pace and its window."""
        with self._lock:
            # The median: the first call also opens the connection, and a plan's look-ups differ
            # in weight (rooms by 100 tags against one user); the typical call is what repeats.
            latency = statistics.median(self._latencies) if self._latencies else 0.0
            samples = len(self._latencies)
        pace = self.pacer.counters()
        return PortalModel(
            latency=latency,
            samples=samples,
            writes_in_flight=self.writes.cap,
            per_window=pace["requests_per_window"],
            window=pace["window_s"],
            in_window=self.pacer.in_window(),
            window_frees=self.pacer.window_frees() if pace["requests_per_window"] else None,
            pace=pace["pace"],
            cpu_per_request=machine_speed.cpu_per_request(),
        )

    def _leave_headroom(self) -> None:
        """On a portal that runs the limiter, keep one write and one read below its concurrency caps.

        The server frees a request's concurrency lease only after the rest of its pipeline has run
        (DocSpace's global limiter is ASP.NET Core rate limiting with RedisRateLimiting 1.2.1, see
        docspace-api.md; ``RateLimitingMiddleware`` disposes the lease once ``_next`` returns, and
        the sandbox does the same: ``lease.release()`` after the answer is sent), so a write started the moment an answer arrives can find all 15 leases still held and get a
        concurrency 429. Measured: 300 clients paced at 1,500 a minute met 1–2 of them per run with
        15 in flight. Paced, the rate is the bound (25 requests a second against 14 slots of 50 ms
        writes = 280 a second), so the slot given up costs nothing; a portal without the limiter
        keeps all 15.
        """
        self.writes.lower_cap(PORTAL_MAX_WRITES - 1)
        self.reads.lower_cap(PORTAL_MAX_READS - 1)

    def on_rejected(self, exc: RateLimited, gate: AdaptiveGate) -> None:
        """Learn from a 429: a sliding-window rejection sets the pace, a concurrency one the gate."""
        if is_rate_rejection(exc):
            with self._lock:
                self._rate_429s += 1
            assert exc.limit is not None
            self.pacer.learn(exc.limit, source="announced by the portal (X-RateLimit-Limit)")
            if exc.retry_after:
                self.pacer.hold(exc.retry_after)
        elif exc.limit is None and exc.reset is None and (exc.retry_after or 0) <= DAILY_HINT_SECONDS:
            with self._lock:
                self._concurrency_429s += 1
            gate.on_throttled()
            if exc.retry_after is None:
                # DocSpace's concurrency limiter answers 429 with no header at all (RedisRateLimiting's
                # ``OnRejected`` has no metadata for its lease), and its limiters are one chain, on or
                # off together (``BaseStartup.AddRateLimiter``: sliding window, concurrency and daily
                # window in one ``PartitionedRateLimiter.CreateChained``): the rate window is there
                # too, most likely at its default. A 429 with only Retry-After is someone else's
                # (a proxy's) and teaches no rate.
                self.pacer.assume(DOCSPACE_RPM, source=ASSUMED_SOURCE)

    # -- what the run records and shows ---------------------------------------------------------

    def counters(self, *, since: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Requests, 429s and time spent waiting for the rate window (for the run summary);
        ``since`` (earlier counters) makes the counts a run's own: the throttle is per process."""
        with self._lock:
            out: dict[str, Any] = {
                **self.pacer.counters(),
                "rate_429s": self._rate_429s,
                "concurrency_429s": self._concurrency_429s,
            }
        if since is not None:
            for key in ("requests", "probes", "waits", "waited_s", "rate_429s", "concurrency_429s"):
                out[key] = round(out[key] - since.get(key, 0), 3)
        return out

    def add_listener(self, fn: Callable[[float], None]) -> None:
        """``fn(seconds)`` is called when calls start waiting for the portal's rate window."""
        self.pacer.add_listener(fn)

    def remove_listener(self, fn: Callable[[float], None]) -> None:
        self.pacer.remove_listener(fn)

    def waiting(self) -> float | None:
        """Seconds until paced calls resume, while any is waiting for the rate window; else None."""
        return self.pacer.waiting()

    def memory(self) -> dict[str, Any] | None:
        """What a later run on this portal should know: the learned limit and the recent requests."""
        return self.pacer.memory()

    def recall(self, memory: Mapping[str, Any]) -> bool:
        """Start from what an earlier run learned (ignored when a rate is forced or already known)."""
        return self.pacer.recall(memory)


_shared: dict[tuple[str, Limits], Throttle] = {}
_shared_lock = threading.Lock()


def forget_shared_throttles() -> None:
    """Drop every portal's throttle (the next run on it starts afresh): for tests, whose portals
    come and go on reused loopback ports."""
    with _shared_lock:
        _shared.clear()


def shared_throttle(portal: str, limits: Limits) -> Throttle:
    """The process's throttle for one portal and set of limits (created on first use).

    The portal's limits are per user, not per run: two runs in one process (two dashboard tabs)
    must share one budget rather than each take the whole of it.
    """
    with _shared_lock:
        throttle = _shared.get((portal, limits))
        if throttle is None:
            throttle = _shared[(portal, limits)] = Throttle(limits, portal_url=portal)
        return throttle
