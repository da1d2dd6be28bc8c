"""The process-wide registry of batches running in the background of the dashboard's server.

A batch must survive the page that started it: navigating away, reloading or closing the tab only
ends a Streamlit *session*, not this registry, which lives once per server process. The registry
only keeps threads and their stop switches; what a run *does* (engine, notifications) is sequenced
by :class:`onboarding.service.Onboarding`, the one door. Runs in other processes are kept apart
by the journal's per-client leases, not by this registry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from onboarding.workflow.engine import RunResult
from onboarding.workflow.plan import BatchPlan


@dataclass
class RunHandle:
    """A batch running (or finished) in this process."""

    run_id: str
    portal_key: str
    client_ids: frozenset[str]
    stop: Callable[[], None]
    """Ask the run to finish the steps in flight and stop (the rest is deferred)."""
    started_at: float = field(default_factory=time.time)
    thread: threading.Thread | None = None
    result: RunResult | None = None
    error: str = ""
    plan: BatchPlan | None = None
    """The plan the run carries out, when it was started from one: a page drawn while the run is
    live (a reload, another tab) shows it instead of reading the portal again for a plan that the
    run makes stale within seconds."""

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the run to end; True when it has."""
        if self.thread is not None:
            self.thread.join(timeout)
        return not self.alive


@dataclass
class StartOutcome:
    run_id: str
    joined: bool
    """True when the clients were already being onboarded by this run (no new run started)."""


class RunRegistry:
    """Process-wide registry of background runs (the dashboard keeps one per server)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        """Held by a starter while it checks coverage and registers, so two starts never overlap."""
        self._runs: dict[str, RunHandle] = {}

    def live(self, portal_key: str) -> list[RunHandle]:
        """Runs still going on this portal."""
        with self.lock:
            return [h for h in self._runs.values() if h.alive and h.portal_key == portal_key]

    def launch(self, handle: RunHandle, work: Callable[[RunHandle], None]) -> None:
        """Register the run and start ``work(handle)`` in its own thread."""
        with self.lock:
            self._prune()
            handle.thread = threading.Thread(
                target=work, args=(handle,), name=f"run-{handle.run_id}", daemon=True
            )
            self._runs[handle.run_id] = handle
            handle.thread.start()

    def _prune(self, keep_seconds: float = 3600.0) -> None:
        """Forget finished runs after an hour (the journal keeps them; this is only the live view)."""
        cutoff = time.time() - keep_seconds
        for run_id in [r for r, h in self._runs.items() if not h.alive and h.started_at < cutoff]:
            del self._runs[run_id]

    def get(self, run_id: str) -> RunHandle | None:
        with self.lock:
            return self._runs.get(run_id)

    def active(self) -> list[RunHandle]:
        """Every live run of this process, whatever its portal (for shutting down)."""
        with self.lock:
            return [h for h in self._runs.values() if h.alive]
