"""The journal's schema is versioned: created and upgraded by the tool, refused when too new."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from onboarding.journal import Journal, SqliteJournal
from onboarding.journal.schema import SCHEMA_VERSION, SQLITE_TYPES, SchemaTooNew, statements, steps_for


def _version(journal: Journal) -> int:
    rows = journal._query("SELECT version FROM schema_version", [])  # type: ignore[attr-defined]
    assert len(rows) == 1
    return int(rows[0]["version"])


def test_a_new_journal_records_the_current_version(open_journal: Callable[..., Journal]) -> None:
    """Opening an empty store creates the tables and records this tool's schema version, once."""
    open_journal()
    assert _version(open_journal()) == SCHEMA_VERSION


def test_a_newer_schema_is_refused_with_a_clear_message(open_journal: Callable[..., Journal]) -> None:
    """A journal upgraded by a newer tool is refused, saying what to do, and left as it was."""
    j = open_journal()
    j.upsert_client("p", "c1", name="kept")
    with j._tx() as sql:  # type: ignore[attr-defined]
        sql("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaTooNew, match=rf"schema version {SCHEMA_VERSION + 1}.*upgrade the tool") as err:
        open_journal()
    assert "pg-test-" not in str(err.value)
    assert j.get("p", "c1") is not None and _version(j) == SCHEMA_VERSION + 1


def test_a_journal_from_before_versions_is_upgraded_without_loss(tmp_path: Path) -> None:
    """A version-1 SQLite journal (no schema_version table) is upgraded in place, rows kept."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for statement in steps_for(SQLITE_TYPES)[1]:
        db.execute(statement)
    db.execute(
        "INSERT INTO clients (portal, client_id, name, status, updated_at) VALUES ('p', 'c1', 'Old', 'onboarded', 1)"
    )
    db.execute("INSERT INTO runs (run_id, portal, started_at) VALUES ('r1', 'p', 1)")
    db.commit()
    db.close()
    j = SqliteJournal(path)
    rec = j.get("p", "c1")
    assert rec is not None and (rec.name, rec.status) == ("Old", "onboarded")
    assert _version(j) == SCHEMA_VERSION and j.request_stop("r1")
    assert j.claim("p", "c1", "elsewhere:1:a")


def test_statements_split_a_script() -> None:
    """A DDL script splits into its statements, blank ones dropped."""
    assert statements("CREATE TABLE a (x INT);\n\n;CREATE INDEX i ON a (x);") == [
        "CREATE TABLE a (x INT)",
        "CREATE INDEX i ON a (x)",
    ]
