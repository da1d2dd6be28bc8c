"""Request-rate pacing that starts only when the portal shows it has a limiter.

DocSpace's sliding window allows 1,500 requests per minute per user when the limiter is on
(``RateLimiterSettings.SlidingWindowLimit``; the window is one minute in ``BaseStartup``'s
``AddRateLimiter``), and rejects the 1,501st with 429, ``X-RateLimit-Limit: 1500`` and
``Retry-After``. Self-hosted portals run with the limiter off. So :class:`RatePacer` starts
*learning*: requests go out freely, and each is logged when its answer comes (the portal
counted it between our send and that moment, so our log never lets a request leave the window
early). Near DocSpace's default limit (less a margin for the same user's other clients) requests
go out one at a time, each after the calls in flight have answered: a 429 teaches the limit at
the cost of exactly one rejection; an answer past the limit proves the portal has no limiter at
that rate, and pacing stays off. A 429 that announces any other limit teaches that one; one with
no header at all (the concurrency limiter, chained with the window) makes the pacer *assume*
DocSpace's default before the window's own 429 comes. What was learned, with the recent requests,
is remembered per portal (in the run summary) so that the next run starts paced and meets no 429
at all; an assumed limit only while those requests are still in the window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from onboarding.workflow.retry import DAILY_LIMIT_HINT_SECONDS

DOCSPACE_RPM = 1500
"""The limiter's default permits per window (DocSpace-server ``RateLimiterSettings``)."""
DOCSPACE_WINDOW = 60.0
"""The limiter's sliding window in seconds (DocSpace-server ``BaseStartup.AddRateLimiter``)."""
SAFETY = 0.97
"""Share of an announced limit we use: a margin for the same user's other clients and clock drift."""
DAILY_HINT_SECONDS = DAILY_LIMIT_HINT_SECONDS
PROBE_ZONE = 20
"""Requests before DocSpace's default limit that go out one at a time: the user's other clients
(the dashboard, a ``plan`` just before) may have used that much of the window, and one at a time
means the first rejection is the only one."""
NOTICE_SECONDS = 1.0
"""Waits shorter than this are not announced to listeners (they are the window working normally)."""

LEARNING, OPEN, PACED, ASSUMED, FORCED, OFF = "learning", "open", "paced", "assumed", "forced", "off"

_COUNTED, _PROBE = 1, 2


class RatePacer:
    """A sliding-window pacer whose limit is learned, remembered, forced, or absent."""

    def __init__(
        self,
        *,
        window: float = DOCSPACE_WINDOW,
        probe_at: int = DOCSPACE_RPM,
        probe_zone: int = PROBE_ZONE,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.mode = LEARNING
        self._elsewhere_until = float("-inf")
        """The end of the latest wait counted by :meth:`waited_elsewhere`."""
        self.window = window
        self.probe_at = probe_at
        self.probe_zone = probe_zone
        self.permits: int | None = None
        """Our own requests per window while paced."""
        self.announced: int | None = None
        """The limit the portal announced (or that an earlier run learned)."""
        self.assumed: int | None = None
        """The limit paced under without the portal announcing it (:meth:`assume`)."""
        self.source = "no limiter seen yet"
        self._clock = clock
        self._wall = wall
        self._stamps: deque[float] = deque()
        self._cond = threading.Condition()
        self._in_flight = 0
        self._probing = False
        self._probe_count = 0
        self._requests = 0
        self._probes = 0
        self._waits = 0
        self._waiters = 0
        self._stall_started: float | None = None
        self._stalled = 0.0
        self._resume_at: float | None = None
        self._held_until = 0.0
        """Until then the portal asked for no calls (a rate-limit 429's ``Retry-After``)."""
        self._announced_resume: float | None = None
        self._listeners: list[Callable[[float], None]] = []
        self.on_limiter: Callable[[], None] | None = None
        """Called once a limit is learned, forced or recalled: the portal runs its limiter."""

    # -- settings ------------------------------------------------------------------------------

    def force(self, per_window: int) -> None:
        """Pace at ``per_window`` requests, whatever the portal says (``--rpm N``)."""
        with self._cond:
            self.mode, self.permits, self.source = FORCED, per_window, "set in the settings"
            self._cond.notify_all()
        self._tell_limiter()

    def force_off(self) -> None:
        """Never pace (``--rpm off``); the portal's 429s are still retried after Retry-After."""
        with self._cond:
            self.mode, self.permits, self.source = OFF, None, "switched off in the settings"
            self._stamps.clear()
            self._cond.notify_all()

    def learn(self, limit: int, *, source: str, window: float | None = None) -> bool:
        """Pace under a limit the portal announced; False when a forced setting wins."""
        with self._cond:
            if self.mode in (FORCED, OFF) or limit < 1:
                return False
            if window is not None and window > 0:
                self.window = window
            self.announced = limit
            self._pace(PACED, limit, source)
        self._tell_limiter()
        return True

    def assume(self, limit: int, *, source: str) -> bool:
        """Pace under ``limit`` while still learning; False once a limit is known, forced or absent.

        For evidence that the limiter is on without its numbers (a concurrency rejection): the
        rate it most likely enforces is its default, and pacing under it spares the rejection
        that would have announced it. An announced limit still replaces it (:meth:`learn`). A
        guess is handed to a later run only while its requests still fill the window
        (:meth:`recall`); after that each run guesses again, or learns the real limit.
        """
        with self._cond:
            if self.mode != LEARNING or limit < 1:
                return False
            self.assumed = limit
            self._pace(ASSUMED, limit, source)
        self._tell_limiter()
        return True

    def _pace(self, mode: str, limit: int, source: str) -> None:
        """Pace under ``limit`` less the safety margin (under the lock)."""
        self.mode, self.source = mode, source
        self.permits = max(1, math.floor(limit * SAFETY))
        self._cond.notify_all()

    def _tell_limiter(self) -> None:
        if self.on_limiter is not None:
            self.on_limiter()

    # -- one request ---------------------------------------------------------------------------

    def acquire(self) -> int:
        """Wait until a request may go out; returns a ticket for :meth:`release`."""
        with self._cond:
            waited_since: float | None = None
            try:
                while True:
                    now = self._clock()
                    self._settle(now)
                    if self.mode == OFF:
                        self._requests += 1
                        return 0
                    while self._stamps and self._stamps[0] <= now - self.window:
                        self._stamps.popleft()
                    ticket, wake = self._decide(now)
                    if ticket:
                        self._in_flight += 1
                        self._requests += 1
                        return ticket
                    if waited_since is None:
                        waited_since = now
                        self._enter_wait(now)
                    if wake is not None:
                        self._note_resume(wake, now)
                    self._cond.wait(timeout=None if wake is None else max(0.001, wake - now))
            finally:
                if waited_since is not None:
                    self._leave_wait()

    def _decide(self, now: float) -> tuple[int, float | None]:
        """(ticket, None) to go now; (0, wake time or None to wait for a release) to wait."""
        if now < self._held_until:
            return 0, self._held_until
        count = len(self._stamps) + self._in_flight
        if self.mode in (PACED, ASSUMED, FORCED):
            assert self.permits is not None
            if count < self.permits:
                return _COUNTED, None
            if self._in_flight >= self.permits:
                return 0, None
            return 0, self._stamps[count - self.permits] + self.window
        if self.mode == LEARNING and count >= self.probe_at - self.probe_zone:
            if self._in_flight == 0 and not self._probing:
                self._probing = True
                self._probe_count = count
                self._probes += 1
                return _PROBE, None
            return 0, None
        return _COUNTED, None

    def release(self, ticket: int, *, answered: bool, limited: bool) -> None:
        """The request is over: ``answered`` by the portal (any status), ``limited`` by a 429."""
        if not ticket:
            return
        with self._cond:
            self._in_flight -= 1
            # Logged when the answer came, which is after the portal counted it: our record of a
            # request leaves the window no earlier than the portal's does.
            self._stamps.append(self._clock())
            if ticket == _PROBE:
                self._probing = False
                past_limit = self._probe_count >= self.probe_at
                if answered and not limited and past_limit and self.mode == LEARNING:
                    self.mode = OPEN
                    self.source = f"no limiter at {self.probe_at:,} requests per window"
            self._cond.notify_all()

    # -- waiting, and who is told ------------------------------------------------------------------

    def hold(self, seconds: float) -> None:
        """The portal answered 429 with ``Retry-After``: no call goes out for that long.

        The rejected call sleeps it out in its retry; every other call waits here too (the portal
        would refuse it), and the wait is announced and counted like any wait for the window, so
        a run held by the portal says so instead of looking hung.
        """
        with self._cond:
            now = self._clock()
            wake = now + seconds
            if wake <= self._held_until:
                return
            self._settle(now)
            self._waits += 1
            if self._stall_started is None:
                self._stall_started = now
            self._held_until = wake
            self._announce(wake, now)

    def _settle(self, now: float) -> None:
        """End a stall that only a hold kept going, once the hold is over and nobody waits."""
        if not self._waiters and self._stall_started is not None and now >= self._held_until:
            self._stalled += max(0.0, self._held_until - self._stall_started)
            self._stall_started = None

    def _enter_wait(self, now: float) -> None:
        self._waits += 1
        self._waiters += 1
        if self._waiters == 1 and self._stall_started is None:
            self._stall_started = now

    def _leave_wait(self) -> None:
        self._waiters -= 1
        if self._waiters == 0:
            now = self._clock()
            if self._stall_started is not None and now >= self._held_until:
                self._stalled += now - self._stall_started
                self._stall_started = None
            self._resume_at = None

    def waited_elsewhere(self, since: float, *, announce: float = 0.0) -> None:
        """A request waited from ``since`` (this pacer's clock) until now outside this pacer: for
        the request budget a shared journal keeps for every machine on the portal's key. The time
        counts as the run's stall once however many requests waited side by side (the union of
        the waits), and a long one is announced (``announce`` seconds ahead) like our own."""
        with self._cond:
            now = self._clock()
            if announce:
                self._announce(now + announce, now)
                return
            start = max(since, self._elsewhere_until)
            if now > start:
                self._stalled += now - start
                self._waits += 1
            self._elsewhere_until = max(self._elsewhere_until, now)

    def _note_resume(self, wake: float, now: float) -> None:
        self._resume_at = wake if self._resume_at is None else min(self._resume_at, wake)
        self._announce(wake, now)

    def _announce(self, wake: float, now: float) -> None:
        seconds = wake - now
        last = self._announced_resume
        if seconds >= NOTICE_SECONDS and (last is None or abs(wake - last) >= NOTICE_SECONDS):
            self._announced_resume = wake
            for fn in list(self._listeners):
                fn(seconds)

    def add_listener(self, fn: Callable[[float], None]) -> None:
        with self._cond:
            self._listeners.append(fn)

    def remove_listener(self, fn: Callable[[float], None]) -> None:
        with self._cond:
            if fn in self._listeners:
                self._listeners.remove(fn)

    def waiting(self) -> float | None:
        with self._cond:
            if not self._waiters or self._resume_at is None:
                return None
            return max(0.0, self._resume_at - self._clock())

    def in_window(self) -> int:
        """Requests in the current window (ours, and an earlier run's when remembered)."""
        with self._cond:
            now = self._clock()
            return self._in_flight + sum(1 for stamp in self._stamps if stamp > now - self.window)

    def window_frees(self) -> tuple[float, ...]:
        """Seconds from now until each request in the window leaves it, soonest first (one still
        in flight is stamped when answered: it leaves a whole window from about now)."""
        with self._cond:
            now = self._clock()
            ahead = [stamp + self.window - now for stamp in self._stamps if stamp > now - self.window]
            return tuple(sorted(ahead)) + (self.window,) * self._in_flight

    def counters(self) -> dict[str, Any]:
        with self._cond:
            now = self._clock()
            self._settle(now)
            stalled = self._stalled
            if self._stall_started is not None:
                stalled += now - self._stall_started
            return {
                "pace": self.mode,
                "pace_source": self.source,
                "announced_limit": self.announced,
                "requests_per_window": self.permits,
                "window_s": self.window,
                "requests": self._requests,
                "probes": self._probes,
                "waits": self._waits,
                "waited_s": round(stalled, 3),
            }

    # -- remembering across runs ---------------------------------------------------------------

    def memory(self) -> dict[str, Any] | None:
        """The learned (or assumed) limit and the last window's requests (per wall-clock second)."""
        with self._cond:
            if self.mode == PACED and self.announced is not None:
                limit, assumed = self.announced, False
            elif self.mode == ASSUMED and self.assumed is not None:
                limit, assumed = self.assumed, True
            else:
                return None
            now, wall = self._clock(), self._wall()
            buckets: dict[int, int] = {}
            for stamp in self._stamps:
                if stamp > now - self.window:
                    second = math.ceil(wall - (now - stamp))
                    buckets[second] = buckets.get(second, 0) + 1
            out: dict[str, Any] = {
                "limit": limit,
                "window": self.window,
                "recent": [[s, n] for s, n in sorted(buckets.items())],
            }
            if assumed:
                out["assumed"] = True
            return out

    def recall(self, memory: Mapping[str, Any]) -> bool:
        """Adopt what an earlier run learned, with its requests still inside the window.

        An *assumed* limit is adopted only while that run's requests still fill part of the
        window: it was a guess, kept for as long as forgetting it would cost a 429 (the portal
        still counts those requests), never as what the portal is known to allow.
        """
        limit, window, recent = memory.get("limit"), memory.get("window"), memory.get("recent", [])
        if not isinstance(limit, int) or not isinstance(window, int | float) or not isinstance(recent, list):
            return False
        with self._cond:
            if self.mode not in (LEARNING, OPEN):
                return False
            now, wall = self._clock(), self._wall()
            seeded: list[float] = []
            for item in recent:
                if not (isinstance(item, list) and len(item) == 2 and all(isinstance(v, int) for v in item)):
                    continue
                age = wall - item[0]
                if age < float(window):
                    seeded.extend([now - max(0.0, age)] * min(item[1], limit))
            if memory.get("assumed") is True:
                if not seeded or self.mode != LEARNING:
                    return False
                self.window = float(window)
                if not self.assume(
                    limit, source="assumed on an earlier run, whose requests are still in the window"
                ):
                    return False
            elif not self.learn(
                limit, source="learned on an earlier run on this portal", window=float(window)
            ):
                return False
            self._stamps = deque(sorted([*seeded, *self._stamps]))
            return True
