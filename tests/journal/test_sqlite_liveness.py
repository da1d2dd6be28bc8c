"""The journal's claims: one live owner per client; a dead owner's claim is free at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from onboarding.journal import SqliteJournal


def test_second_owner_cannot_claim_a_held_client(tmp_path: Path) -> None:
    """While one run holds a client, another run's claim fails."""
    j = SqliteJournal(tmp_path / "j.db")
    assert j.claim("p", "c1", "host:1:a")
    j2 = SqliteJournal(tmp_path / "j.db")
    assert not j2.claim("p", "c1", f"{__import__('socket').gethostname()}:{__import__('os').getpid()}:b")


def test_claim_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    """A claim whose owner process has exited (e.g. killed) is free immediately."""
    import socket

    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = f"{socket.gethostname()}:{proc.stdout.strip()}:x"
    j = SqliteJournal(tmp_path / "j.db")
    assert j.claim("p", "c1", dead)
    assert j.claim("p", "c1", f"{socket.gethostname()}:{__import__('os').getpid()}:live")


def test_expired_claim_is_free(tmp_path: Path) -> None:
    """A claim not renewed within the lease time is free even if its owner may live elsewhere."""
    now = [1000.0]
    j = SqliteJournal(tmp_path / "j.db", clock=lambda: now[0])
    assert j.claim("p", "c1", "otherhost:1:a")
    assert not j.claim("p", "c1", "otherhost:2:b")
    now[0] += 31
    assert j.claim("p", "c1", "otherhost:2:b")


def test_client_progress_round_trips(tmp_path: Path) -> None:
    """Progress documents and extra columns are stored and read back as dicts."""
    j = SqliteJournal(tmp_path / "j.db")
    j.upsert_client("p", "c1", progress={"room": {"id": 5}}, extra={"Industry": "Retail"}, status="running")
    rec = j.get("p", "c1")
    assert rec is not None
    assert rec.progress == {"room": {"id": 5}} and rec.extra == {"Industry": "Retail"}
