"""Runs that die, and runs that race: the journal keeps every client to exactly one room."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from enginehelpers import Client, Harness, make_clients, one_room_per_client

import docspace_sandbox
from onboarding.workflow.journal import DONE


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


def write_csv(path: Path, clients: list[Client]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Client ID", "Company", "E-mail address", "Account manager"])
        for c in clients:
            w.writerow([c.client_id, c.name, c.email, c.manager_email or ""])
    return path


def wait_for(condition, timeout: float = 30.0, interval: float = 0.02) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


@pytest.mark.slow
def test_sigkill_mid_batch_then_resume_gives_one_room_per_client(tmp_path: Path) -> None:
    """A CLI run killed with SIGKILL mid-batch, then run again, ends with exactly one room per client."""
    clients = make_clients(40)
    sb = docspace_sandbox.start(port=0, latency_ms=25)
    try:
        sheet = write_csv(tmp_path / "clients.csv", clients)
        journal = tmp_path / "journal.sqlite3"
        env = {**os.environ, "DOCSPACE_API_KEY": sb.api_key, "DOCSPACE_DATA_DIR": str(tmp_path)}
        cmd = [
            sys.executable,
            "-m",
            "onboarding.cli",
            "run",
            str(sheet),
            "--portal",
            sb.url,
            "--journal",
            str(journal),
        ]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: len(sb.state()["rooms"]) >= 10)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == -signal.SIGKILL
        made = len(sb.state()["rooms"])
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
