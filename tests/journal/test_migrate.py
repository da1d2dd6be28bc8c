"""``docspace-onboard journal migrate``: a SQLite journal copied into PostgreSQL without loss."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import postgres
from support.engine import make_clients

import docspace_sandbox
from onboarding import Onboarding, Settings
from onboarding.cli import main
from onboarding.journal import DONE, SqliteJournal
from onboarding.journal.postgres import PostgresJournal


def _onboard_into_sqlite(sb: docspace_sandbox.Sandbox, path: Path) -> None:
    settings = Settings(portal_url=sb.url, api_key=sb.api_key, journal_path=path)
    with Onboarding(settings, actor="before") as door:
        assert door.run(make_clients(5)).exit_code == 0
        door.archive("C-0002")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onboarding.cli", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_migrate_copies_everything_and_status_and_export_agree(
    portal: docspace_sandbox.Sandbox, pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records, runs, events and deliveries arrive whole; `status` and `export` read the same on both."""
    db = tmp_path / "journal.sqlite3"
    _onboard_into_sqlite(portal, db)
    source = SqliteJournal(db)
    source.record_delivery(portal.url, "C-0001", "k1", "delivered", 1, "HTTP 200")
    assert main(["journal", "migrate", "--from", str(db), "--to", pg_url]) == 0
    printed = capsys.readouterr().out
    assert "events:" in printed and postgres.PASSWORD not in printed and ":***@" in printed

    target = PostgresJournal(pg_url)
    try:
        assert target.clients() == source.clients()
        assert target.runs() == source.runs()
        for run in source.runs():
            assert [(e.client_id, e.step, e.outcome, e.detail) for e in target.events(run.run_id)] == [
                (e.client_id, e.step, e.outcome, e.detail) for e in source.events(run.run_id)
            ]
        assert target.deliveries(portal.url) == source.deliveries(portal.url)
        assert {r.status for r in target.clients()} == {DONE, "archived"}
    finally:
        target.close()
        source.close()

    env = {"DOCSPACE_API_KEY": portal.api_key, "DOCSPACE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for command in (["status"], ["export", "--format", "csv"]):
        on_file = _cli(*command, "--portal", portal.url, "--journal", str(db), env=env)
        on_pg = _cli(*command, "--portal", portal.url, "--journal", pg_url, env=env)
        assert on_file.returncode == on_pg.returncode == 0, on_pg.stderr
        assert on_file.stdout == on_pg.stdout and on_file.stdout.strip()
        assert postgres.PASSWORD not in on_pg.stdout + on_pg.stderr


def test_migrating_again_copies_nothing_twice(
    portal: docspace_sandbox.Sandbox, pg_url: str, tmp_path: Path
) -> None:
    """A second migrate of the same journal adds no rows and still verifies."""
    db = tmp_path / "journal.sqlite3"
    _onboard_into_sqlite(portal, db)
    assert main(["journal", "migrate", "--from", str(db), "--to", pg_url]) == 0
    assert main(["journal", "migrate", "--from", str(db), "--to", pg_url]) == 0
    source, target = SqliteJournal(db), PostgresJournal(pg_url)
    try:
        assert len(target.clients()) == len(source.clients()) == 5
        runs = source.runs()
        assert sum(len(target.events(r.run_id)) for r in runs) == sum(
            len(source.events(r.run_id)) for r in runs
        )
    finally:
        source.close()
        target.close()


def test_migrate_refuses_one_journal_as_both_ends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Copying a journal onto itself is a usage error, not a silent no-op."""
    path = str(tmp_path / "j.sqlite3")
    assert main(["journal", "migrate", "--from", path, "--to", path]) == 2
    assert "same journal" in capsys.readouterr().err


def test_a_hostile_column_name_in_the_source_is_refused_before_any_sql_is_built(tmp_path: Path) -> None:
    """A source journal with a column name that is SQL is refused; nothing reaches the target."""
    import sqlite3

    from onboarding.journal.migrate import MigrationError, copy_journal

    src_path = tmp_path / "hostile.sqlite3"
    source = SqliteJournal(src_path)
    source.start_run(portal="https://p.example", actor="a", owner="o", total=1, blueprint={})
    source.close()
    with sqlite3.connect(src_path) as db:
        db.execute("""ALTER TABLE runs ADD COLUMN "actor) VALUES (?) --" TEXT""")
    source, target = SqliteJournal(src_path), SqliteJournal(tmp_path / "target.sqlite3")
    try:
        with pytest.raises(MigrationError, match="no journal has"):
            copy_journal(source, target)
        assert target.runs() == []
    finally:
        source.close()
        target.close()
