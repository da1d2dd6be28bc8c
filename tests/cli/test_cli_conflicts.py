"""A reused client id with another name or e-mail is a conflict: reported, never run, resolved on request."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
from crm.test_webhook import Receiver
from support.engine import Client, Harness, make_clients, write_csv

from onboarding import cli


@pytest.fixture
def onboarded(env: list[str], tmp_path: Path) -> list[Client]:
    """Two clients onboarded through the CLI (the journal knows their names and e-mails)."""
    clients = make_clients(2)
    assert cli.main(["run", str(write_csv(tmp_path / "first.csv", clients)), *env]) == 0
    return clients


def _record(tmp_path: Path, client_id: str) -> tuple[str, str, str]:
    with sqlite3.connect(tmp_path / "j.sqlite3") as db:
        row = db.execute(
            "SELECT name, email, status FROM clients WHERE client_id = ?", (client_id,)
        ).fetchone()
    return (row[0], row[1], row[2])


def test_plan_json_reports_a_reused_id_as_a_conflict_with_both_values(
    onboarded: list[Client],
    env: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`plan --json` says "conflict" for a reused id with another name and shows the journal's and the row's."""
    second = [onboarded[0], dataclasses.replace(onboarded[1], name="Firma 2 Ärzte & Co")]
    capsys.readouterr()
    assert cli.main(["plan", "--json", str(write_csv(tmp_path / "second.csv", second)), *env]) == 1
    rows = {r["client_id"]: r for r in json.loads(capsys.readouterr().out)["clients"]}
    assert rows[second[0].client_id]["action"] == "done"
    conflict = rows[second[1].client_id]
    assert conflict["action"] == "conflict"
    assert conflict["journal"] == {"name": onboarded[1].name}
    assert conflict["row"] == {"name": "Firma 2 Ärzte & Co"}


def test_plan_text_shows_both_e_mails_side_by_side(
    onboarded: list[Client],
    env: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The plain plan prints the journal's and the file's e-mail on one line for a conflict."""
    second = [dataclasses.replace(onboarded[0], email="new@elsewhere.example")]
    capsys.readouterr()
    assert cli.main(["plan", str(write_csv(tmp_path / "second.csv", second)), *env]) == 1
    out = capsys.readouterr().out
    assert "\tconflict\t" in out
    assert f"email: journal {onboarded[0].email!r} | file 'new@elsewhere.example'" in out


def test_run_creates_nothing_for_a_conflict_and_exits_1(
    onboarded: list[Client],
    harness: Harness,
    env: list[str],
    tmp_path: Path,
) -> None:
    """`run` on a reused id writes nothing to the portal, keeps the journal's record, and exits 1."""
    second = [dataclasses.replace(onboarded[1], name="Firma 2 Ärzte & Co", email="info@firma2.example")]
    before = len(harness.writes_logged())
    assert cli.main(["run", str(write_csv(tmp_path / "second.csv", second)), *env]) == 1
    assert len(harness.writes_logged()) == before
    assert _record(tmp_path, onboarded[1].client_id) == (onboarded[1].name, onboarded[1].email, "onboarded")


def test_on_conflict_skip_leaves_the_row_out_and_exits_0(
    onboarded: list[Client],
    harness: Harness,
    env: list[str],
    tmp_path: Path,
) -> None:
    """`--on-conflict skip` runs the rest, writes nothing for the conflicting row, and exits 0."""
    second = [dataclasses.replace(onboarded[1], name="Firma 2 Ärzte & Co"), *make_clients(1, prefix="N")]
    assert cli.main(["run", "--on-conflict", "skip", str(write_csv(tmp_path / "s.csv", second)), *env]) == 0
    assert _record(tmp_path, onboarded[1].client_id)[0] == onboarded[1].name
    assert _record(tmp_path, "N-0001")[2] == "onboarded"


def test_on_conflict_update_invites_the_new_address_and_updates_the_record(
    onboarded: list[Client],
    harness: Harness,
    env: list[str],
    tmp_path: Path,
) -> None:
    """`--on-conflict update` with a changed e-mail invites the new address, takes the replaced
    address's access away (a departed contact must not keep reading the room) and records it; no
    new room. Running it again changes nothing."""
    second = [dataclasses.replace(onboarded[0], email="new.contact@client0001.example")]
    rooms = len(harness.rooms())
    assert cli.main(["run", "--on-conflict", "update", str(write_csv(tmp_path / "u.csv", second)), *env]) == 0
    assert len(harness.rooms()) == rooms
    assert _record(tmp_path, onboarded[0].client_id) == (
        onboarded[0].name,
        "new.contact@client0001.example",
        "onboarded",
    )
    bodies = json.dumps([r.get("body") for r in harness.writes_logged()])
    assert "new.contact@client0001.example" in bodies
    room = next(r for r in harness.rooms() if f"client:{onboarded[0].client_id}" in r["tags"])
    members = {m["email"] for m in room["members"]}
    assert "new.contact@client0001.example" in members and onboarded[0].email not in members
    writes = len(harness.writes_logged())
    assert cli.main(["run", str(write_csv(tmp_path / "u.csv", second)), *env]) == 0
    assert len(harness.writes_logged()) == writes


def test_hand_over_gives_a_room_to_the_rows_new_account_manager(
    onboarded: list[Client],
    harness: Harness,
    env: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A row naming another account manager: `plan` says the room keeps the old one; `run`
    without `--hand-over` changes nothing and says how; `run --hand-over` hands it over (new
    manager in, old one out) and prints that; `plan --json` shows the change."""
    ben = "ben.manager@sandbox.example"
    sheet = write_csv(tmp_path / "m.csv", [dataclasses.replace(onboarded[0], manager_email=ben)])
    capsys.readouterr()
    assert cli.main(["plan", str(sheet), *env]) == 0
    assert "unless the room is handed over" in capsys.readouterr().out
    assert cli.main(["plan", "--json", "--hand-over", str(sheet), *env]) == 0
    (row,) = json.loads(capsys.readouterr().out)["clients"]
    assert row["manager_change"] == {"journal": onboarded[0].manager_email, "row": ben, "handed_over": True}
    writes = len(harness.writes_logged())
    assert cli.main(["run", str(sheet), *env]) == 0
    assert "`--hand-over` hands them over" in capsys.readouterr().err
    assert len(harness.writes_logged()) == writes
    assert cli.main(["run", "--hand-over", str(sheet), *env]) == 0
    said = capsys.readouterr().err
    assert (
        f"{onboarded[0].client_id}: room handed over to {ben} ({onboarded[0].manager_email} removed)" in said
    )
    room = next(r for r in harness.rooms() if f"client:{onboarded[0].client_id}" in r["tags"])
    members = {m["email"]: m["access"] for m in room["members"]}
    assert members.get(ben) == 9 and onboarded[0].manager_email not in members, members


def test_the_crm_is_told_once_when_a_record_changes(
    hook: Receiver, onboarded: list[Client], env: list[str], tmp_path: Path
) -> None:
    """A hand-over and an e-mail update each send one `client.updated` with the new row (the
    CRM's copy is out of date; `client.onboarded` is not sent again); the same run repeated
    sends nothing more."""
    ben = "ben.manager@sandbox.example"
    moved = [
        dataclasses.replace(onboarded[0], manager_email=ben),
        dataclasses.replace(onboarded[1], email="new@c2.example"),
    ]
    sheet = write_csv(tmp_path / "m.csv", moved)
    assert cli.main(["run", "--hand-over", "--on-conflict", "update", str(sheet), *env]) == 0
    assert cli.main(["run", "--hand-over", "--on-conflict", "update", str(sheet), *env]) == 0
    updates = {
        p["client"]["client_id"]: p["client"] for p in hook.accepted.values() if p["type"] == "client.updated"
    }
    assert set(updates) == {onboarded[0].client_id, onboarded[1].client_id}
    assert updates[onboarded[0].client_id]["account_manager"] == ben
    assert updates[onboarded[1].client_id]["client_email"] == "new@c2.example"
    assert (
        sum(1 for p in hook.accepted.values() if p["type"] == "client.onboarded") == 2
    )  # at onboarding only
    assert all(hook.attempts[k] == 1 for k, p in hook.accepted.items() if p["type"] == "client.updated")


def test_a_room_handed_back_and_forth_tells_the_crm_each_time(
    hook: Receiver, onboarded: list[Client], env: list[str], tmp_path: Path
) -> None:
    """Anna → Ben → Anna → Ben: three `client.updated` with three keys (a receiver that drops
    repeated keys must not drop the third as a repeat of the first), each with the manager then."""
    managers = ["ben.manager@sandbox.example", "anna.manager@sandbox.example", "ben.manager@sandbox.example"]
    for i, manager in enumerate(managers):
        sheet = write_csv(tmp_path / f"h{i}.csv", [dataclasses.replace(onboarded[0], manager_email=manager)])
        assert cli.main(["run", "--hand-over", str(sheet), *env]) == 0
    updates = [
        p["client"]["account_manager"] for p in hook.accepted.values() if p["type"] == "client.updated"
    ]
    assert updates == managers
