"""How the engine makes one remote call: through the throttle, with retries, counted.

:meth:`Caller.ensure` is the idempotency primitive. A create-type write whose answer was lost
(timeout, dropped connection, 5xx) may still have been carried out, and DocSpace neither refuses
duplicate titles nor honours idempotency keys. So before trying such a write again, and before
the first try when an earlier attempt may have run (a resumed step), it *looks* for the thing it
is about to create; only when the look-up finds nothing does it write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from onboarding.errors import DailyLimitReached, RateLimited, RequestTimeout
from onboarding.workflow.retry import Retrier, is_daily_limit
from onboarding.workflow.throttle import Throttle

T = TypeVar("T")


@dataclass
class CallStats:
    """Counters for a run (thread-safe increments)."""

    writes: int = 0
    reads: int = 0
    throttled: int = 0
    retries: int = 0
    lookups_saved_duplicates: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def as_dict(self) -> dict[str, int]:
        return {
            "writes": self.writes,
            "reads": self.reads,
            "throttled": self.throttled,
            "retries": self.retries,
            "duplicates_avoided": self.lookups_saved_duplicates,
        }


class Caller:
    """Gated, retried, counted calls; shared by all of a run's workers."""

    def __init__(
        self,
        throttle: Throttle,
        retrier: Retrier,
        stats: CallStats | None = None,
        on_retry: Callable[[str, BaseException, float], None] | None = None,
        settle_after_timeout: float = 0.0,
    ) -> None:
        self.throttle = throttle
        self.retrier = retrier
        self.stats = stats or CallStats()
        self._on_retry = on_retry
        self.settle_after_timeout = settle_after_timeout
        """Seconds to give a create we stopped waiting for before looking for it and retrying."""

    def _once(self, fn: Callable[[], T], *, write: bool) -> T:
        # The throttle learns from each answer itself (pace from a 429's announced limit, the
        # write gate from a concurrency 429); here the run's own counters are kept.
        with self.throttle.write() if write else self.throttle.read():
            self.stats.add("writes" if write else "reads")
            try:
                return fn()
            except RateLimited as exc:
                self.stats.add("throttled")
                if is_daily_limit(exc):
                    raise DailyLimitReached(
                        "the portal's daily write limit is reached; the remaining clients are deferred"
                    ) from None
                if (exc.retry_after or 0) > self.retrier.policy.max_retry_after:
                    raise DailyLimitReached(
                        f"the portal asks to wait {exc.retry_after:.0f} s before the next call; "
                        "the remaining clients are deferred"
                    ) from None
                raise

    def _note_retry(self, what: str) -> Callable[[int, BaseException, float], None]:
        def note(attempt: int, exc: BaseException, wait: float) -> None:
            self.stats.add("retries")
            if self._on_retry is not None:
                self._on_retry(what, exc, wait)

        return note

    def read(self, fn: Callable[[], T], what: str = "read") -> T:
        """A look-up; safe to repeat, so every retryable failure is simply tried again."""
        return self.retrier.call(lambda: self._once(fn, write=False), on_retry=self._note_retry(what))

    def write(self, fn: Callable[[], T], what: str = "write") -> T:
        """A write that is idempotent on the server (setting access, updating a link by id)."""
        return self.retrier.call(lambda: self._once(fn, write=True), on_retry=self._note_retry(what))

    def ensure(
        self,
        create: Callable[[], T],
        lookup: Callable[[], T | None],
        *,
        maybe_done: bool,
        what: str = "create",
        on_uncertain: Callable[[], None] | None = None,
    ) -> tuple[T, bool]:
        """Create something exactly once; returns (thing, created_now).

        ``lookup`` finds the thing if an earlier try created it. It runs first when ``maybe_done``
        and after every failed try whose write may have reached the server (everything but a 429,
        which the server rejects before doing anything). It makes its own calls through
        :meth:`read` (it is not wrapped again here: a gate slot held around a look-up that takes
        another slot would deadlock once every worker does it).
        """
        if maybe_done:
            found = lookup()
            if found is not None:
                return found, False
        attempt = 0
        started = self.retrier.clock()
        note = self._note_retry(what)
        while True:
            attempt += 1
            try:
                return self._once(create, write=True), True
            except Exception as exc:
                wait = self.retrier.delay(attempt, exc)
                if wait is None or self.retrier.clock() + wait - started > self.retrier.policy.max_elapsed:
                    raise
                note(attempt, exc, wait)
                self.retrier.sleep(wait)
                if isinstance(exc, RequestTimeout) and self.settle_after_timeout > 0:
                    # The portal may still be carrying the call out: give it as long again as we
                    # waited for the answer, so the look-up below sees it instead of racing it.
                    self.retrier.sleep(self.settle_after_timeout)
                if not isinstance(exc, RateLimited):
                    if on_uncertain is not None:
                        on_uncertain()  # the failed try may still complete on the server later
                    found = lookup()
                    if found is not None:
                        self.stats.add("lookups_saved_duplicates")
                        return found, False
