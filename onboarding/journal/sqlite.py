"""The embedded journal: one SQLite file per machine, nothing to set up.

It is what makes runs resumable after anything, ``kill -9`` included (WAL mode, every step
outcome committed before the portal call that follows it; clients whose writes arrive together
share a commit), and what stops two runs on this machine from onboarding the same client at once:
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from onboarding import files
from onboarding.journal import schema
from onboarding.journal.base import Execute, Row
from onboarding.journal.protocol import LEASE_SECONDS
from onboarding.journal.sql import SqlJournal

T = TypeVar("T")


@dataclass
class _Write(Generic[T]):
    """One thread's write waiting to be committed, and how it ended."""

    work: Callable[[Execute], T]
    done: bool = False
    result: T | None = None
    error: BaseException | None = None


def _shared_failure(cause: BaseException) -> sqlite3.OperationalError:
    """The error a write gets when the transaction it shared with others failed."""
    error = sqlite3.OperationalError(f"the journal's shared commit failed: {type(cause).__name__}: {cause}")
    error.__cause__ = cause
    return error


def _has_clients(sql: Execute) -> bool:
    return bool(sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'clients'", ()))


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
        if str(path) != ":memory:":  # created private: it holds client details and invitation links
            files.private_file(self.path, what="journal")
        self._clock = clock
        self.lease_seconds = lease_seconds
        self._lock = threading.RLock()
        self._waiting: list[_Write[Any]] = []
        self._waiting_lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=30.0, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 30000")
        self._set_wal()
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._tx() as sql:
            schema.upgrade(sql, schema.steps_for(schema.SQLITE_TYPES), where=str(path), legacy=_has_clients)

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

    def _write(self, work: Callable[[Execute], T]) -> T:
        """Writes of threads arriving together commit together, each in a savepoint of its own.

        Why: when a tag look-up answers, up to 100 clients finish at once, and each commit took
        the journal's lock in turn, giving up the interpreter lock inside SQLite six times per
        transaction: 100 such writes took 31 ms from 100 threads against 15 ms from one. Here the
        thread that gets the lock commits every write waiting by then in one transaction; the
        others find theirs done. A write that raises is rolled back to its savepoint alone and
        its thread gets the exception; each returns only after the commit (on disk before the
        portal call that follows it, as before).
        """
        mine: _Write[T] = _Write(work)
        with self._waiting_lock:
            self._waiting.append(mine)
        with self._lock:
            if not mine.done:
                self._commit_waiting(mine)
        if mine.error is not None:
            raise mine.error
        return mine.result  # type: ignore[return-value]  # set when done without an error

    def _commit_waiting(self, mine: _Write[Any]) -> None:
        """Under the lock: every waiting write in one transaction (a savepoint each).

        If the transaction fails, this thread raises what failed it; every other waiting thread
        gets an error of its own (not the same object, whose traceback would be shared), and an
        interrupt of this thread (Ctrl-C) reaches the others as an ordinary error.
        """
        with self._waiting_lock:
            batch, self._waiting = self._waiting, []
        committed = False
        try:
            with self._tx() as sql:
                for each in batch:
                    self._db.execute("SAVEPOINT one_write")
                    try:
                        each.result = each.work(sql)
                    except Exception as exc:
                        self._db.execute("ROLLBACK TO one_write")
                        each.error = exc
                    self._db.execute("RELEASE one_write")
            committed = True
        except BaseException as exc:
            if not committed:  # none of the batch is written
                for each in batch:
                    each.result = None
                    each.error = exc if each is mine else _shared_failure(exc)
            raise
        finally:
            for each in batch:
                each.done = True

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[Row]:
        with self._lock:
            return self._execute(sql, args)

    # -- liveness: a same-host owner's process -------------------------------------------------

    def _owner_alive(self, owner: str) -> bool:
        return owner_alive(owner)

    def _run_is_dead(self, run: Row, now: float) -> bool:
        """Only a run whose process is gone: a file journal has no heartbeat on other hosts' runs."""
        return not owner_alive(run["owner"])
