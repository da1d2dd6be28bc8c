"""The run queue: runs asked for on a dashboard and carried out by whichever worker is free.

A queued run holds what a worker needs without the browser or the dashboard process: the client
rows and the blueprint. A worker takes the oldest waiting one with ``FOR UPDATE SKIP LOCKED``
(two workers never take the same one), holds it under a lease it renews, and marks it done; a
worker that dies loses it after the lease and the next worker takes it again, and the journal's
per-client records make that second attempt resume, not repeat.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from onboarding.journal.base import SqlStore
from onboarding.journal.records import decode
from onboarding.redact import redact

QUEUED, TAKEN, DONE, FAILED, CANCELLED = "queued", "taken", "done", "failed", "cancelled"
QUEUE_COLUMNS = (
    "queue_id", "portal", "actor", "queued_at", "status", "request", "run_id", "worker", "detail",
)  # fmt: skip


@dataclass(frozen=True)
class QueuedRun:
    """One run waiting for (or held by) a worker."""

    queue_id: str
    portal: str
    actor: str
    queued_at: float
    status: str
    request: dict[str, Any]
    """``{"clients": [{client_id, name, email, manager_email, extra}, …], "blueprint": {…}, "update": […], "hand_over": […]}``.

    ``update`` and ``hand_over`` carry the plan's choices (client ids) to the worker, which plans again."""
    run_id: str
    """The run working on it now (or last): the queue id for the first attempt."""
    worker: str
    detail: str


class SqlRunQueue(SqlStore):
    """The queue in portable SQL (mixed into the SQL journals)."""

    def enqueue(self, portal: str, actor: str, request: dict[str, Any]) -> str:
        """Queue a run; returns its id (also the run id of its first attempt).

        Its place in the queue is stamped on the database's clock, as leases are: runs queued from
        machines whose clocks differ are still taken in the order they were queued.
        """
        queue_id = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self._clock())) + "-q" + uuid.uuid4().hex[:5]
        with self._tx() as sql:
            sql(
                "INSERT INTO queue (queue_id, portal, actor, queued_at, request, run_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (queue_id, portal, actor, self._now(sql), json.dumps(request, ensure_ascii=False), queue_id),
            )
        return queue_id

    def take_queued(self, portal: str, worker: str) -> QueuedRun | None:
        """The oldest run waiting on ``portal`` (or whose worker's lease ran out), now ``worker``'s."""
        with self._tx() as sql:
            now = self._now(sql)
            rows = sql(
                "SELECT * FROM queue WHERE portal = ? AND (status = ? OR (status = ? AND lease_until < ?))"
                " ORDER BY queued_at LIMIT 1" + self._skip_locked,
                (portal, QUEUED, TAKEN, now),
            )
            if not rows:
                return None
            row = rows[0]
            retake = row["status"] == TAKEN
            run_id = f"{row['queue_id']}-r{uuid.uuid4().hex[:4]}" if retake else row["run_id"]
            sql(
                "UPDATE queue SET status = ?, worker = ?, lease_until = ?, run_id = ? WHERE queue_id = ?",
                (TAKEN, worker, now + self.lease_seconds, run_id, row["queue_id"]),
            )
            row.update(status=TAKEN, worker=worker, run_id=run_id)
        return _queued(row)

    def renew_queued(self, queue_id: str, worker: str) -> bool:
        """Extend ``worker``'s hold on a queued run; False when it is no longer ``worker``'s."""
        with self._tx() as sql:
            now = self._now(sql)
            rows = sql(
                "UPDATE queue SET lease_until = ? WHERE queue_id = ? AND worker = ? AND status = ?"
                " RETURNING queue_id",
                (now + self.lease_seconds, queue_id, worker, TAKEN),
            )
        return bool(rows)

    def set_queued_run(self, queue_id: str, worker: str, run_id: str) -> None:
        """Record which run works on the queued run now (a follow-up run after a takeover)."""
        with self._tx() as sql:
            sql("UPDATE queue SET run_id = ? WHERE queue_id = ? AND worker = ?", (run_id, queue_id, worker))

    def finish_queued(self, queue_id: str, worker: str, status: str, detail: str = "") -> None:
        """Mark ``worker``'s run done or failed; ``detail`` (it may quote an error) is stored masked."""
        with self._tx() as sql:
            sql(
                "UPDATE queue SET status = ?, detail = ?, finished_at = ?, lease_until = NULL"
                " WHERE queue_id = ? AND worker = ?",
                (status, redact(detail), self._clock(), queue_id, worker),
            )

    def hand_back_queued(self, queue_id: str, worker: str, detail: str = "") -> bool:
        """Put a run ``worker`` holds back in the queue (the worker is shutting down), for the next
        worker to take at once and resume; False when it is no longer ``worker``'s.

        The next attempt gets a run id of its own: the one this worker used is in the runs already.
        """
        run_id = f"{queue_id}-r{uuid.uuid4().hex[:4]}"
        with self._tx() as sql:
            rows = sql(
                "UPDATE queue SET status = ?, worker = '', lease_until = NULL, run_id = ?, detail = ?"
                " WHERE queue_id = ? AND worker = ? AND status = ? RETURNING queue_id",
                (QUEUED, run_id, redact(detail), queue_id, worker, TAKEN),
            )
        return bool(rows)

    def cancel_queued(self, queue_id: str) -> bool:
        """Withdraw a run no worker has taken yet."""
        with self._tx() as sql:
            rows = sql(
                "UPDATE queue SET status = ?, finished_at = ? WHERE queue_id = ? AND status = ? RETURNING queue_id",
                (CANCELLED, self._clock(), queue_id, QUEUED),
            )
        return bool(rows)

    def queued(self, portal: str, *, limit: int = 50) -> list[QueuedRun]:
        """The portal's queued runs, newest first (waiting, held, and finished)."""
        rows = self._query(
            "SELECT * FROM queue WHERE portal = ? ORDER BY queued_at DESC LIMIT ?", [portal, limit]
        )
        return [_queued(r) for r in rows]


def _queued(row: dict[str, Any]) -> QueuedRun:
    return QueuedRun(**decode(row, "request", keep=QUEUE_COLUMNS))
