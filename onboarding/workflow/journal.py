"""The journal: an SQLite file that remembers every run, every client and every step's remote ids.

It is what makes runs resumable after anything, ``kill -9`` included (WAL mode, one commit per
step outcome), what stops two runs from onboarding the same client at once (a lease per client,
taken in a single UPDATE, renewed by a heartbeat, and free as soon as its owner's process is
gone), and what the results table and the CRM export are read from.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

LEASE_SECONDS = 30.0
"""How long a claim on a client lasts without a heartbeat (a run renews it every few seconds)."""

# Client statuses, in the journal and everywhere else.
PENDING, RUNNING, DONE, FAILED, DEFERRED, ARCHIVED, BLOCKED = (
    "pending",
    "running",
    "onboarded",
    "failed",
    "deferred",
    "archived",
    "blocked",
)


def make_owner_id() -> str:
    """``host:pid:random`` — lets another process tell whether a lease's owner still lives."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_alive(owner: str) -> bool:
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


@dataclass
class ClientRecord:
    """One client's row in the journal."""

    portal: str
    client_id: str
    name: str = ""
    email: str = ""
    manager_email: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    tag: str = ""
    status: str = PENDING
    step: str = ""
    error: str = ""
    progress: dict[str, Any] = field(default_factory=dict)
    room_id: int | None = None
    room_title: str = ""
    room_url: str = ""
    link_url: str = ""
    link_expires: str = ""
    run_id: str = ""
    onboarded_at: float | None = None
    onboarded_by: str = ""
    updated_at: float = 0.0
    lease_owner: str | None = None
    lease_until: float | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ClientRecord:
        return cls(**_decode(row, "extra", "progress"))


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    portal: str
    actor: str
    kind: str
    started_at: float
    finished_at: float | None
    status: str
    owner: str
    total: int
    summary: dict[str, Any]
    blueprint: dict[str, Any]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> RunRecord:
        return cls(**_decode(row, "summary", "blueprint"))


@dataclass(frozen=True)
class EventRecord:
    id: int
    run_id: str
    client_id: str
    step: str
    outcome: str
    detail: str
    at: float


_UPDATABLE = {
    "name",
    "email",
    "manager_email",
    "extra",
    "tag",
    "status",
    "step",
    "error",
    "progress",
    "room_id",
    "room_title",
    "room_url",
    "link_url",
    "link_expires",
    "run_id",
    "onboarded_at",
    "onboarded_by",
}


class Journal:
    """Thread-safe access to one journal file (one connection, one lock, short transactions)."""

    def __init__(self, path: str | Path, *, clock: Any = time.time) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), timeout=30.0, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 30000")
        self._set_wal()
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._tx() as db:
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    db.execute(stmt)

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

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: it takes the write lock up front, so claims cannot interleave."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, tuple(args)))

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
        with self._tx() as db:
            db.execute(
                "INSERT INTO runs (run_id, portal, actor, kind, started_at, status, owner, total, blueprint)"
                " VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)",
                (run_id, portal, actor, kind, self._clock(), owner, total, json.dumps(blueprint)),
            )
        return run_id

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
                (self._clock(), status, json.dumps(summary), run_id),
            )

    def runs(self, portal: str | None = None, limit: int = 50) -> list[RunRecord]:
        sql = (
            "SELECT * FROM runs"
            + (" WHERE portal = ?" if portal else "")
            + " ORDER BY started_at DESC LIMIT ?"
        )
        args: list[Any] = [portal] if portal else []
        return [RunRecord.from_row(r) for r in self._query(sql, [*args, limit])]

    def run(self, run_id: str) -> RunRecord | None:
        rows = self._query("SELECT * FROM runs WHERE run_id = ?", [run_id])
        return RunRecord.from_row(rows[0]) if rows else None

    def mark_abandoned_runs(self) -> int:
        """Runs still 'running' whose process is gone (killed) become 'interrupted'."""
        stale = [r for r in self._query("SELECT run_id, owner FROM runs WHERE status = 'running'")]
        dead = [r["run_id"] for r in stale if not _owner_alive(r["owner"])]
        with self._tx() as db:
            for run_id in dead:
                db.execute(
                    "UPDATE runs SET status = 'interrupted' WHERE run_id = ? AND status = 'running'",
                    (run_id,),
                )
        return len(dead)

    # -- clients -------------------------------------------------------------------------------

    def get(self, portal: str, client_id: str) -> ClientRecord | None:
        rows = self._query("SELECT * FROM clients WHERE portal = ? AND client_id = ?", [portal, client_id])
        return ClientRecord.from_row(rows[0]) if rows else None

    def get_many(self, portal: str, client_ids: Iterable[str]) -> dict[str, ClientRecord]:
        ids = list(client_ids)
        out: dict[str, ClientRecord] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._query(
                f"SELECT * FROM clients WHERE portal = ? AND client_id IN ({marks})", [portal, *chunk]
            ):
                rec = ClientRecord.from_row(row)
                out[rec.client_id] = rec
        return out

    def clients(self, portal: str | None = None, *, run_id: str | None = None) -> list[ClientRecord]:
        where, args = [], []
        if portal:
            where.append("portal = ?")
            args.append(portal)
        if run_id:
            where.append("client_id IN (SELECT DISTINCT client_id FROM events WHERE run_id = ?)")
            args.append(run_id)
        sql = (
            "SELECT * FROM clients"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY updated_at"
        )
        return [ClientRecord.from_row(r) for r in self._query(sql, args)]

    def upsert_client(self, portal: str, client_id: str, **fields: Any) -> None:
        """Create the client's row if missing and set the given fields (input data, status...)."""
        bad = set(fields) - _UPDATABLE
        if bad:
            raise ValueError(f"unknown journal fields: {sorted(bad)}")
        values = {k: _encode(v) for k, v in fields.items()}
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO clients (portal, client_id, updated_at) VALUES (?, ?, ?)",
                (portal, client_id, self._clock()),
            )
            if values:
                sets = ", ".join(f"{k} = ?" for k in values)
                db.execute(
                    f"UPDATE clients SET {sets}, updated_at = ? WHERE portal = ? AND client_id = ?",
                    (*values.values(), self._clock(), portal, client_id),
                )

    def claim(self, portal: str, client_id: str, owner: str) -> bool:
        """Take the client's lease for ``owner``; False when another live run holds it."""
        now = self._clock()
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO clients (portal, client_id, updated_at) VALUES (?, ?, ?)",
                (portal, client_id, now),
            )
            row = db.execute(
                "SELECT lease_owner, lease_until FROM clients WHERE portal = ? AND client_id = ?",
                (portal, client_id),
            ).fetchone()
            holder, until = row["lease_owner"], row["lease_until"]
            free = holder is None or holder == owner or (until or 0) < now or not _owner_alive(holder)
            if not free:
                return False
            db.execute(
                "UPDATE clients SET lease_owner = ?, lease_until = ? WHERE portal = ? AND client_id = ?",
                (owner, now + LEASE_SECONDS, portal, client_id),
            )
            return True

    def renew(self, portal: str, owner: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE clients SET lease_until = ? WHERE portal = ? AND lease_owner = ?",
                (self._clock() + LEASE_SECONDS, portal, owner),
            )

    def release(self, portal: str, client_id: str, owner: str) -> None:
        with self._tx() as db:
            db.execute(
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
        rec = self.get(portal, client_id)
        if rec is None or rec.lease_owner is None:
            return None
        if (rec.lease_until or 0) < self._clock() or not _owner_alive(rec.lease_owner):
            return None
        return rec.lease_owner

    # -- events --------------------------------------------------------------------------------

    def add_event(
        self, run_id: str, portal: str, client_id: str, step: str, outcome: str, detail: str = ""
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO events (run_id, portal, client_id, step, outcome, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, portal, client_id, step, outcome, detail, self._clock()),
            )

    def events(self, run_id: str, *, after_id: int = 0, client_id: str | None = None) -> list[EventRecord]:
        sql = (
            "SELECT id, run_id, client_id, step, outcome, detail, at FROM events WHERE run_id = ? AND id > ?"
        )
        args: list[Any] = [run_id, after_id]
        if client_id:
            sql += " AND client_id = ?"
            args.append(client_id)
        return [EventRecord(**dict(r)) for r in self._query(sql + " ORDER BY id", args)]

    def run_client_ids(self, run_id: str) -> list[str]:
        rows = self._query("SELECT DISTINCT client_id FROM events WHERE run_id = ?", [run_id])
        return [r["client_id"] for r in rows]

    # -- CRM deliveries ------------------------------------------------------------------------

    def record_delivery(
        self, portal: str, client_id: str, key: str, status: str, attempts: int, detail: str
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO deliveries (portal, client_id, key, status, attempts, detail, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (portal, client_id) DO UPDATE SET"
                " key = excluded.key, status = excluded.status, attempts = excluded.attempts,"
                " detail = excluded.detail, at = excluded.at",
                (portal, client_id, key, status, attempts, detail, self._clock()),
            )

    def delivery(self, portal: str, client_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM deliveries WHERE portal = ? AND client_id = ?", [portal, client_id])
        return dict(rows[0]) if rows else None

    def deliveries(self, portal: str) -> dict[str, dict[str, Any]]:
        return {
            r["client_id"]: dict(r)
            for r in self._query("SELECT * FROM deliveries WHERE portal = ?", [portal])
        }


def _decode(row: sqlite3.Row, *json_columns: str) -> dict[str, Any]:
    """A row as a dict, with its JSON columns parsed."""
    data = dict(row)
    for column in json_columns:
        data[column] = json.loads(data[column] or "{}")
    return data


def _encode(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value
