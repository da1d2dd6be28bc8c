"""Shared helpers for engine tests: client rows, a sandbox harness, and state assertions."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docspace_sandbox
from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient
from onboarding.journal import SqliteJournal
from onboarding.workflow.engine import Engine
from onboarding.workflow.retry import RetryPolicy
from onboarding.workflow.steps import ClientStep, StepContext, StepEvent


@dataclass(frozen=True)
class Client:
    """A minimal client row (the engine accepts anything with these attributes)."""

    client_id: str
    name: str
    email: str | None = None
    manager_email: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def make_clients(
    n: int, *, manager: str | None = "anna.manager@sandbox.example", prefix: str = "C"
) -> list[Client]:
    return [
        Client(f"{prefix}-{i:04d}", f"Company {i:04d} Ltd", f"contact{i:04d}@client{i:04d}.example", manager)
        for i in range(1, n + 1)
    ]


@dataclass
class Harness:
    """A sandbox, a client for it, a journal file, and a factory for engines."""

    sandbox: docspace_sandbox.Sandbox
    journal_path: Path
    sleeps: list[float]
    events: list[StepEvent]

    def client(self, read_timeout: float = 5.0) -> DocSpaceClient:
        return DocSpaceClient(self.sandbox.url, self.sandbox.api_key, timeout=(2.0, read_timeout))

    def engine(
        self, blueprint: Blueprint | None = None, *, read_timeout: float = 5.0, **kw: object
    ) -> Engine:
        journal = SqliteJournal(self.journal_path)
        return Engine(
            self.client(read_timeout),
            journal,
            blueprint or Blueprint(),
            portal_key="sandbox-test",
            actor=str(kw.pop("actor", "test")),
            retry=kw.pop("retry", RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)),  # type: ignore[arg-type]
            sleep=kw.pop("sleep", self.sleeps.append),  # type: ignore[arg-type]
            rng=random.Random(7),
            on_event=kw.pop("on_event", self.events.append),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )

    def rooms(self) -> list[dict]:
        return self.sandbox.state()["rooms"]

    def writes_logged(self) -> list[dict]:
        return [r for r in self.sandbox.request_log() if r["method"] in ("POST", "PUT", "DELETE")]


def one_room_per_client(rooms: list[dict], clients: list[Client], tag: Callable[[Client], str]) -> None:
    """Assert that each client has exactly one room, with each folder and file exactly once."""
    for c in clients:
        mine = [r for r in rooms if tag(c) in r["tags"]]
        assert len(mine) == 1, f"{c.client_id}: {len(mine)} rooms"
        room = mine[0]
        titles = sorted(f["title"] for f in room["folders"])
        assert titles == ["Contracts", "Deliverables", "Invoices"], (c.client_id, titles)
        deliverables = next(f for f in room["folders"] if f["title"] == "Deliverables")
        assert sorted(deliverables["files"]) == [
            "How to use the client portal.pdf",
            "Welcome to your client room.pdf",
        ], (c.client_id, deliverables["files"])
        assert len([lk for lk in room["links"] if lk["linkType"] == 0]) == 1, c.client_id


def write_csv(path: Path, clients: list[Client]) -> Path:
    """The clients as a CSV with the headers people use (mapped automatically)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Client ID", "Company", "E-mail address", "Account manager"])
        for c in clients:
            w.writerow([c.client_id, c.name, c.email, c.manager_email or ""])
    return path


def cli_run(
    sb: docspace_sandbox.Sandbox, sheet: Path, journal: Path, data_dir: Path, **env: str
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of ``docspace-onboard run`` against a sandbox."""
    full = {**os.environ, "DOCSPACE_API_KEY": sb.api_key, "DOCSPACE_DATA_DIR": str(data_dir), **env}
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
    return cmd, full


def run_and_kill(cmd: list[str], env: dict[str, str], sb: docspace_sandbox.Sandbox, *, rooms: int) -> int:
    """Start the CLI, SIGKILL it once the portal has ``rooms`` rooms; return how many it had."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(sb.state()["rooms"]) < rooms:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    return len(sb.state()["rooms"])


class StepGate:
    """A step that first says it got there (``reached``) and waits for ``go`` (forces an ordering
    between runs without sleeping)."""

    def __init__(self, step: ClientStep, reached: threading.Event, go: threading.Event) -> None:
        self.step, self.reached, self.go = step, reached, go

    def __getattr__(self, name: str) -> object:
        return getattr(self.step, name)

    def run(self, ctx: StepContext) -> str:
        self.reached.set()
        assert self.go.wait(timeout=60)
        return self.step.run(ctx)
