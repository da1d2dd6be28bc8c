"""What only the PostgreSQL journal does: database-clock liveness, a masked address, a pool."""

from __future__ import annotations

import logging
import time

import pytest
from support import postgres
from support.waiting import wait_until

from onboarding import redact
from onboarding.errors import ConfigError
from onboarding.journal import is_database_url, open_journal
from onboarding.journal.address import mask
from onboarding.journal.postgres import PostgresJournal


def test_a_database_url_opens_postgres_and_shows_no_password(pg_url: str) -> None:
    """``open_journal`` picks PostgreSQL for a postgresql:// address; describe() masks the password."""
    j = open_journal(pg_url)
    try:
        assert isinstance(j, PostgresJournal)
        assert postgres.PASSWORD not in j.describe() and ":***@127.0.0.1" in j.describe()
    finally:
        j.close()


def test_a_wrong_password_is_a_clear_error_without_the_password(pg_url: str) -> None:
    """A refused login says where and why (the server's reason, not the pool's "incomplete after
    N s" once its retries ran out), and never repeats the password."""
    wrong = pg_url.replace(postgres.PASSWORD, "not-the-password-123")
    with pytest.raises(
        ConfigError, match="cannot open the journal at postgresql://onboard:\\*\\*\\*@"
    ) as err:
        PostgresJournal(wrong, connect_timeout=5)
    assert "password authentication failed" in str(err.value)
    assert "not-the-password-123" not in str(err.value)


def test_the_password_is_masked_in_logs(pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Once a journal was opened, its password is masked wherever a log line repeats it."""
    PostgresJournal(pg_url).close()
    redact.install(logging.getLogger("journal-test"))
    with caplog.at_level(logging.INFO, logger="journal-test"):
        logging.getLogger("journal-test").info("connecting to %s", pg_url)
    assert postgres.PASSWORD not in caplog.text and "***" in caplog.text


def test_masking_keeps_everything_but_the_password() -> None:
    """User, host, port, database and options stay readable; only the password is hidden."""
    assert mask("postgresql://u:s3cret@db.example:5433/onb?sslmode=require") == (
        "postgresql://u:***@db.example:5433/onb?sslmode=require"
    )
    assert mask("postgresql://db/onb?user=u&password=s3cret") == "postgresql://db/onb?user=u&password=***"
    assert mask("postgresql://u@db/onb") == "postgresql://u@db/onb"
    assert is_database_url("postgres://x") and not is_database_url("journal.sqlite3")


def test_a_run_without_heartbeat_is_interrupted_by_the_database_clock(pg_url: str) -> None:
    """A 'running' run whose heartbeat stopped for a lease becomes interrupted; a beating one does not."""
    j = PostgresJournal(pg_url, lease_seconds=0.5)
    try:
        quiet = j.start_run(portal="p", actor="a", owner="host-b:1:quiet", total=1, blueprint={})
        beating = j.start_run(portal="p", actor="a", owner="host-a:1:live", total=1, blueprint={})

        def swept() -> bool:
            j.renew("p", "host-a:1:live")
            j.mark_abandoned_runs()
            run = j.run(quiet)
            return run is not None and run.status == "interrupted"

        wait_until(swept, timeout=10)
        live = j.run(beating)
        assert live is not None and live.status == "running"
    finally:
        j.close()


def test_an_unreachable_server_fails_fast_and_clearly() -> None:
    """No server at the address: a ConfigError naming the masked address, within the timeout."""
    with pytest.raises(
        ConfigError, match=r"cannot open the journal at postgresql://u:\*\*\*@127\.0\.0\.1:1/x"
    ):
        PostgresJournal("postgresql://u:hunter22@127.0.0.1:1/x", connect_timeout=2)


def test_a_run_started_on_a_machine_whose_clock_is_behind_stays_running(pg_url: str) -> None:
    """A live run from a machine an hour behind the database is not swept as interrupted at once
    (its liveness is measured on the database's clock), so a Stop from another machine reaches it."""
    behind = PostgresJournal(pg_url, clock=lambda: time.time() - 3600)
    here = PostgresJournal(pg_url)
    try:
        run_id = behind.start_run(portal="p", actor="a", owner="host-b:1:behind", total=1, blueprint={})
        assert here.mark_abandoned_runs() == 0
        run = here.run(run_id)
        assert run is not None and run.status == "running"
        assert here.request_stop(run_id) and behind.stop_requested(run_id)
    finally:
        behind.close()
        here.close()


def test_queued_runs_are_taken_in_queued_order_whatever_the_machines_clocks(pg_url: str) -> None:
    """A batch queued from a machine an hour ahead, then one from a machine on time: a worker takes
    the first one queued first (the queue's order is the database's clock, not each machine's)."""
    ahead = PostgresJournal(pg_url, clock=lambda: time.time() + 3600)
    here = PostgresJournal(pg_url)
    try:
        first = ahead.enqueue("clocks", "ann", {"clients": []})
        second = here.enqueue("clocks", "bob", {"clients": []})
        taken = [here.take_queued("clocks", "w1"), here.take_queued("clocks", "w2")]
        assert [q.queue_id if q else None for q in taken] == [first, second]
    finally:
        ahead.close()
        here.close()


def test_a_run_swept_while_cut_off_is_running_again_at_its_next_beat(pg_url: str) -> None:
    """A run whose beats did not reach the database for a lease (a network cut) is swept as
    interrupted; its next beat shows it running again, so a Stop from another machine reaches it."""
    j = PostgresJournal(pg_url, lease_seconds=0.3)
    other = PostgresJournal(pg_url, lease_seconds=0.3)
    try:
        run_id = j.start_run(portal="p", actor="a", owner="host-a:1:cut", total=1, blueprint={})
        wait_until(lambda: other.mark_abandoned_runs() == 1, timeout=10)
        assert (swept := other.run(run_id)) is not None and swept.status == "interrupted"
        assert not other.request_stop(run_id)
        j.renew("p", "host-a:1:cut")  # the cut heals: the run, still at work, beats again
        assert (back := other.run(run_id)) is not None and back.status == "running"
        assert other.request_stop(run_id) and j.stop_requested(run_id)
        j.finish_run(run_id, "stopped", {})
        j.renew("p", "host-a:1:cut")  # a beat after the end changes nothing
        assert (ended := other.run(run_id)) is not None and ended.status == "stopped"
    finally:
        j.close()
        other.close()
