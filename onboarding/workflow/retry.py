"""When to try a failed call again, and how long to wait first.

Only failures that may succeed later are retried (no answer, 429, 5xx); a 400/401/403/404 is the
portal's final word and goes straight to the client's result. Attempts *and* total time are
capped, waits grow exponentially with full jitter, and a ``Retry-After`` from the portal wins.
Sleeping and randomness are injected so that tests run retries instantly and deterministically.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from onboarding.errors import RateLimited, is_retryable

T = TypeVar("T")

DAILY_LIMIT_HINT_SECONDS = 15 * 60.0
"""A 429 asking to wait longer than this is the daily POST+PUT window, not a per-minute one."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one remote step before reporting it failed."""

    attempts: int = 6
    """Total tries of one call, the first included."""
    max_elapsed: float = 120.0
    """Seconds after the first try past which no new try starts."""
    base_delay: float = 0.5
    """Seconds before the second try; doubles with every further try (before jitter)."""
    max_delay: float = 15.0
    """Upper bound of one computed wait, in seconds."""
    max_retry_after: float = 120.0
    """A portal's ``Retry-After`` is honoured up to this many seconds."""


@dataclass
class Retrier:
    """Runs a call under a policy; ``sleep``/``rng``/``clock`` are injectable for tests."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic

    def delay(self, attempt: int, exc: BaseException) -> float | None:
        """Seconds to wait before try ``attempt + 1``, or None to give up.

        ``attempt`` counts the tries already made (1 after the first failure).
        """
        if not is_retryable(exc) or attempt >= self.policy.attempts:
            return None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            if exc.retry_after > self.policy.max_retry_after:
                return None
            # a little jitter on top so that parallel workers do not return in lockstep
            return exc.retry_after + self.rng.uniform(0, 0.25)
        ceiling = min(self.policy.max_delay, self.policy.base_delay * 2 ** (attempt - 1))
        return self.rng.uniform(ceiling / 2, ceiling)

    def call(
        self,
        fn: Callable[[], T],
        *,
        on_retry: Callable[[int, BaseException, float], None] | None = None,
        before_retry: Callable[[BaseException], T | None] | None = None,
    ) -> T:
        """Call ``fn`` until it succeeds, a failure is final, or the budget is spent.

        ``on_retry(attempt, failure, wait)`` is told of each retry before its wait (the engine
        journals it). ``before_retry(failure)`` runs after the wait and before the next try; a
        create uses it to look up whether the failed write was carried out after all (lost
        response, timeout): whatever it returns other than None is the call's result.
        """
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except Exception as exc:
                wait = self.delay(attempt, exc)
                if wait is None or self.clock() + wait - started > self.policy.max_elapsed:
                    raise
                if on_retry is not None:
                    on_retry(attempt, exc, wait)
                self.sleep(wait)
                if before_retry is not None and (found := before_retry(exc)) is not None:
                    return found


def describe_retry(what: str, exc: BaseException, wait: float) -> str:
    """One line for the journal: what failed, the failure, and when it is tried again."""
    return f"{what}: {exc or type(exc).__name__}; trying again in {wait:.1f} s"


def is_daily_limit(exc: BaseException) -> bool:
    """A 429 whose Retry-After points hours ahead: the portal's daily write budget is spent."""
    return isinstance(exc, RateLimited) and (exc.retry_after or 0) > DAILY_LIMIT_HINT_SECONDS
