"""The journal's portable SQL: client records, runs, events, leases and deliveries, for any store.

A store supplies a transaction, a read and a clock (:class:`onboarding.journal.base.SqlStore`);
the statements here use ``?`` placeholders and only syntax that SQLite and PostgreSQL share
(``ON CONFLICT … DO``, ``RETURNING``), so the two stores differ only where they must: connections,
column types, row locks, the lease clock, and how to tell that a lease's owner is gone.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from onboarding.journal.base import Execute, Row
from onboarding.journal.protocol import LeaseLost, SharedLimits, StepNote
from onboarding.journal.queue import SqlRunQueue
from onboarding.journal.records import (
    UPDATABLE,
    ClientRecord,
    EventRecord,
    RunRecord,
    encode,
)
from onboarding.redact import redact

IN_CHUNK = 500
"""Ids per ``IN (…)`` list: under SQLite's variable limit, and short enough for any planner."""


class SqlJournal(SqlRunQueue):
    """The journal in portable SQL; a store adds connections, row locks and liveness checks."""

    def shared_limits(self, portal: str, *, writes: int) -> SharedLimits | None:
        """None: a journal on one machine leaves the limits to the process's own throttle."""
        return None

    # -- runs ----------------------------------------------------------------------------------

    def new_run_id(self) -> str:
        """Sortable and unique: ``20261126-181500-3fa2c1``."""
        return time.strftime("%Y%m%d-%H%M%S", time.gmtime(self._clock())) + "-" + uuid.uuid4().hex[:6]

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
    ) -> str:
        run_id = run_id or self.new_run_id()
        with self._tx() as sql:
            # Its first beat is on the lease clock (the database's on PostgreSQL): a sweep measures
            # liveness on that clock, never on the starting machine's, which may be behind it.
            beat = self._now(sql)
            sql(
                "INSERT INTO runs (run_id, portal, actor, kind, started_at, status, owner, total, blueprint,"
                " heartbeat_at) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
                (run_id, portal, actor, kind, self._clock(), owner, total, json.dumps(blueprint), beat),
            )
        return run_id

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        with self._tx() as sql:
            sql(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
                (self._clock(), status, redact(json.dumps(summary)), run_id),
            )

    def runs(self, portal: str | None = None, limit: int = 50) -> list[RunRecord]:
        where = " WHERE portal = ?" if portal else ""
        args: list[Any] = [portal] if portal else []
        rows = self._query(f"SELECT * FROM runs{where} ORDER BY started_at DESC LIMIT ?", [*args, limit])
        return [RunRecord.from_row(r) for r in rows]

    def request_stop(self, run_id: str) -> bool:
        """Store a Stop for a running run (its engine polls it); False when it is not running."""
        with self._tx() as sql:
            rows = sql(
                "UPDATE runs SET stop_requested = 1 WHERE run_id = ? AND status = 'running' RETURNING run_id",
                (run_id,),
            )
        return bool(rows)

    def stop_requested(self, run_id: str) -> bool:
        rows = self._query("SELECT stop_requested FROM runs WHERE run_id = ?", [run_id])
        return bool(rows and rows[0]["stop_requested"])

    def run(self, run_id: str) -> RunRecord | None:
        rows = self._query("SELECT * FROM runs WHERE run_id = ?", [run_id])
        return RunRecord.from_row(rows[0]) if rows else None

    # -- clients -------------------------------------------------------------------------------

    def get(self, portal: str, client_id: str) -> ClientRecord | None:
        rows = self._query("SELECT * FROM clients WHERE portal = ? AND client_id = ?", [portal, client_id])
        return ClientRecord.from_row(rows[0]) if rows else None

    def get_many(self, portal: str, client_ids: Iterable[str]) -> dict[str, ClientRecord]:
        out: dict[str, ClientRecord] = {}
        for chunk in _chunks(list(client_ids)):
            marks = ",".join("?" * len(chunk))
            for row in self._query(
                f"SELECT * FROM clients WHERE portal = ? AND client_id IN ({marks})", [portal, *chunk]
            ):
                rec = ClientRecord.from_row(row)
                out[rec.client_id] = rec
        return out

    def clients(self, portal: str | None = None, *, run_id: str | None = None) -> list[ClientRecord]:
        where: list[str] = []
        args: list[Any] = []
        if portal:
            where.append("portal = ?")
            args.append(portal)
        if run_id:
            where.append("client_id IN (SELECT DISTINCT client_id FROM events WHERE run_id = ?)")
            args.append(run_id)
        clause = " WHERE " + " AND ".join(where) if where else ""
        rows = self._query(f"SELECT * FROM clients{clause} ORDER BY updated_at", args)
        return [ClientRecord.from_row(r) for r in rows]

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

        With ``fence``, the lease is checked by the write itself (under the row's lock), so a run
        whose lease was taken over can never overwrite the new holder's progress.
        ``events`` go in the same transaction: one commit per step instead of two.
        """
        bad = set(fields) - UPDATABLE
        if bad:
            raise ValueError(f"unknown journal fields: {sorted(bad)}")
        values = {k: encode(v) for k, v in fields.items()}
        if isinstance(
            values.get("error"), str
        ):  # messages may quote a portal's or proxy's answer: masked like logs
            values["error"] = redact(values["error"])

        def write(sql: Execute) -> None:
            if fence is None:
                self._ensure_client(sql, portal, client_id)
            # A fenced write is one statement that checks the lease and writes under the row's
            # lock (a held lease implies the row exists): one round trip, not three.
            sets = "".join(f"{k} = ?, " for k in values)
            held = " AND lease_owner = ?" if fence is not None else ""
            args = (
                *values.values(),
                self._clock(),
                portal,
                client_id,
                *([fence] if fence is not None else []),
            )
            written = sql(
                f"UPDATE clients SET {sets}updated_at = ? WHERE portal = ? AND client_id = ?{held} RETURNING 1",
                args,
            )
            if fence is not None and not written:
                raise LeaseLost(
                    f"client {client_id!r} is held by another run now (this run's claim ran out);"
                    " its progress is kept by that run"
                )
            for run_id, step, outcome, detail in events:
                self._insert_event(sql, run_id, portal, client_id, step, outcome, detail)

        self._write(write)

    def _ensure_client(self, sql: Execute, portal: str, client_id: str) -> None:
        sql(
            "INSERT INTO clients (portal, client_id, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (portal, client_id, self._clock()),
        )

    # -- leases --------------------------------------------------------------------------------

    def _owner_alive(self, owner: str) -> bool:
        """Whether a lease's owner may still live; stores that cannot tell trust the expiry."""
        return True

    def _run_is_dead(self, run: Row, now: float) -> bool:
        """A 'running' run whose heartbeat stopped for a whole lease (its process died)."""
        last = run["heartbeat_at"] or run["started_at"]  # started_at: a run from before heartbeat_at was set
        return bool(last < now - self.lease_seconds) or not self._owner_alive(run["owner"])

    def claim(self, portal: str, client_id: str, owner: str) -> bool:
        """Take the client's lease for ``owner``; False when another live run holds it.

        The lease row is read with the store's row lock (``FOR UPDATE SKIP LOCKED`` on
        PostgreSQL: a row another transaction is changing right now is someone else's), and
        every new claim bumps the client's fencing token.
        """
        return self._write(lambda sql: self._claim(sql, portal, client_id, owner))

    def _claim(self, sql: Execute, portal: str, client_id: str, owner: str) -> bool:
        self._ensure_client(sql, portal, client_id)
        now = self._now(sql)
        rows = sql(
            "SELECT lease_owner, lease_until FROM clients WHERE portal = ? AND client_id = ?"
            + self._skip_locked,
            (portal, client_id),
        )
        if not rows:
            return False
        holder, until = rows[0]["lease_owner"], rows[0]["lease_until"]
        if holder not in (None, owner) and (until or 0) >= now and self._owner_alive(holder):
            return False
        sql(
            "UPDATE clients SET lease_owner = ?, lease_until = ?,"
            " lease_token = lease_token + (CASE WHEN lease_owner = ? THEN 0 ELSE 1 END)"
            " WHERE portal = ? AND client_id = ?",
            (owner, now + self.lease_seconds, owner, portal, client_id),
        )
        return True

    def renew(self, portal: str, owner: str) -> None:
        """Extend every lease ``owner`` holds on the portal, and mark its runs as alive."""
        with self._tx() as sql:
            now = self._now(sql)
            sql(
                "UPDATE clients SET lease_until = ? WHERE portal = ? AND lease_owner = ?",
                (now + self.lease_seconds, portal, owner),
            )
            # A run swept as interrupted while its beats could not reach the journal (a network
            # cut longer than a lease) is alive after all: it shows as running again, so a Stop
            # reaches it. A finished run is never revived (finish_run stamps finished_at).
            sql(
                "UPDATE runs SET heartbeat_at = ?, status = 'running' WHERE portal = ? AND owner = ?"
                " AND (status = 'running' OR (status = 'interrupted' AND finished_at IS NULL))",
                (now, portal, owner),
            )

    def release(self, portal: str, client_id: str, owner: str) -> None:
        self._write(
            lambda sql: sql(
                "UPDATE clients SET lease_owner = NULL, lease_until = NULL"
                " WHERE portal = ? AND client_id = ? AND lease_owner = ?",
                (portal, client_id, owner),
            )
        )

    def holds(self, portal: str, client_id: str, owner: str) -> bool:
        """True while ``owner`` still holds the client's lease (a fence before each step)."""
        rows = self._query(
            "SELECT lease_owner FROM clients WHERE portal = ? AND client_id = ?", [portal, client_id]
        )
        return bool(rows) and rows[0]["lease_owner"] == owner

    def holder(self, portal: str, client_id: str) -> str | None:
        """The live owner of the client's lease, if any."""
        with self._tx() as sql:
            now = self._now(sql)
            rows = sql(
                "SELECT lease_owner, lease_until FROM clients WHERE portal = ? AND client_id = ?",
                (portal, client_id),
            )
        if not rows or rows[0]["lease_owner"] is None:
            return None
        owner: str = rows[0]["lease_owner"]
        if (rows[0]["lease_until"] or 0) < now or not self._owner_alive(owner):
            return None
        return owner

    def mark_abandoned_runs(self) -> int:
        """Runs still 'running' whose owner is gone (killed) become 'interrupted'."""
        with self._tx() as sql:
            now = self._now(sql)
            stale = sql(
                "SELECT run_id, owner, started_at, heartbeat_at FROM runs WHERE status = 'running'", ()
            )
            dead = [r["run_id"] for r in stale if self._run_is_dead(r, now)]
            for run_id in dead:
                sql(
                    "UPDATE runs SET status = 'interrupted' WHERE run_id = ? AND status = 'running'",
                    (run_id,),
                )
        return len(dead)

    # -- events --------------------------------------------------------------------------------

    def add_event(
        self, run_id: str, portal: str, client_id: str, step: str, outcome: str, detail: str = ""
    ) -> None:
        self._write(lambda sql: self._insert_event(sql, run_id, portal, client_id, step, outcome, detail))

    def _insert_event(
        self, sql: Execute, run_id: str, portal: str, client_id: str, step: str, outcome: str, detail: str
    ) -> None:
        sql(
            "INSERT INTO events (run_id, portal, client_id, step, outcome, detail, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, portal, client_id, step, outcome, redact(detail), self._clock()),
        )

    def events(self, run_id: str, *, after_id: int = 0, client_id: str | None = None) -> list[EventRecord]:
        query = (
            "SELECT id, run_id, client_id, step, outcome, detail, at FROM events WHERE run_id = ? AND id > ?"
        )
        args: list[Any] = [run_id, after_id]
        if client_id:
            query += " AND client_id = ?"
            args.append(client_id)
        return [EventRecord(**r) for r in self._query(query + " ORDER BY id", args)]

    def run_client_ids(self, run_id: str) -> list[str]:
        rows = self._query("SELECT DISTINCT client_id FROM events WHERE run_id = ?", [run_id])
        return [r["client_id"] for r in rows]

    # -- CRM deliveries ------------------------------------------------------------------------

    def record_delivery(
        self, portal: str, client_id: str, key: str, status: str, attempts: int, detail: str
    ) -> None:
        with self._tx() as sql:
            sql(
                "INSERT INTO deliveries (portal, client_id, key, status, attempts, detail, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (portal, client_id) DO UPDATE SET"
                " key = excluded.key, status = excluded.status, attempts = excluded.attempts,"
                " detail = excluded.detail, at = excluded.at",
                (portal, client_id, key, status, attempts, redact(detail), self._clock()),
            )

    def delivery(self, portal: str, client_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM deliveries WHERE portal = ? AND client_id = ?", [portal, client_id])
        return rows[0] if rows else None

    def deliveries(self, portal: str) -> dict[str, dict[str, Any]]:
        return {r["client_id"]: r for r in self._query("SELECT * FROM deliveries WHERE portal = ?", [portal])}

    # -- webhook notices (one per client and event type) -----------------------------------------

    def record_notice(
        self, portal: str, client_id: str, event: str, key: str, status: str, detail: str = ""
    ) -> None:
        with self._tx() as sql:
            sql(
                "INSERT INTO notices (portal, client_id, event, key, status, detail, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (portal, client_id, event) DO UPDATE SET"
                " key = excluded.key, status = excluded.status, detail = excluded.detail,"
                " at = excluded.at",
                (portal, client_id, event, key, status, redact(detail), self._clock()),
            )

    def notice(self, portal: str, client_id: str, event: str) -> dict[str, Any] | None:
        rows = self._query(
            "SELECT * FROM notices WHERE portal = ? AND client_id = ? AND event = ?",
            [portal, client_id, event],
        )
        return rows[0] if rows else None

    def failed_notices(self, portal: str) -> list[dict[str, Any]]:
        return self._query(
            "SELECT * FROM notices WHERE portal = ? AND status = 'failed' ORDER BY at, client_id, event",
            [portal],
        )

    def notices(self, portal: str) -> list[dict[str, Any]]:
        return self._query("SELECT * FROM notices WHERE portal = ? ORDER BY at, client_id, event", [portal])


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(ids), IN_CHUNK):
        yield ids[i : i + IN_CHUNK]
