"""Runs that die, and runs that race: the journal keeps every client to exactly one room."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
from support.engine import (
    Client,
    Harness,
    cli_run,
    make_clients,
    one_room_per_client,
    run_and_kill,
    write_csv,
)

import docspace_sandbox
from onboarding.journal import DONE


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


@pytest.mark.slow
def test_sigkill_mid_batch_then_resume_gives_one_room_per_client(tmp_path: Path) -> None:
    """A CLI run killed with SIGKILL mid-batch, then run again, ends with exactly one room per client."""
    clients = make_clients(40)
    sb = docspace_sandbox.start(port=0, latency_ms=25)
    try:
        sheet = write_csv(tmp_path / "clients.csv", clients)
        cmd, env = cli_run(sb, sheet, tmp_path / "journal.sqlite3", tmp_path)
        made = run_and_kill(cmd, env, sb, rooms=10)
        assert made < len(clients), "the run finished before it could be killed"
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
        one_room_per_client(sb.state()["rooms"], clients, _tag)
    finally:
        sb.stop()


def test_two_concurrent_runs_never_onboard_a_client_twice(harness: Harness) -> None:
    """Two runs over the same clients at the same time: one room per client, each onboarded once."""
    clients = make_clients(12)
    results = {}

    def go(name: str) -> None:
        results[name] = harness.engine().run(clients)

    threads = [threading.Thread(target=go, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    one_room_per_client(harness.rooms(), clients, _tag)
    for c in clients:
        statuses = {results["a"].statuses[c.client_id], results["b"].statuses[c.client_id]}
        assert DONE in statuses
        assert statuses <= {DONE, "locked"}
