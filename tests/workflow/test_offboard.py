"""Offboarding over HTTP against the sandbox: whatever state the room is in, nobody is left in it."""

from __future__ import annotations

from support.engine import Client, Harness, make_clients

from onboarding.journal import SqliteJournal
from onboarding.workflow.aftercare import Aftercare

OWNER = "owner@sandbox.example"


def _room(harness: Harness, client_id: str) -> dict:
    return next(r for r in harness.rooms() if f"client:{client_id}" in r["tags"])


def _onboarded(harness: Harness, n: int = 1) -> list[Client]:
    clients = make_clients(n)
    assert harness.engine().run(clients).exit_code == 0
    return clients


def _status(harness: Harness, client_id: str) -> str:
    rec = SqliteJournal(harness.journal_path).get("sandbox-test", client_id)
    assert rec is not None
    return rec.status


def test_offboard_of_an_archived_room_removes_the_members_and_links_all_the_same(harness: Harness) -> None:
    """A room archived before the offboard (by `archive`, or by hand in DocSpace) is emptied too: the
    portal refuses share and link changes in the Archive, so offboard unarchives it, removes every
    member but the owner and every link, and archives it again."""
    by_command, by_hand = _onboarded(harness, 2)
    engine = harness.engine()
    engine.archive(by_command.client_id)
    api = harness.client()
    api.wait_operation(api.archive_room(_room(harness, by_hand.client_id)["id"]))
    for c in (by_command, by_hand):
        assert len(_room(harness, c.client_id)["members"]) == 3  # owner, manager, client
        Aftercare(harness.engine(), None).offboard(c.client_id)
        room = _room(harness, c.client_id)
        assert room["archived"], c.client_id
        assert [m["email"] for m in room["members"]] == [OWNER], c.client_id
        assert room["links"] == [], c.client_id
        assert _status(harness, c.client_id) == "offboarded"
