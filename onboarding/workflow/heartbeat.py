"""Keeping a run's claims alive while it works, and noticing a Stop stored from anywhere.

A run holds a lease on each client it works on; the lease must be renewed well before it runs
out, or another run (another process, machine or replica) may take the client over. The same
beat reads the journal's stop request for the run, so Stop pressed on any dashboard replica or
from the CLI reaches a run in another process within ``STOP_POLL_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from onboarding.journal import Journal
from onboarding.workflow.interrupts import interrupts_deferred

STOP_POLL_SECONDS = 1.0
log = logging.getLogger(__name__)


def _beat(
    journal: Journal, portal: str, owner: str, run_id: str, stop_run: threading.Event, done: threading.Event
) -> None:
    beat = journal.lease_seconds / 3
    last = time.monotonic()
    while not done.wait(min(beat, STOP_POLL_SECONDS)):
        try:
            if journal.stop_requested(run_id):
                stop_run.set()
            if time.monotonic() - last >= beat:
                last = time.monotonic()
                journal.renew(portal, owner)
        except Exception:  # a failed renewal is logged and tried again next beat
            log.exception("could not renew the journal leases")


@contextmanager
def heartbeat(
    journal: Journal, portal: str, owner: str, run_id: str, stop_run: threading.Event
) -> Iterator[None]:
    """Renew ``owner``'s leases every third of a lease, and set ``stop_run`` when a Stop is stored."""
    done = threading.Event()
    thread = threading.Thread(
        target=_beat,
        args=(journal, portal, owner, run_id, stop_run, done),
        daemon=True,
        name="journal-heartbeat",
    )
    try:
        with interrupts_deferred():  # a Ctrl-C inside start() would leave it beating, never joined
            thread.start()
        yield
    finally:
        done.set()
        if thread.ident is not None:  # started (an interrupt may come before start)
            thread.join(timeout=5)
