"""The journal's contract, split by concern, so that a store can be swapped without touching callers.

A journal remembers six things, each its own protocol: the clients' records (input, status,
progress and remote ids), the runs, the step events of each run, the leases that keep two runs
off one client, the CRM deliveries, and the runs queued for a worker. ``Journal`` is all six plus
``close``; SQLite
(:mod:`onboarding.journal.sqlite`) and PostgreSQL (:mod:`onboarding.journal.postgres`) implement
it, and ``tests/journal/`` holds the one contract suite both must pass.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

from onboarding.errors import WorkflowError
from onboarding.journal.records import ClientRecord, EventRecord, RunRecord

if TYPE_CHECKING:
    from onboarding.journal.queue import QueuedRun

LEASE_SECONDS = 30.0
"""How long a claim on a client lasts without a heartbeat (a run renews it every few seconds)."""


class LeaseLost(WorkflowError):
    """A fenced write found that another owner holds the client now (this one's lease ran out)."""


def make_owner_id() -> str:
    """``host:pid:random``: unique per engine, and tells a same-machine journal whose process it is."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


StepNote = tuple[str, str, str, str]
"""An event to add with a client write: ``(run_id, step, outcome, detail)``."""


class ClientRecords(Protocol):
    """Each client's row: what the CRM export and the results table are read from."""

    def get(self, portal: str, client_id: str) -> ClientRecord | None: ...

    def get_many(self, portal: str, client_ids: Iterable[str]) -> dict[str, ClientRecord]: ...

    def clients(self, portal: str | None = None, *, run_id: str | None = None) -> list[ClientRecord]: ...

    def upsert_client(
        self,
        portal: str,
        client_id: str,
        *,
        fence: str | None = None,
        events: Sequence[StepNote] = (),
        **fields: Any,
    ) -> None:
        """Create the client's row if missing and set the given fields (input data, status...).

        With ``fence`` (a lease owner), the write happens only while that owner still holds the
        client's lease, checked in the same transaction; otherwise :class:`LeaseLost` is raised.
        ``events`` are added in the same transaction (a run writes one transaction per step;
        a store may commit several clients' writes together, each still all-or-nothing).
        """
        ...


class RunLog(Protocol):
    """The runs: who started what, when, and how it ended."""

    def new_run_id(self) -> str: ...

    def start_run(
        self,
        *,
        portal: str,
        actor: str,
        owner: str,
        total: int,
        blueprint: dict[str, Any],
        kind: str = "run",
        run_id: str | None = None,
    ) -> str: ...

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None: ...

    def runs(self, portal: str | None = None, limit: int = 50) -> list[RunRecord]: ...

    def run(self, run_id: str) -> RunRecord | None: ...

    def mark_abandoned_runs(self) -> int:
        """Runs still 'running' whose owner is gone become 'interrupted'; returns how many."""
        ...

    def request_stop(self, run_id: str) -> bool:
        """Store a Stop for a running run (its engine polls it); False when it is not running."""
        ...

    def stop_requested(self, run_id: str) -> bool: ...


class EventLog(Protocol):
    """Every step outcome, in order: a run's live progress and its history."""

    def add_event(
        self, run_id: str, portal: str, client_id: str, step: str, outcome: str, detail: str = ""
    ) -> None: ...

    def events(
        self, run_id: str, *, after_id: int = 0, client_id: str | None = None
    ) -> list[EventRecord]: ...

    def run_client_ids(self, run_id: str) -> list[str]: ...


class Leases(Protocol):
    """One live owner per client: a claim, renewed by a heartbeat, lost after ``lease_seconds``."""

    lease_seconds: float

    def claim(self, portal: str, client_id: str, owner: str) -> bool:
        """Take the client's lease for ``owner``; False when another live run holds it."""
        ...

    def renew(self, portal: str, owner: str) -> None:
        """Extend every lease ``owner`` holds on the portal, and mark its runs as alive."""
        ...

    def release(self, portal: str, client_id: str, owner: str) -> None: ...

    def holds(self, portal: str, client_id: str, owner: str) -> bool:
        """True while ``owner`` still holds the client's lease (a fence before each step)."""
        ...

    def holder(self, portal: str, client_id: str) -> str | None:
        """The live owner of the client's lease, if any."""
        ...


class Deliveries(Protocol):
    """The CRM webhook's record of what it delivered to whom (one row per client)."""

    def record_delivery(
        self, portal: str, client_id: str, key: str, status: str, attempts: int, detail: str
    ) -> None: ...

    def delivery(self, portal: str, client_id: str) -> dict[str, Any] | None: ...

    def deliveries(self, portal: str) -> dict[str, dict[str, Any]]: ...

    def record_notice(
        self, portal: str, client_id: str, event: str, key: str, status: str, detail: str = ""
    ) -> None:
        """One webhook event (``client.joined``, ``client.offboarded``…) for a client, by its type."""
        ...

    def notice(self, portal: str, client_id: str, event: str) -> dict[str, Any] | None: ...

    def failed_notices(self, portal: str) -> list[dict[str, Any]]:
        """The events whose last sending failed (to be sent again, with their key)."""
        ...

    def notices(self, portal: str) -> list[dict[str, Any]]:
        """Every client's last sending of each event type, oldest first (what the CRM was told)."""
        ...


class RunQueue(Protocol):
    """Runs queued on a dashboard for a headless worker (see :mod:`onboarding.journal.queue`)."""

    def enqueue(self, portal: str, actor: str, request: dict[str, Any]) -> str: ...

    def take_queued(self, portal: str, worker: str) -> QueuedRun | None: ...

    def renew_queued(self, queue_id: str, worker: str) -> bool: ...

    def set_queued_run(self, queue_id: str, worker: str, run_id: str) -> None: ...

    def finish_queued(self, queue_id: str, worker: str, status: str, detail: str = "") -> None: ...

    def hand_back_queued(self, queue_id: str, worker: str, detail: str = "") -> bool:
        """Put a run ``worker`` holds back in the queue (its worker stops); False when not its."""
        ...

    def cancel_queued(self, queue_id: str) -> bool: ...

    def queued(self, portal: str, *, limit: int = 50) -> list[QueuedRun]: ...


class SharedLimits(Protocol):
    """The portal's per-user limits shared by every process on a journal (see ``journal.limits``)."""

    def write_slot(self) -> AbstractContextManager[int]:
        """Hold one of the portal's writes in flight for the duration of a write."""
        ...

    def take_request(
        self, per_window: int | None, window: float, *, on_wait: Callable[[float], None] | None = None
    ) -> float:
        """Wait until the shared request budget allows one more request; returns seconds waited.
        ``on_wait(seconds)`` is told of each pause before it starts (a long one is announced)."""
        ...


class Journal(ClientRecords, RunLog, EventLog, Leases, Deliveries, RunQueue, Protocol):
    """The whole journal, as the engine, the service and the webhook use it."""

    def shared_limits(self, portal: str, *, writes: int) -> SharedLimits | None:
        """The portal's limits as shared with other machines, or None when nothing is shared."""
        ...

    def describe(self) -> str:
        """Where the journal lives, safe to show (a path, or a database address without password)."""
        ...

    def close(self) -> None: ...
