"""How the engine makes one remote call: through the throttle, with retries, counted.

Every call goes through the one retry loop, :meth:`~onboarding.workflow.retry.Retrier.call`.
:meth:`Caller.ensure` is the idempotency primitive. A create-type write whose answer was lost
(timeout, dropped connection, 5xx) may still have been carried out, and DocSpace neither refuses
duplicate titles nor honours idempotency keys. So before trying such a write again, and before
the first try when an earlier attempt may have run (a resumed step), it *looks* for the thing it
is about to create; only when the look-up finds nothing does it write. That look-up is the
retry loop's ``before_retry`` hook.
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


RetryHook = Callable[[str, BaseException, float], None]
"""Told of each retry: what was being done, the failure, and the seconds until the next try."""


class Caller:
    """Gated, retried, counted calls; shared by all of a run's workers.

    Each client's job takes its own view (:meth:`with_retry_hook`) sharing the throttle, the
    retry policy and the counters, so that its retries are journalled against that client.
    """

    def __init__(
        self,
        throttle: Throttle,
        retrier: Retrier,
        stats: CallStats | None = None,
        on_retry: RetryHook | None = None,
        settle_after_timeout: float = 0.0,
        before_write: Callable[[], None] | None = None,
    ) -> None:
        self.throttle = throttle
        self.retrier = retrier
        self.stats = stats or CallStats()
        self._on_retry = on_retry
        self.settle_after_timeout = settle_after_timeout
        """Seconds to give a create we stopped waiting for before looking for it and retrying."""
        self._before_write = before_write

    def with_retry_hook(
        self, on_retry: RetryHook, *, before_write: Callable[[], None] | None = None
    ) -> Caller:
        """The same gates, policy and counters, telling ``on_retry`` of every retry.

        ``before_write`` runs before each write is sent, outside the throttle's slots: a client's
        job writes its journal there, so that what must be on disk before a write (the step's
        ``started`` mark) is, in one transaction with everything else noted since the last write.
        """
        return Caller(
            self.throttle, self.retrier, self.stats, on_retry, self.settle_after_timeout, before_write
        )

    def _once(self, fn: Callable[[], T], *, write: bool) -> T:
        if write and self._before_write is not None:
            self._before_write()
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

    def read_once(self, fn: Callable[[], T]) -> T:
        """A look-up tried once, through the same gates and counters (a read sent ahead)."""
        return self._once(fn, write=False)

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
        created = True

        def look_again(exc: BaseException) -> T | None:
            """After a failed try and its wait: was the write carried out after all?"""
            nonlocal created
            if isinstance(exc, RateLimited):
                return None  # refused before anything was done
            if isinstance(exc, RequestTimeout) and self.settle_after_timeout > 0:
                # The portal may still be carrying the call out: give it as long again as we
                # waited for the answer, so the look-up sees it instead of racing it.
                self.retrier.sleep(self.settle_after_timeout)
            if on_uncertain is not None:
                on_uncertain()  # the failed try may still complete on the server later
            found = lookup()
            if found is not None:
                self.stats.add("lookups_saved_duplicates")
                created = False
            return found

        thing = self.retrier.call(
            lambda: self._once(create, write=True), on_retry=self._note_retry(what), before_retry=look_again
        )
        return thing, created
