"""Issue 11, item 1, done-when: two CLI runs with separate journals on one 150-client file converge.

Two people each run ``docspace-onboard run`` from their own machine at the same moment. The sandbox
is paused until both processes have a request waiting, so both plan before either creates a room;
whatever the interleaving after that, each client must end with exactly one active, complete room,
both runs exit 0, and both journals point every client at that room.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.engine import cli_run, make_clients, one_room_per_client, write_csv
from support.waiting import wait_until

import docspace_sandbox
from onboarding.journal import SqliteJournal


@pytest.mark.slow
def test_two_cli_runs_with_separate_journals_leave_one_active_complete_room_per_client(
    tmp_path: Path,
) -> None:
    """150 clients, two CLI processes, two journals, started together: one active, complete room each."""
    clients = make_clients(150)
    sheet = write_csv(tmp_path / "clients.csv", clients)
    sb = docspace_sandbox.start(port=0)
    procs: list[subprocess.Popen[str]] = []
    try:
        sb.pause()
        for name in ("alice", "bob"):
            cmd, env = cli_run(sb, sheet, tmp_path / f"{name}.sqlite3", tmp_path / name)
            procs.append(
                subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            )
        wait_until(lambda: sb.in_flight() >= 2, timeout=60)  # both processes are talking to the portal
        sb.resume()
        outputs = [p.communicate(timeout=300) for p in procs]
        for p, (out, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, out[-2000:] + err[-4000:]

        rooms = sb.state()["rooms"]
        active = [r for r in rooms if not r["archived"]]
        one_room_per_client(active, clients, lambda c: f"client:{c.client_id}")
        winners = {
            c.client_id: next(r["id"] for r in active if f"client:{c.client_id}" in r["tags"])
            for c in clients
        }
        for name in ("alice", "bob"):
            recs = SqliteJournal(tmp_path / f"{name}.sqlite3").clients()
            assert {r.client_id: r.room_id for r in recs if r.status == "onboarded"} == winners, name
        for r in rooms:  # every other room was archived, none deleted
            assert r["archived"] or r["id"] in winners.values()
    finally:
        sb.resume()
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        sb.stop()
