"""A run's progress as read from the journal, so a page shows it wherever the run lives.

Progress is folded from the journal's events, never from a thread's memory: coming back to the
page, another tab, or a run started from the command line all read the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from onboarding.journal import EventRecord, Journal
from onboarding.workflow.status import ClientStatus, Outcome, Step, is_final

CLIENT_STEPS = {
    Step.ROOM: 1,
    Step.FOLDERS: 3,
    Step.FILES: 2,
    Step.ACCESS: 1,
    Step.LINK: 1,
    Step.VERIFY: 1,
    Step.RECORD: 0,
}
"""The steps one client goes through, each weighed by its calls under the default blueprint.

Only for the share of a client's work done: the last steps' events reach the journal together,
when the client ends, so weighing every step alike would count a client that has made 7 of its
9 calls as half done.
"""
_CLIENT_CALLS = sum(CLIENT_STEPS.values())
_STEP_ENDED = (Outcome.DONE, Outcome.SKIPPED)

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
    started_at: float = 0.0
    """When the run started (the journal's clock), for the elapsed time on the progress bar."""
    wait_until: float | None = None
    """When calls resume after the latest wait for the portal's rate limit (None: never waited)."""
    wait_reason: str = ""
    """That wait in words, as the engine journalled it."""
    waited_s: float = 0.0
    """Seconds the run announced it would wait for the rate limit, added up (the summary has the
    measured figure once the run ends)."""

    def waiting(self, now: float) -> float | None:
        """Seconds left of the current rate-limit wait at ``now``; None when calls are not waiting."""
        if not self.running or self.wait_until is None or self.wait_until <= now:
            return None
        return self.wait_until - now

    @property
    def fraction(self) -> float:
        return self.finished / self.total if self.total else 1.0

    @property
    def work_done(self) -> float:
        """Clients' worth of work done: a client whose part ended counts 1, one under way the share
        of its steps done.

        Why: clients run side by side (15 at once by default) and tend to finish in bursts, so
        finished clients alone stand still for a long while and then jump; steps end all the time.
        """
        done = 0.0
        for cid, steps in self.client_steps.items():
            if self.client_status.get(cid, ClientStatus.RUNNING) != ClientStatus.RUNNING:
                done += 1
            else:
                done += sum(w for s, w in CLIENT_STEPS.items() if steps.get(s) in _STEP_ENDED) / _CLIENT_CALLS
        return min(done, float(self.total))


_RESUMING = re.compile(r"resuming in (\d+(?:\.\d+)?) s")
"""The seconds in a rate-limit wait's detail (``RATE_WAIT`` in the engine)."""


def read_progress(journal: Journal, run_id: str, *, live: bool | None = None) -> RunProgress:
    """Fold a run's events into per-client step outcomes and totals."""
    run = journal.run(run_id)
    events = journal.events(run_id)
    steps: dict[str, dict[str, str]] = {}
    status: dict[str, str] = {}
    errors: dict[str, str] = {}
    wait_until, wait_reason, waited = None, "", 0.0
    for e in events:
        if e.client_id == "*":  # run-wide notes (waiting for the portal's rate limit, webhook): no client
            found = _RESUMING.search(e.detail) if e.outcome == Outcome.WAITING else None
            if found:
                seconds = float(found.group(1))
                wait_until, wait_reason, waited = e.at + seconds, e.detail, waited + seconds
            continue
        steps.setdefault(e.client_id, {})[e.step] = e.outcome
        if e.step == Step.CLIENT and e.outcome == Outcome.SKIPPED and e.detail != ALREADY_ONBOARDED:
            status[e.client_id] = Outcome.SKIPPED  # offboarded or rolled back: the detail says which
            errors[e.client_id] = e.detail
        elif e.step == Step.CLIENT and e.outcome == Outcome.SKIPPED:
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
    return RunProgress(
        run_id,
        total,
        finished,
        counts,
        steps,
        status,
        errors,
        running,
        events,
        started_at=run.started_at if run else 0.0,
        wait_until=wait_until,
        wait_reason=wait_reason,
        waited_s=waited,
    )
