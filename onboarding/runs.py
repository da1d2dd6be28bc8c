"""Batches that run in the background of the dashboard's server process.

A batch must survive the page that started it: navigating away, reloading or closing the tab
only ends a Streamlit *session*, not this registry, which lives once per server process. Pages
read progress from the journal (so a run started from the CLI shows up too) and may ask a run to
stop. Starting clients that a live run in this process already covers joins that run instead of
starting a second one; runs in other processes are kept apart by the journal's per-client leases.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from onboarding.journal import EventRecord, Journal
from onboarding.service import Onboarding
from onboarding.workflow.engine import Engine, RunResult
from onboarding.workflow.plan import BatchPlan, ClientLike


@dataclass
class RunHandle:
    """A batch running (or finished) in this process."""

    run_id: str
    client_ids: frozenset[str]
    engine: Engine
    thread: threading.Thread
    started_at: float
    result: RunResult | None = None
    error: str = ""

    @property
    def alive(self) -> bool:
        return self.thread.is_alive()


@dataclass
class StartOutcome:
    run_id: str
    joined: bool
    """True when the clients were already being onboarded by this run (no new run started)."""


@dataclass
class RunProgress:
    """A run's progress as read from the journal."""

    run_id: str
    total: int
    finished: int
    status_counts: dict[str, int]
    client_steps: dict[str, dict[str, str]]
    """client id -> step -> latest outcome."""
    client_status: dict[str, str]
    errors: dict[str, str]
    running: bool
    events: list[EventRecord] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.finished / self.total if self.total else 1.0


log = logging.getLogger(__name__)

_FINAL = {
    "onboarded": "onboarded",
    "failed": "failed",
    "deferred": "deferred",
    "blocked": "blocked",
    "locked": "locked",
}


class RunRegistry:
    """Process-wide registry of background runs (the dashboard keeps one per server)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, RunHandle] = {}

    def start(
        self,
        service: Onboarding,
        clients: Sequence[ClientLike] | BatchPlan,
        *,
        on_done: Callable[[RunHandle], None] | None = None,
    ) -> StartOutcome:
        """Start a batch in a thread, or join the live run that already covers these clients."""
        items = clients.clients if isinstance(clients, BatchPlan) else clients
        ids = frozenset(c.client_id for c in items)
        handle_box: list[RunHandle] = []

        def work() -> None:
            handle = handle_box[0]
            try:
                handle.result = handle.engine.run(clients, run_id=handle.run_id)
                result = handle.result
                threading.Thread(
                    target=_deliver_quietly, args=(service, result), name=f"crm-{handle.run_id}", daemon=True
                ).start()
            except Exception as exc:  # reported on the page; the journal keeps the details
                handle.error = f"{type(exc).__name__}: {exc}"
            finally:
                if on_done is not None:
                    on_done(handle)

        with self._lock:
            live = [h for h in self._runs.values() if h.alive]
            covered = frozenset().union(*(h.client_ids for h in live)) if live else frozenset()
            if ids and ids <= covered:
                joined = next(h for h in live if ids & h.client_ids)
                return StartOutcome(joined.run_id, joined=True)
            if ids & covered:
                # Start only the clients no live run covers; the others are already on their way.
                clients = _without(clients, covered)
                ids = ids - covered
            self._prune()
            run_id = service.journal.new_run_id()
            thread = threading.Thread(target=work, name=f"run-{run_id}", daemon=True)
            handle = RunHandle(run_id, ids, service.engine(), thread, time.time())
            handle_box.append(handle)
            self._runs[run_id] = handle
            thread.start()
        return StartOutcome(run_id, joined=False)

    def _prune(self, keep_seconds: float = 3600.0) -> None:
        """Forget finished runs after an hour (the journal keeps them; this is only the live view)."""
        cutoff = time.time() - keep_seconds
        for run_id in [r for r, h in self._runs.items() if not h.alive and h.started_at < cutoff]:
            del self._runs[run_id]

    def get(self, run_id: str) -> RunHandle | None:
        with self._lock:
            return self._runs.get(run_id)

    def active(self) -> list[RunHandle]:
        with self._lock:
            return [h for h in self._runs.values() if h.alive]

    def stop(self, run_id: str) -> bool:
        handle = self.get(run_id)
        if handle is None or not handle.alive:
            return False
        handle.engine.stop()
        return True

    def wait(self, run_id: str, timeout: float | None = None) -> bool:
        handle = self.get(run_id)
        if handle is None:
            return True
        handle.thread.join(timeout)
        return not handle.alive


def _without(
    clients: Sequence[ClientLike] | BatchPlan, drop: frozenset[str]
) -> Sequence[ClientLike] | BatchPlan:
    if isinstance(clients, BatchPlan):
        kept = [cp for cp in clients.clients if cp.client_id not in drop]
        return BatchPlan(clients.context, kept, clients.lookup_reads, clients.problems)
    return [c for c in clients if c.client_id not in drop]


def _deliver_quietly(service: Onboarding, result: RunResult) -> None:
    """CRM delivery after a background run; failures are recorded per client by the sender."""
    try:
        service.after_run(result)
    except Exception:
        log.exception("CRM delivery after run %s failed", result.run_id)


def read_progress(journal: Journal, run_id: str, *, live: bool | None = None) -> RunProgress:
    """Fold a run's events into per-client step outcomes and totals."""
    run = journal.run(run_id)
    events = journal.events(run_id)
    steps: dict[str, dict[str, str]] = {}
    status: dict[str, str] = {}
    errors: dict[str, str] = {}
    for e in events:
        steps.setdefault(e.client_id, {})[e.step] = e.outcome
        if e.outcome in _FINAL:
            status[e.client_id] = _FINAL[e.outcome]
            if e.outcome != "onboarded":
                errors[e.client_id] = e.detail
        elif e.step == "client" and e.outcome == "skipped":
            status[e.client_id] = "already onboarded"
        elif e.outcome == "started" and e.client_id not in status:
            status[e.client_id] = "running"
    counts: dict[str, int] = {}
    for s in status.values():
        counts[s] = counts.get(s, 0) + 1
    total = run.total if run else len(steps)
    finished = sum(v for k, v in counts.items() if k != "running")
    running = (run.status == "running") if live is None and run else bool(live)
    return RunProgress(run_id, total, finished, counts, steps, status, errors, running, events)
