"""The server's global rate limiter (RedisRateLimiting chain), off by default like self-hosted.

Spec syntax: ``off``, ``default`` (= ``rpm=1500,writes=15,reads=50,daily=10000``) or any subset of
``rpm=N,writes=N,reads=N,daily=N,window=SECONDS`` (``window`` shrinks the per-minute sliding
window for benchmarks). Partitioned per user (else per client IP). The chain, in order:

1. sliding window of ``rpm`` requests per ``window`` seconds (every method);
2. concurrency: ``reads`` parallel GETs, ``writes`` parallel other requests — no queue;
3. fixed window of ``daily`` POST+PUT per day.

A rejection is 429 with an empty body. Headers depend on the limiter that refused: the sliding
window sends ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``Retry-After`` (whole seconds,
rounded up) but no ``X-RateLimit-Reset``; the daily fixed window adds ``X-RateLimit-Reset``; the
concurrency limiter sends no rate-limit headers and no ``Retry-After`` at all.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_SPEC = "rpm=1500,writes=15,reads=50,daily=10000"


@dataclass
class LimitSpec:
    """Which limiters are on (None = off)."""

    rpm: int | None = None
    writes: int | None = None
    reads: int | None = None
    daily: int | None = None
    window: float = 60.0

    @classmethod
    def parse(cls, spec: str | None) -> LimitSpec:
        """Parse ``off`` / ``default`` / ``key=value,...``."""
        text = (spec or "off").strip()
        if text in ("", "off", "none"):
            return cls()
        if text == "default":
            text = DEFAULT_SPEC
        result = cls()
        for part in text.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep:
                raise ValueError(f"limit spec item {part!r} is not key=value")
            if key == "window":
                result.window = float(value)
                if result.window <= 0:
                    raise ValueError("window must be positive")
            elif key in ("rpm", "writes", "reads", "daily"):
                number = int(value)
                if number < 0:
                    raise ValueError(f"{key} must not be negative")
                setattr(result, key, number)
            else:
                raise ValueError(f"unknown limit spec key {key!r}")
        return result

    @property
    def enabled(self) -> bool:
        """Whether any limiter is on."""
        return any(v is not None for v in (self.rpm, self.writes, self.reads, self.daily))

    def to_dict(self) -> dict[str, float | int | None]:
        """JSON view."""
        return {
            "rpm": self.rpm,
            "writes": self.writes,
            "reads": self.reads,
            "daily": self.daily,
            "window": self.window,
        }


@dataclass(frozen=True)
class Rejection:
    """Why a request was refused, and the headers to send with the 429."""

    limit: int
    retry_after: int | None
    reset: int | None
    concurrency: bool = False

    def headers(self) -> dict[str, str]:
        """``X-RateLimit-*`` and (when known) ``Retry-After``; nothing for a concurrency rejection."""
        if self.concurrency:
            return {}
        out = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": "0"}
        if self.reset is not None:
            out["X-RateLimit-Reset"] = str(self.reset)
        if self.retry_after is not None:
            out["Retry-After"] = str(self.retry_after)
        return out


@dataclass
class _Partition:
    window: deque[float] = field(default_factory=deque)
    reads: int = 0
    writes: int = 0
    day_start: float = 0.0
    day_count: int = 0


class Lease:
    """Held while a request runs; releasing frees its concurrency slot."""

    def __init__(self, release: Callable[[], None] | None = None) -> None:
        self._release = release

    def release(self) -> None:
        """Idempotent release."""
        if self._release is not None:
            self._release()
            self._release = None


class RateLimiter:
    """The chained limiter. ``acquire`` returns a :class:`Lease` or a :class:`Rejection`."""

    def __init__(self, spec: LimitSpec | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._spec = spec or LimitSpec()
        self._clock = clock
        self._parts: dict[str, _Partition] = {}

    @property
    def spec(self) -> LimitSpec:
        """The spec in force."""
        return self._spec

    def set_spec(self, spec: LimitSpec) -> None:
        """Replace the limits and forget all counters."""
        with self._lock:
            self._spec = spec
            self._parts = {}

    def acquire(self, partition: str, method: str) -> Lease | Rejection:
        """Run the chain for one request."""
        with self._lock:
            spec = self._spec
            if not spec.enabled:
                return Lease()
            now = self._clock()
            part = self._parts.setdefault(partition, _Partition(day_start=now))
            if spec.rpm is not None:
                while part.window and part.window[0] <= now - spec.window:
                    part.window.popleft()
                if len(part.window) >= spec.rpm:
                    wait = (part.window[0] + spec.window - now) if part.window else spec.window
                    seconds = max(1, math.ceil(wait))
                    return Rejection(spec.rpm, seconds, None)
                part.window.append(now)
            is_read = method == "GET"
            cap = spec.reads if is_read else spec.writes
            if cap is not None and (part.reads if is_read else part.writes) >= cap:
                return Rejection(cap, None, None, concurrency=True)
            counts_daily = method in ("POST", "PUT")
            if spec.daily is not None and counts_daily:
                if now - part.day_start >= 86_400:
                    part.day_start, part.day_count = now, 0
                if part.day_count >= spec.daily:
                    seconds = max(1, math.ceil(part.day_start + 86_400 - now))
                    return Rejection(spec.daily, seconds, seconds)
                part.day_count += 1
            if is_read:
                part.reads += 1
            else:
                part.writes += 1

        def release() -> None:
            with self._lock:
                if is_read:
                    part.reads -= 1
                else:
                    part.writes -= 1

        return Lease(release)
