"""Resuming: runs that die, runs that race, and rooms that vanished between runs keep one room per client."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable
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
from onboarding.docspace import FileShare, Invitation
from onboarding.journal import DONE, ClientRecord
from onboarding.workflow.retry import RetryPolicy

MANAGER = "anna.manager@sandbox.example"


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


def _delete_only_room(harness: Harness) -> None:
    """Archive and delete the portal's one room, as someone might by hand."""
    api = harness.client()
    (room,) = harness.rooms()
    api.wait_operation(api.archive_room(room["id"]))
    api.wait_operation(api.delete_room(room["id"]))


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


def _rerun_after_deleting_the_room(harness: Harness, clients: list[Client]) -> None:
    """Delete the client's room by hand, run again: one new room, the client onboarded."""
    _delete_only_room(harness)
    again = harness.engine().run(clients)
    assert again.exit_code == 0, again.errors
    one_room_per_client(harness.rooms(), clients, _tag)


def test_a_deleted_room_is_created_again(harness: Harness) -> None:
    """A client whose room was deleted on the portal gets a new room instead of being reported done."""
    clients = make_clients(1)
    engine = harness.engine()
    assert engine.run(clients).exit_code == 0
    _rerun_after_deleting_the_room(harness, clients)


def test_a_failed_client_whose_room_vanished_completes(harness: Harness) -> None:
    """Stale progress pointing at a room that no longer exists is discarded, not retried forever."""
    clients = make_clients(1)
    harness.sandbox.set_faults(
        {
            "rules": [
                {
                    "method": "PUT",
                    "path": r"^/api/2.0/files/rooms/\d+/share$",
                    "fault": "error500",
                    "times": 99,
                }
            ]
        }
    )
    first = harness.engine(retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.001)).run(clients)
    assert first.exit_code == 1
    harness.sandbox.set_faults(None)
    _rerun_after_deleting_the_room(harness, clients)


def test_rolled_back_client_whose_room_is_gone_is_created_again(harness: Harness) -> None:
    """After archive and deletion of its room, a rolled-back client plans as create, with a reason shown."""
    clients = make_clients(1)
    engine = harness.engine()
    assert engine.run(clients).exit_code == 0
    room_id = engine.archive("C-0001")
    api = harness.client()
    api.wait_operation(api.delete_room(room_id))
    (cp,) = harness.engine().plan(clients).clients
    assert cp.action == "create" and any("created again" in w for w in cp.warnings)


def _take_tag_off(harness: Harness) -> int:
    """Remove every tag from the portal's one room, as a person might in DocSpace; its id."""
    (room,) = harness.rooms()
    api = harness.client()
    api.call("PUT", f"files/rooms/{room['id']}", body={"tags": []})
    assert harness.rooms()[0]["tags"] == []
    return int(room["id"])


def _fail_at(harness: Harness, clients: list[Client], method: str, path: str) -> None:
    """A first run whose ``method`` calls to ``path`` (a regex) all answer 500: its clients fail
    there, with the steps before it done; the portal then answers normally again."""
    harness.sandbox.set_faults(
        {"rules": [{"method": method, "path": path, "fault": "error500", "times": 99}]}
    )
    first = harness.engine(retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.001)).run(clients)
    assert set(first.statuses.values()) == {"failed"}
    harness.sandbox.set_faults(None)


def _fail_at_share(harness: Harness, clients: list[Client]) -> None:
    _fail_at(harness, clients, "PUT", r"/share$")


def test_a_finished_client_whose_room_lost_its_tag_gets_no_second_room(harness: Harness) -> None:
    """Tag taken off an onboarded client's room: the rerun keeps it done, says so, makes no room."""
    clients = make_clients(1)
    assert harness.engine().run(clients).exit_code == 0
    room_id = _take_tag_off(harness)
    (cp,) = harness.engine().plan(clients).clients
    assert cp.action == "done" and any(f"room {room_id}" in w and "tag" in w for w in cp.warnings)
    again = harness.engine().run(clients)
    assert again.exit_code == 0 and again.statuses == {"C-0001": DONE}
    assert [r["id"] for r in harness.rooms()] == [room_id]


def test_an_unfinished_client_whose_room_lost_its_tag_is_blocked_not_given_a_second_room(
    harness: Harness,
) -> None:
    """Tag taken off a failed client's room: the plan blocks it with the fix; no second room."""
    clients = make_clients(1)
    _fail_at_share(harness, clients)
    room_id = _take_tag_off(harness)
    again = harness.engine().run(clients)
    assert again.statuses == {"C-0001": "blocked"}
    assert f"room {room_id}" in again.errors["C-0001"] and "put the tag back" in again.errors["C-0001"]
    assert [r["id"] for r in harness.rooms()] == [room_id]


def test_a_room_made_and_untagged_after_the_plan_is_not_made_again(harness: Harness) -> None:
    """A stale plan (made before another run's room, since untagged) fails the client; no second room."""
    clients = make_clients(1)
    stale = harness.engine()
    plan = stale.plan(clients)  # no room yet: the plan says create
    _fail_at_share(harness, clients)  # another run makes the room and records it, then fails
    room_id = _take_tag_off(harness)
    again = stale.run(plan)
    assert again.statuses == {"C-0001": "failed"}
    assert "put the tag back" in again.errors["C-0001"]
    assert [r["id"] for r in harness.rooms()] == [room_id]


def test_a_room_another_run_makes_between_the_tag_look_up_and_the_journal_read_is_resumed(
    harness: Harness,
) -> None:
    """Another run makes (and tags) the room after this plan's tag look-up but before it reads the
    journal: the plan resumes that room instead of blocking the client as if its tag had been taken
    off (two operators starting together saw "blocked"); one room, the client onboarded."""
    clients = make_clients(1)
    engine = harness.engine()
    read_journal = engine.journal.get_many

    def other_run_first(portal: str, client_ids: Iterable[str]) -> dict[str, ClientRecord]:
        if not harness.rooms():
            _fail_at_share(harness, clients)  # another run makes the room, records it, then fails
        return read_journal(portal, client_ids)

    engine.journal.get_many = other_run_first  # type: ignore[method-assign]
    (cp,) = engine.plan(clients).clients
    assert cp.action == "resume", cp.reasons
    (room,) = harness.rooms()
    again = harness.engine().run(clients)
    assert again.statuses == {"C-0001": DONE}, again.errors
    assert [r["id"] for r in harness.rooms()] == [room["id"]]


def _delete_folder(harness: Harness, title: str) -> None:
    """Delete a folder of the portal's one room for good, as a person might in DocSpace."""
    api = harness.client()
    (room,) = harness.rooms()
    folder = next(f for f in api.folder_contents(room["id"]).folders if f.title == title)
    api.settle_operations(api.delete_folder(folder.id))
    assert title not in [f["title"] for f in harness.rooms()[0]["folders"]]


def test_a_folder_deleted_before_a_resume_is_made_again_before_the_client_counts_as_onboarded(
    harness: Harness,
) -> None:
    """Folders and files done, access failed, a folder deleted by hand: the resume makes it and
    its copies again, once, instead of recording the client onboarded without them."""
    clients = make_clients(1)
    _fail_at_share(harness, clients)
    _delete_folder(harness, "Deliverables")
    again = harness.engine().run(clients)
    assert again.exit_code == 0, again.errors
    one_room_per_client(harness.rooms(), clients, _tag)


def test_a_folder_deleted_before_its_copies_were_made_does_not_fail_every_resume(harness: Harness) -> None:
    """Copies failed, then their folder was deleted by hand: the resume makes the folder again and
    copies into it, instead of failing on the recorded (gone) folder's id on every run."""
    clients = make_clients(1)
    _fail_at(harness, clients, "POST", r"copyas$")
    _delete_folder(harness, "Deliverables")
    again = harness.engine().run(clients)
    assert again.exit_code == 0, again.errors
    one_room_per_client(harness.rooms(), clients, _tag)


def test_a_manager_removed_before_a_resume_is_invited_again_in_that_run(harness: Harness) -> None:
    """Access done, link failed, the manager removed by hand: the resume invites the manager again
    and onboards the client, instead of failing verification once before the next run fixes it."""
    clients = make_clients(1)
    _fail_at(harness, clients, "PUT", r"/links$")
    api = harness.client()
    (room,) = harness.rooms()
    manager = next(m.user.id for m in api.room_members(room["id"]) if m.user and m.user.email == MANAGER)
    api.share_room(room["id"], [Invitation(access=FileShare.NONE, user_id=manager)], notify=False)
    again = harness.engine().run(clients)
    assert again.exit_code == 0, again.errors
    one_room_per_client(harness.rooms(), clients, _tag)
    assert {m["email"]: m["access"] for m in harness.rooms()[0]["members"]}.get(MANAGER) == 9
