"""Reads started before the step that needs them, so that a client's last write and read overlap.

Why: a fresh client ends with share → link → members read → tag look-up, one round trip each,
and a batch ends when its last client does. The members read depends on the share call alone,
so it is sent as soon as the share call answers and travels alongside the link write;
verification waits for it before the tag look-up, which stays last (a room whose create landed
late has as long as before to show up). One round trip less per client, none more.

A read ahead is one attempt through the run's gates (counted, paced, learnt from like any other
read). When it fails, the step that needed it reads again the usual way, with retries and their
journal events: so it never hides a failure, and the happy path costs no extra request.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from onboarding.workflow.calls import Caller

T = TypeVar("T")


class ReadAhead:
    """A run's pool for reads sent ahead (thread-safe); :meth:`close` waits for those in flight.

    The pool starts a thread only when a read finds none idle, so a run that sends none starts none.
    """

    def __init__(self, caller: Caller, threads: int) -> None:
        self._caller = caller
        self._pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="read-ahead")

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Send ``fn``'s read now, on another thread."""
        return self._pool.submit(self._caller.read_once, fn)

    def close(self) -> None:
        """Wait for the reads in flight; those still queued (a stopped run's) are not sent."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def taken(future: Future[T] | None) -> T | None:
    """The read's answer, waiting for it; None when there was none or it failed (read again)."""
    if future is None:
        return None
    try:
        return future.result()
    except Exception:  # the step reads again, with retries and their events
        return None
