"""Secrets never reach a log line, whatever a library writes."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from onboarding.journal import SqliteJournal
from onboarding.redact import RedactingFilter, redact, register_secret


def test_api_key_shapes_and_bearer_tokens_are_masked() -> None:
    """Anything shaped like a DocSpace key or a Bearer token is masked."""
    assert redact("auth=sk-abc123DEF456 ok") == "auth=sk-*** ok"
    assert redact("Authorization: Bearer eyJhbGciOi.x.y") == "Authorization: Bearer ***"


def test_registered_secret_is_masked_in_messages_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A registered secret is masked in the formatted message and in exception text."""
    register_secret("whsec-verysecretvalue")
    log = logging.getLogger("test.redact")
    log.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="test.redact"):
        log.info("posting with %s", "whsec-verysecretvalue")
        try:
            raise ValueError("boom whsec-verysecretvalue")
        except ValueError:
            log.exception("failed")
    text = caplog.text
    assert "whsec-verysecretvalue" not in text
    assert "posting with ***" in text


def test_journal_write_points_store_messages_masked(tmp_path: Path) -> None:
    """Errors, event details, delivery notes and run summaries reach the journal file masked."""
    secret = "registered-secret-for-journal-1234"
    register_secret(secret)
    leak = f"proxy said Authorization: Bearer sk-{'q' * 30} and {secret}"
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    run_id = journal.start_run(portal="p", actor="t", owner="o", total=1, blueprint={})
    journal.upsert_client("p", "C1", name="n", status="failed", error=leak, run_id=run_id)
    journal.add_event(run_id, "p", "C1", "room", "failed", leak)
    journal.record_delivery("p", "C1", "k", "failed", 1, leak)
    journal.finish_run(run_id, "failed", {"error": leak})
    journal.close()
    db = sqlite3.connect(tmp_path / "j.sqlite3")
    stored = "\n".join(
        str(row)
        for table in ("clients", "events", "deliveries", "runs")
        for row in db.execute(f"SELECT * FROM {table}")
    )
    db.close()
    assert stored.count("proxy said") == 4
    assert secret not in stored and "q" * 30 not in stored


def test_records_of_any_logger_are_masked_for_handlers_added_after_install() -> None:
    """A child logger's record (message, traceback, stack) is masked even by a handler added later."""
    import io

    from onboarding.redact import install

    register_secret("pg-pass-W0rth-Hiding")
    install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # added after install(): no filter of ours on it
    log = logging.getLogger("test.redact.late")
    log.propagate, log.level = False, logging.INFO
    log.addHandler(handler)
    try:
        try:
            raise RuntimeError("lost pg-pass-W0rth-Hiding")
        except RuntimeError:
            log.exception("queued run %s failed", "pg-pass-W0rth-Hiding", stack_info=True)
    finally:
        log.removeHandler(handler)
    text = stream.getvalue()
    assert "pg-pass-W0rth-Hiding" not in text
    assert "queued run *** failed" in text and "RuntimeError: lost ***" in text
