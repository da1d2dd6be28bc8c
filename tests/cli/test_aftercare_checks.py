"""After-onboarding commands over HTTP against the sandbox: setup mistakes and partial input are
refused with a specific message instead of an all-clear, and change nothing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from crm.test_webhook import Receiver
from support.engine import Harness, make_clients, write_csv

from onboarding import cli
from onboarding.docspace import FileShare, Invitation


def _onboard(env: list[str], tmp_path: Path, n: int) -> list[str]:
    clients = make_clients(n)
    assert cli.main(["run", str(write_csv(tmp_path / "c.csv", clients)), *env]) == 0
    return [c.client_id for c in clients]


def _room_id(harness: Harness, cid: str) -> int:
    return next(r["id"] for r in harness.rooms() if f"client:{cid}" in r["tags"])


@pytest.mark.parametrize("command", ["audit", "repair", "check-joins"])
def test_an_empty_journal_is_a_setup_mistake_not_an_all_clear(
    command: str, env: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """audit, repair and check-joins over a journal with no clients (a mistyped --journal) exit 2
    and say so, rather than "0 client(s) differ"."""
    assert cli.main([command, *env]) == 2
    assert "the journal has no clients: nothing to" in capsys.readouterr().err


def test_another_address_of_the_portal_is_named(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The journal's clients were onboarded through 127.0.0.1: an audit given localhost for the same
    portal exits 2 naming the address (and count) the journal has, instead of finding nothing."""
    _onboard(env, tmp_path, 2)
    alias = ["--portal", harness.sandbox.url.replace("127.0.0.1", "localhost"), *env[2:]]
    capsys.readouterr()
    assert cli.main(["audit", *alias]) == 2
    err = capsys.readouterr().err
    assert "the journal has no clients of http://localhost:" in err
    assert f"only of {harness.sandbox.url} (2)" in err


def test_accept_stores_all_of_its_items_or_none(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two --accept items, the second no difference now: exit 2, nothing stored (Carl is still
    reported), and the message lists the room's differences as they were; then Carl, accepted
    at Editor, raised to Content creator, is reported again."""
    (cid,) = _onboard(env, tmp_path, 1)
    api = harness.client()
    carl = api.find_user_by_email("carl.user@sandbox.example")
    assert carl is not None
    api.share_room(_room_id(harness, cid), [Invitation(access=FileShare.EDITING, user_id=carl.id)])
    capsys.readouterr()
    item = "member carl.user@sandbox.example"
    assert cli.main(["audit", "--accept", f"{cid}:{item}", "--accept", f"{cid}:link", *env]) == 2
    err = capsys.readouterr().err
    assert f"'link' is not a difference of {cid} now (its differences: {item}); nothing was accepted" in err
    assert cli.main(["audit", "--json", *env]) == 1
    (found,) = json.loads(capsys.readouterr().out)["clients"]
    assert [d["item"] for d in found["differences"]] == [item]
    assert cli.main(["audit", "--accept", f"{cid}:{item}", *env]) == 0
    api.share_room(_room_id(harness, cid), [Invitation(access=FileShare.CONTENT_CREATOR, user_id=carl.id)])
    capsys.readouterr()
    assert cli.main(["audit", "--json", *env]) == 1
    (found,) = json.loads(capsys.readouterr().out)["clients"]
    assert found["differences"] == [{"item": item, "expected": "not a member", "found": "Content creator"}]


def test_a_selected_client_that_is_not_onboarded_is_said_to_be_left_out(
    env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`audit --select` and `repair --select` naming an offboarded client say it was left out
    (only onboarded clients are audited), rather than a bare "0 client(s) differ"."""
    first, second = _onboard(env, tmp_path, 2)
    assert cli.main(["offboard", first, *env]) == 0
    capsys.readouterr()
    assert cli.main(["audit", "--select", f"{first},{second}", *env]) == 0
    assert f"{first}: offboarded, so not audited (only onboarded clients are)" in capsys.readouterr().err
    assert cli.main(["repair", "--select", first, *env]) == 0
    assert f"{first}: offboarded, so not repaired" in capsys.readouterr().err


def test_accepting_a_renamed_room_adopts_its_title_and_tells_the_crm(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], hook: Receiver
) -> None:
    """A room renamed in DocSpace, its "title" difference accepted: the journal (export, details,
    invitation e-mail) takes the new title, the CRM gets one client.updated naming it, and a
    later run that finishes the client again (a new e-mail) keeps it, so audits still match."""
    (cid,) = _onboard(env, tmp_path, 1)
    api = harness.client()
    api.call("PUT", f"files/rooms/{_room_id(harness, cid)}", body={"title": "Acme (renamed by hand)"})
    capsys.readouterr()
    assert cli.main(["audit", "--json", *env]) == 1
    (found,) = json.loads(capsys.readouterr().out)["clients"]
    assert [d["item"] for d in found["differences"]] == ["title"]
    assert cli.main(["audit", "--accept", f"{cid}:title", *env]) == 0
    target = tmp_path / "export.csv"
    assert cli.main(["export", "-o", str(target), *env]) == 0
    assert "Acme (renamed by hand)" in target.read_text(encoding="utf-8")
    updated = [p for p in hook.accepted.values() if p["type"] == "client.updated"]
    assert [p["client"]["room_title"] for p in updated] == ["Acme (renamed by hand)"]
    (client,) = make_clients(1)  # then a new e-mail, updated: the run finishes the client again
    moved = dataclasses.replace(client, email="new.contact@client.example")
    sheet = write_csv(tmp_path / "moved.csv", [moved])
    assert cli.main(["run", str(sheet), "--on-conflict", "update", *env]) == 0
    assert cli.main(["export", "-o", str(target), *env]) == 0
    assert "Acme (renamed by hand)" in target.read_text(encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["audit", *env]) == 0


def test_archiving_or_offboarding_a_client_that_never_got_a_room_says_so(
    env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A client blocked before its room (its manager is no portal user): archive and offboard exit 2
    saying it has no room, with its journal status, not "portal error" (exit 1)."""
    (client,) = make_clients(1, manager="nobody@nowhere.example")
    assert cli.main(["run", str(write_csv(tmp_path / "c.csv", [client])), *env]) == 1
    capsys.readouterr()
    for command in ("archive", "offboard"):
        assert cli.main([command, client.client_id, *env]) == 2
        err = capsys.readouterr().err
        assert f"client '{client.client_id}' has no room on the portal (in the journal: blocked)" in err, err
