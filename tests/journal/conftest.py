"""One journal contract, two stores: every test here runs on SQLite and on a real PostgreSQL.

The PostgreSQL server is started by the fixtures (``initdb`` + ``pg_ctl`` on a free loopback
port, in a temporary folder) once per session, with a fresh database per test, and stopped at the
end. Without PostgreSQL installed the PostgreSQL half skips with the reason, except in CI
(``CI=true``), where it fails: the suite must never pass there without having run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import postgres

import docspace_sandbox
from onboarding.journal import Journal, SqliteJournal
from onboarding.journal.postgres import PostgresJournal

OpenJournal = Callable[..., Journal]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL cluster for the session (skips locally without PostgreSQL, fails in CI)."""
    reason = postgres.missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL journal tests: {reason}")
        pytest.skip(reason)
    server = postgres.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: postgres.PostgresServer) -> str:
    """A fresh empty database on the session's server."""
    return pg_server.database()


@pytest.fixture
def portal() -> Iterator[docspace_sandbox.Sandbox]:
    """A sandbox portal on a free loopback port (the portal every process on the journal uses)."""
    sb = docspace_sandbox.start(port=0)
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the journal lives: a file path or a ``postgresql://`` address."""
    if request.param == "sqlite":
        return str(tmp_path / "journal.sqlite3")
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def open_journal(store: str) -> Iterator[OpenJournal]:
    """Opens handles on the test's journal (several handles stand for several processes)."""
    opened: list[Journal] = []

    def make(**kw: Any) -> Journal:
        j: Journal = (
            PostgresJournal(store, **kw) if store.startswith("postgresql://") else SqliteJournal(store, **kw)
        )
        opened.append(j)
        return j

    yield make
    for j in opened:
        j.close()


@pytest.fixture
def journal(open_journal: OpenJournal) -> Journal:
    return open_journal()
