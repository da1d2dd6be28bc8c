"""Chaos: 300 clients through 5xx, 429, lost responses and latency, one SIGKILL and a resume.

At the end every client has exactly one room with each folder and file once, members and link
verified, and the journal and the export are complete. The faults are drawn from a seeded
generator in the sandbox; what varies between runs is only which request a fault lands on.
"""

from __future__ import annotations

import csv
import io
import subprocess
import time
from pathlib import Path

import pytest
from support.engine import Client, cli_run, make_clients, one_room_per_client, run_and_kill, write_csv

import docspace_sandbox
from onboarding.journal import SqliteJournal

FAULTS = "error5xx=0.10,error429=0.05,drop=0.03,latency_ms=3,seed=7"
N = 300


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


@pytest.mark.slow
def test_chaos_300_clients_with_faults_and_a_kill_end_with_one_room_each(tmp_path: Path) -> None:
    """300 clients, 10% 5xx, 5% 429, 3% lost responses, SIGKILL mid-batch, resume: nothing doubled."""
    clients = make_clients(N)
    sheet = write_csv(tmp_path / "clients.csv", clients)
    journal = tmp_path / "journal.sqlite3"
    out = tmp_path / "results.csv"
    sb = docspace_sandbox.start(port=0, faults=FAULTS)
    cmd, env = cli_run(sb, sheet, journal, tmp_path, DOCSPACE_RETRY_ATTEMPTS="12")
    try:
        started = time.monotonic()
        killed_at = run_and_kill(cmd, env, sb, rooms=N // 3)
        resume = subprocess.run(
            [*cmd, "--export", str(out)], env=env, capture_output=True, text=True, timeout=600
        )
        elapsed = time.monotonic() - started
        assert resume.returncode == 0, resume.stdout[-2000:] + resume.stderr[-4000:]

        rooms = sb.state()["rooms"]
        one_room_per_client(rooms, clients, _tag)
        for c in clients:
            room = next(r for r in rooms if _tag(c) in r["tags"])
            members = {m["email"]: m["access"] for m in room["members"]}
            assert members.get("anna.manager@sandbox.example") == 9, c.client_id
            assert members.get(c.email) == 2, c.client_id

        recs = SqliteJournal(journal).clients()
        assert sorted(r.client_id for r in recs if r.status == "onboarded") == sorted(
            c.client_id for c in clients
        )
        assert all(r.progress.get("verify") for r in recs)
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert len(rows) == N
        assert all(r["status"] == "onboarded" and r["room_id"] and r["client_link"] for r in rows)
        log = sb.request_log()
        faults = {}
        for entry in log:
            if entry.get("fault"):
                faults[entry["fault"]] = faults.get(entry["fault"], 0) + 1
        print(
            f"\nchaos: {N} clients, killed at {killed_at} rooms, {len(log)} requests, faults {faults}, {elapsed:.1f}s"
        )
    finally:
        sb.stop()
