"""Ctrl-C held back while the engine starts threads it must be able to join.

A ``KeyboardInterrupt`` lands in the main thread at whatever line it is running. Raised inside
``ThreadPoolExecutor.submit``, after the new worker thread has started but before the pool has
recorded it, it leaves a worker the pool cannot join: that thread goes on onboarding a client
after the run has been journalled as stopped, holding the client's claim, so a later run finds
the client "locked". Holding the interrupt back for the few milliseconds those calls take, and
raising it right after, keeps Ctrl-C meaning "stop as Stop does".
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Run the block whole; a SIGINT received meanwhile is delivered as soon as it ends.

    Only the main thread receives signals, and only it may install a handler: elsewhere (a
    dashboard's worker thread) the block simply runs.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        # None: the handler was not set from Python (an embedding host); Python's own goes back.
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
        if received:
            signal.raise_signal(signal.SIGINT)  # to the handler that was there before: as if it came now
