"""`run` when another run is onboarding some of its clients right now: it waits, then finishes them."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from support.engine import Harness, make_clients, write_csv
from support.waiting import wait_until

from onboarding import cli
from onboarding.docspace import PortalAddress
from onboarding.journal import SqliteJournal
from onboarding.journal.protocol import make_owner_id


def _hold(tmp_path: Path, harness: Harness, client_id: str) -> tuple[SqliteJournal, str, str]:
    """Another live process of this machine (this test's) takes the client's lease."""
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    portal, owner = PortalAddress.parse(harness.sandbox.url).base, make_owner_id()
    assert journal.claim(portal, client_id, owner)
    return journal, portal, owner


def _locked_once(journal: SqliteJournal, client_id: str) -> bool:
    return any(
        e.outcome == "locked" and e.client_id == client_id
        for r in journal.runs()
        for e in journal.events(r.run_id)
    )


def test_run_waits_for_a_client_another_run_holds_then_onboards_it(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A client held by another live run is waited for: once that run lets it go, a follow-up run
    onboards it, the whole batch ends onboarded (exit 0) with one room per client."""
    clients = make_clients(3)
    sheet = write_csv(tmp_path / "c.csv", clients)
    held = clients[1].client_id
    journal, portal, owner = _hold(tmp_path, harness, held)
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(cli.main(["run", str(sheet), *env])))
    runner.start()
    wait_until(lambda: _locked_once(journal, held), timeout=60)
    journal.release(portal, held, owner)
    runner.join(timeout=60)
    assert codes == [0]
    captured = capsys.readouterr()
    assert "1 client held by another run: waiting for it to let it go" in captured.err
    assert "another run is onboarding this client" not in captured.err.split("waiting for it")[1]
    assert (
        captured.out.count("\nrun ") + captured.out.startswith("run ") == 2
    )  # the batch, then the follow-up
    assert sorted(tag for r in harness.rooms() for tag in r["tags"]) == sorted(
        f"client:{c.client_id}" for c in clients
    )
    assert {r.client_id: r.status for r in journal.clients(portal)} == {
        c.client_id: "onboarded" for c in clients
    }


def test_no_wait_leaves_a_held_client_locked(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --no-wait a held client is left to the run that has it: named, exit 1, no room for it."""
    clients = make_clients(2)
    sheet = write_csv(tmp_path / "c.csv", clients)
    held = clients[0].client_id
    _hold(tmp_path, harness, held)
    assert cli.main(["run", str(sheet), *env, "--no-wait"]) == 1
    err = capsys.readouterr().err
    assert f"{held}: another run is onboarding this client right now" in err
    assert "waiting for it" not in err
    assert [r["tags"] for r in harness.rooms()] == [[f"client:{clients[1].client_id}"]]
