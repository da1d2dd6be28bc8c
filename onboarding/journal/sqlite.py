"""The embedded journal: one SQLite file per machine, nothing to set up.

It is what makes runs resumable after anything, ``kill -9`` included (WAL mode, one commit per
step outcome), and what stops two runs on this machine from onboarding the same client at once:
a lease per client, taken in a single IMMEDIATE transaction, renewed by a heartbeat, and free as
soon as its owner's process is gone (a same-host pid check; other hosts wait for the expiry).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from onboarding.journal.protocol import LEASE_SECONDS
from onboarding.journal.records import ClientRecord
from onboarding.journal.sql import Execute, Row, SqlJournal

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    portal      TEXT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT 'run',
    started_at  REAL NOT NULL,
    finished_at REAL,
    status      TEXT NOT NULL DEFAULT 'running',
    owner       TEXT NOT NULL DEFAULT '',
    total       INTEGER NOT NULL DEFAULT 0,
    summary     TEXT NOT NULL DEFAULT '{}',
    blueprint   TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS clients (
    portal        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    manager_email TEXT NOT NULL DEFAULT '',
    extra         TEXT NOT NULL DEFAULT '{}',
    tag           TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'pending',
    step          TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    progress      TEXT NOT NULL DEFAULT '{}',
    room_id       INTEGER,
    room_title    TEXT NOT NULL DEFAULT '',
    room_url      TEXT NOT NULL DEFAULT '',
    link_url      TEXT NOT NULL DEFAULT '',
    link_expires  TEXT NOT NULL DEFAULT '',
    run_id        TEXT NOT NULL DEFAULT '',
    onboarded_at  REAL,
    onboarded_by  TEXT NOT NULL DEFAULT '',
    updated_at    REAL NOT NULL,
    lease_owner   TEXT,
    lease_until   REAL,
    PRIMARY KEY (portal, client_id)
);
CREATE TABLE IF NOT EXISTS events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id    TEXT NOT NULL,
    portal    TEXT NOT NULL,
    client_id TEXT NOT NULL,
    step      TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT '',
    at        REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    portal       TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    key          TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    detail       TEXT NOT NULL DEFAULT '',
    at           REAL NOT NULL,
    PRIMARY KEY (portal, client_id)
);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id, id);
CREATE INDEX IF NOT EXISTS clients_run ON clients (run_id);
"""


def owner_alive(owner: str) -> bool:
    """False only when ``owner`` names a process on this host that has exited (or is a zombie)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine: trust the lease's expiry instead
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


class SqliteJournal(SqlJournal):
    """Thread-safe access to one journal file (one connection, one lock, short transactions)."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self.lease_seconds = lease_seconds
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), timeout=30.0, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 30000")
        self._set_wal()
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._tx() as sql:
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    sql(stmt, ())

    def _set_wal(self) -> None:
        """Switch to WAL; two processes opening a new journal at once may briefly lock each other.

        Changing the journal mode needs an exclusive lock and does not wait on ``busy_timeout``,
        so the switch is tried again for a few seconds before giving up.
        """
        deadline = time.monotonic() + 10.0
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def describe(self) -> str:
        return str(self.path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _execute(self, sql: str, args: Iterable[Any] = ()) -> list[Row]:
        return [dict(r) for r in self._db.execute(sql, tuple(args))]

    @contextmanager
    def _tx(self) -> Iterator[Execute]:
        """One IMMEDIATE transaction: it takes the write lock up front, so claims cannot interleave."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._execute
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[Row]:
        with self._lock:
            return self._execute(sql, args)

    # -- runs whose process is gone ----------------------------------------------------------------

    def mark_abandoned_runs(self) -> int:
        """Runs still 'running' whose process is gone (killed) become 'interrupted'."""
        stale = self._query("SELECT run_id, owner FROM runs WHERE status = 'running'")
        dead = [r["run_id"] for r in stale if not owner_alive(r["owner"])]
        with self._tx() as sql:
            for run_id in dead:
                sql(
                    "UPDATE runs SET status = 'interrupted' WHERE run_id = ? AND status = 'running'",
                    (run_id,),
                )
        return len(dead)

    # -- leases --------------------------------------------------------------------------------

    def claim(self, portal: str, client_id: str, owner: str) -> bool:
        """Take the client's lease for ``owner``; False when another live run holds it."""
        now = self._clock()
        with self._tx() as sql:
            self._ensure_client(sql, portal, client_id)
            row = sql(
                "SELECT lease_owner, lease_until FROM clients WHERE portal = ? AND client_id = ?",
                (portal, client_id),
            )[0]
            holder, until = row["lease_owner"], row["lease_until"]
            free = holder is None or holder == owner or (until or 0) < now or not owner_alive(holder)
            if not free:
                return False
            sql(
                "UPDATE clients SET lease_owner = ?, lease_until = ? WHERE portal = ? AND client_id = ?",
                (owner, now + self.lease_seconds, portal, client_id),
            )
            return True

    def renew(self, portal: str, owner: str) -> None:
        with self._tx() as sql:
            sql(
                "UPDATE clients SET lease_until = ? WHERE portal = ? AND lease_owner = ?",
                (self._clock() + self.lease_seconds, portal, owner),
            )

    def release(self, portal: str, client_id: str, owner: str) -> None:
        with self._tx() as sql:
            sql(
                "UPDATE clients SET lease_owner = NULL, lease_until = NULL"
                " WHERE portal = ? AND client_id = ? AND lease_owner = ?",
                (portal, client_id, owner),
            )

    def holds(self, portal: str, client_id: str, owner: str) -> bool:
        """True while ``owner`` still holds the client's lease (a fence before each step)."""
        rows = self._query(
            "SELECT lease_owner FROM clients WHERE portal = ? AND client_id = ?", [portal, client_id]
        )
        return bool(rows) and rows[0]["lease_owner"] == owner

    def holder(self, portal: str, client_id: str) -> str | None:
        """The live owner of the client's lease, if any."""
        rec: ClientRecord | None = self.get(portal, client_id)
        if rec is None or rec.lease_owner is None:
            return None
        if (rec.lease_until or 0) < self._clock() or not owner_alive(rec.lease_owner):
            return None
        return rec.lease_owner
