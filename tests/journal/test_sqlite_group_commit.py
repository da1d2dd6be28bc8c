"""The SQLite journal commits writes that arrive together in one transaction, each all-or-nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from onboarding.journal import LeaseLost
from onboarding.journal.sqlite import SqliteJournal

PORTAL = "p"


def _commits(journal: SqliteJournal) -> list[str]:
    seen: list[str] = []
    journal._db.set_trace_callback(lambda stmt: seen.append(stmt) if stmt.startswith("COMMIT") else None)
    return seen


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.001)


def _in_threads(journal: SqliteJournal, jobs: list[Callable[[], None]]) -> list[BaseException | None]:
    """Runs each job on its own thread while the journal's lock is held, then lets them commit."""
    outcomes: list[BaseException | None] = [None] * len(jobs)

    def run(i: int) -> None:
        try:
            jobs[i]()
        except BaseException as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    with journal._lock:  # every write queues up behind the lock
        for t in threads:
            t.start()
        _wait_for(lambda: len(journal._waiting) == len(jobs), "the writes did not queue")
    for t in threads:
        t.join(10)
    return outcomes


def test_writes_arriving_together_share_one_commit(tmp_path: Path) -> None:
    """60 threads' step writes (with events) queued at once land in one commit, every one of them."""
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    for i in range(60):
        assert journal.claim(PORTAL, f"C{i}", "run-a")
    commits = _commits(journal)

    def step(i: int) -> Callable[[], None]:
        return lambda: journal.upsert_client(
            PORTAL,
            f"C{i}",
            fence="run-a",
            events=[("r1", "room", "done", f"room {i}")],
            progress={"room": {"id": i}},
        )

    outcomes = _in_threads(journal, [step(i) for i in range(60)])
    assert outcomes == [None] * 60
    assert len(commits) == 1
    other = sqlite3.connect(tmp_path / "j.sqlite3")  # what another process reads: committed data
    rows = other.execute("SELECT client_id, progress FROM clients ORDER BY client_id").fetchall()
    assert len(rows) == 60 and all(f'"id": {cid[1:]}' in prog for cid, prog in rows)
    assert other.execute("SELECT COUNT(*) FROM events WHERE run_id = 'r1'").fetchone()[0] == 60


def test_a_failing_write_is_rolled_back_alone(tmp_path: Path) -> None:
    """In a shared commit, a write whose lease was taken over raises LeaseLost; the others are kept."""
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    for i in range(3):
        assert journal.claim(PORTAL, f"C{i}", "run-a")
    journal.release(PORTAL, "C1", "run-a")
    assert journal.claim(PORTAL, "C1", "run-b")  # C1 is run-b's now

    def step(i: int) -> Callable[[], None]:
        return lambda: journal.upsert_client(
            PORTAL, f"C{i}", fence="run-a", events=[("r1", "room", "done", "")], status="running"
        )

    outcomes = _in_threads(journal, [step(0), step(1), step(2)])
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], LeaseLost)
    assert [e.client_id for e in journal.events("r1")] == ["C0", "C2"]  # nothing of C1's write
    held = journal.get(PORTAL, "C1")
    assert held is not None and held.status != "running"


def test_a_write_alone_still_commits_before_returning(tmp_path: Path) -> None:
    """One thread's write is committed (seen by another connection) when its call returns."""
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    assert journal.claim(PORTAL, "C0", "run-a")
    journal.add_event("r1", PORTAL, "C0", "room", "started")
    other = sqlite3.connect(tmp_path / "j.sqlite3")
    assert other.execute("SELECT outcome FROM events").fetchall() == [("started",)]
    with pytest.raises(ValueError, match="unknown journal fields"):
        journal.upsert_client(PORTAL, "C0", nonsense=1)


class Interrupted(BaseException):
    """Stands for Ctrl-C inside one write of a shared commit."""


def test_a_failed_shared_commit_fails_every_write_with_its_own_error(tmp_path: Path) -> None:
    """When the shared transaction fails, nothing of it is written; one thread sees the cause, the rest an error each."""
    journal = SqliteJournal(tmp_path / "j.sqlite3")

    def interrupted() -> None:
        def work(sql: object) -> None:
            raise Interrupted

        journal._write(work)

    jobs = [lambda: journal.add_event("r1", PORTAL, "C0", "room", "done"), interrupted,
            lambda: journal.add_event("r1", PORTAL, "C2", "room", "done")]  # fmt: skip
    outcomes = _in_threads(journal, jobs)
    causes = [o for o in outcomes if isinstance(o, Interrupted)]
    shared = [o for o in outcomes if isinstance(o, sqlite3.OperationalError)]
    assert len(causes) == 1 and len(shared) == 2  # the committing thread re-raises the cause
    assert shared[0] is not shared[1] and "shared commit failed" in str(shared[0])
    assert journal.events("r1") == []
