"""A headless worker: carries out runs queued on a dashboard, with no browser and no dashboard.

``docspace-onboard worker --journal postgresql://…`` polls the shared journal's queue for its
portal, takes the oldest queued run (no two workers take the same one), and runs it through the
same door as the dashboard and the CLI. While it works it renews its hold on the queued run, so
if it dies another worker takes the run over after the lease; the journal's per-client records
make that a resume, not a repeat. Clients another process held when the run reached them
("locked") are tried again once their holder lets go or its lease runs out, so a machine that
died mid-run does not leave its clients behind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from onboarding.blueprint import Blueprint
from onboarding.journal import Journal, make_owner_id
from onboarding.journal.queue import DONE, FAILED, TAKEN, QueuedRun
from onboarding.service import Onboarding
from onboarding.workflow.engine import RunResult
from onboarding.workflow.status import ClientStatus
from onboarding.workflow.steps import StepEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueuedClient:
    """A client row as a queued run carries it (what the engine needs of a row)."""

    client_id: str
    name: str
    email: str | None = None
    manager_email: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Worker:
    """Takes queued runs of one portal and carries them out, one at a time.

    Args:
        service: the door onto the portal (its journal is the shared one).
        queue: a handle on the same journal, for the queue and the lease look-ups.
        say: receives one line per thing the worker does (the CLI prints it).
        poll_seconds: how often an idle worker looks at the queue.
    """

    def __init__(
        self,
        service: Onboarding,
        queue: Journal,
        *,
        say: Callable[[str], None] = lambda line: None,
        poll_seconds: float = 1.0,
    ) -> None:
        self.service = service
        self.queue = queue
        self.say = say
        self.poll_seconds = poll_seconds
        self.name = "worker:" + make_owner_id()
        self.stopping = threading.Event()
        self.handed_back = ""
        """The queued run this worker gave back to the queue when it stopped (``""``: none)."""
        self.current_run = ""
        self._own = (service.actor, service.blueprint)
        """The worker's own actor and blueprint: each queued run sets the ones it was queued with."""

    def stop(self) -> None:
        """Finish the steps in flight, defer the rest of the current run, and take no more."""
        self.stopping.set()
        if self.current_run:
            self.service.stop(self.current_run)

    def serve(self, *, until_idle: bool = False) -> int:
        """Work until stopped (or, with ``until_idle``, until the queue is idle); runs done.

        Idle means nothing waiting and nothing held by another worker: a run a worker holds is
        waited for, since a worker that died (``kill -9``, a lost machine) lets its lease run out
        and this one then takes the run over. Without that wait, a cron job run just after a
        crash would report the queue done while a batch lies half finished.
        """
        done, told = 0, set()
        while not self.stopping.is_set():
            if self.work_one():
                done += not self.handed_back  # a batch handed back is the next worker's to finish
                continue
            held = [q for q in self.queue.queued(self.service.portal_key) if q.status == TAKEN]
            if until_idle and not held:
                break
            for q in held:
                if until_idle and q.queue_id not in told:
                    told.add(q.queue_id)
                    self.say(
                        f"queued run {q.queue_id} is held by {q.worker}: waiting for it to finish "
                        f"(taken over if its lease of {self.queue.lease_seconds:.0f} s runs out)"
                    )
            self.stopping.wait(self.poll_seconds)
        return done

    def work_one(self) -> bool:
        """Take and carry out one queued run; False when none is waiting."""
        item = self.queue.take_queued(self.service.portal_key, self.name)
        if item is None:
            return False
        n = len(item.request.get("clients", []))
        self.say(f"took queued run {item.queue_id} ({n} client{'' if n == 1 else 's'})")
        lost, keep = threading.Event(), threading.Event()
        holder = threading.Thread(target=self._hold, args=(item, keep, lost), daemon=True, name="queue-lease")
        holder.start()
        try:
            result = self._carry_out(item)
        except Exception as exc:
            log.exception("queued run %s failed", item.queue_id)
            self.queue.finish_queued(item.queue_id, self.name, FAILED, f"{type(exc).__name__}: {exc}")
            self.say(f"queued run {item.queue_id} failed: {exc}")
            return True
        finally:
            keep.set()
            holder.join(timeout=5)
            self.current_run = ""
        summary = _summary(result)
        if lost.is_set():
            self.say(f"queued run {item.queue_id}: {summary} (another worker holds it now)")
        elif self.stopping.is_set() and _unfinished(result):
            # The worker is shutting down (SIGTERM: a deploy, a restart), not the batch: "done"
            # with its rest deferred would leave that rest to nobody. The next worker resumes it.
            detail = f"handed back when {self.name} stopped: {summary or 'not started'}"
            self.queue.hand_back_queued(item.queue_id, self.name, detail)
            self.handed_back = item.queue_id
            self.say(
                f"queued run {item.queue_id} handed back to the queue ({summary or 'not started'}):"
                " the next worker resumes it"
            )
        else:
            self.queue.finish_queued(item.queue_id, self.name, DONE, summary)
            self.say(f"queued run {item.queue_id}: {summary}")
        return True

    def _hold(self, item: QueuedRun, keep: threading.Event, lost: threading.Event) -> None:
        """Renew the hold on the queued run until it is done (a failed renewal is retried)."""
        while not keep.wait(self.queue.lease_seconds / 3):
            try:
                if not self.queue.renew_queued(item.queue_id, self.name):
                    lost.set()
                    return
            except Exception:
                log.exception("could not renew the hold on queued run %s", item.queue_id)

    def _carry_out(self, item: QueuedRun) -> RunResult:
        # Who queued the run is who onboards (runs.actor, clients.onboarded_by), not the worker's
        # Unix account; and a run queued without a blueprint gets the worker's, not the last one's.
        actor, blueprint = self._own
        self.service.actor = item.actor or actor
        self.service.blueprint = blueprint
        if item.request.get("blueprint"):
            self.service.blueprint = Blueprint.model_validate(item.request["blueprint"])
        clients = [QueuedClient(**c) for c in item.request.get("clients", [])]
        result = self.service.take_over_held(
            self._run(clients, item, item.run_id),
            lambda held: self._run([c for c in clients if c.client_id in held], item, None),
            self.say,
            self.stopping,
        )
        return result

    def _run(self, clients: list[QueuedClient], item: QueuedRun, run_id: str | None) -> RunResult:
        run_id = run_id or self.queue.new_run_id()
        self.current_run = run_id
        self.queue.set_queued_run(item.queue_id, self.name, run_id)
        asked = item.request
        plan = self.service.plan(
            clients, update=asked.get("update") or (), hand_over=asked.get("hand_over") or ()
        )
        if self.stopping.is_set():  # stopped while planning: nothing written yet, nothing to start
            return RunResult(run_id=run_id)
        told = threading.Event()

        def stop_if_stopping(event: StepEvent) -> None:
            # A Stop stored before the run existed (``stop`` while it planned) found no run to
            # stop: the run's first event stores it again, and the run's heartbeat picks it up.
            if self.stopping.is_set() and not told.is_set():
                told.set()
                self.service.stop(run_id)

        return self.service.run(plan, stop_if_stopping, run_id=run_id)


def _summary(result: RunResult) -> str:
    """``"3 deferred, 21 onboarded"``: the clients of a queued run by status."""
    counts: dict[str, int] = {}
    for s in result.statuses.values():
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))


def _unfinished(result: RunResult) -> bool:
    """Whether a stopped run left clients for a later one (or never started)."""
    waiting = (ClientStatus.DEFERRED, ClientStatus.LOCKED)
    return not result.statuses or any(s in waiting for s in result.statuses.values())
