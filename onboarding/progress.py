"""A run's progress as read from the journal, so a page shows it wherever the run lives.

Progress is folded from the journal's events, never from a thread's memory: coming back to the
page, another tab, or a run started from the command line all read the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onboarding.journal import EventRecord, Journal
from onboarding.workflow.status import ClientStatus, Outcome, Step, is_final

ALREADY_ONBOARDED = "already onboarded"
"""A client's status in a run's progress when an earlier run had onboarded it (skipped whole)."""


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


def read_progress(journal: Journal, run_id: str, *, live: bool | None = None) -> RunProgress:
    """Fold a run's events into per-client step outcomes and totals."""
    run = journal.run(run_id)
    events = journal.events(run_id)
    steps: dict[str, dict[str, str]] = {}
    status: dict[str, str] = {}
    errors: dict[str, str] = {}
    for e in events:
        if e.client_id == "*":  # run-wide notes (waiting for the portal's rate limit, webhook): no client
            continue
        steps.setdefault(e.client_id, {})[e.step] = e.outcome
        if e.step == Step.CLIENT and e.outcome == Outcome.SKIPPED:
            status[e.client_id] = ALREADY_ONBOARDED
        elif is_final(e.step, e.outcome):
            status[e.client_id] = e.outcome  # each final outcome names the client's status
            if e.outcome != Outcome.ONBOARDED:
                errors[e.client_id] = e.detail
        elif e.outcome == Outcome.STARTED and e.client_id not in status:
            status[e.client_id] = ClientStatus.RUNNING
    counts: dict[str, int] = {}
    for s in status.values():
        counts[s] = counts.get(s, 0) + 1
    total = run.total if run else len(steps)
    finished = sum(v for k, v in counts.items() if k != ClientStatus.RUNNING)
    running = (run.status == "running") if live is None and run else bool(live)
    return RunProgress(run_id, total, finished, counts, steps, status, errors, running, events)
