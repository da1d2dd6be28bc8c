"""A finished client handed to a new account manager: only on request, exactly once, nobody else touched."""

from __future__ import annotations

from support.engine import Client, Harness, make_clients

from onboarding.journal import DONE, SqliteJournal

ANNA, BEN, OWNER = "anna.manager@sandbox.example", "ben.manager@sandbox.example", "owner@sandbox.example"


def _members(harness: Harness, client_id: str) -> dict[str, int]:
    room = next(r for r in harness.rooms() if f"client:{client_id}" in r["tags"])
    return {m["email"]: m["access"] for m in room["members"]}


def test_update_hands_the_room_to_the_new_manager_and_removes_the_previous_one(harness: Harness) -> None:
    """With the record updated, the row's new manager becomes Room manager, the previous one loses
    access, the client keeps theirs, the journal records the new manager, and a second run writes
    nothing (``VirtualRoomsController.SetRoomSecurity``: FileShare.None removes a user's share)."""
    (first,) = make_clients(1)
    assert harness.engine().run([first]).exit_code == 0
    moved = Client(first.client_id, first.name, first.email, BEN)
    engine = harness.engine()
    plan = engine.plan([moved], update=[first.client_id])
    (cp,) = plan.clients
    assert (cp.action, cp.resume_step) == ("resume", "access")
    assert any(f"handed from {ANNA} to {BEN}" in w for w in cp.warnings), cp.warnings
    assert not any("unless the record is updated" in w for w in cp.warnings)
    rooms, writes = len(harness.rooms()), len(harness.writes_logged())
    result = engine.run(plan)
    assert result.exit_code == 0, result.errors
    assert len(harness.rooms()) == rooms
    members = _members(harness, first.client_id)
    assert members.get(BEN) == 9 and ANNA not in members and members[first.email or ""] == 2, members
    assert len(harness.writes_logged()) - writes == 2  # the share for Ben, the removal of Anna
    record = SqliteJournal(harness.journal_path).get("sandbox-test", first.client_id)
    assert record is not None and record.manager_email == BEN and record.status == DONE
    again = harness.engine()
    (cp,) = again.plan([moved], update=[first.client_id]).clients
    assert cp.action == "done" and not any(ANNA in w for w in cp.warnings), cp.warnings
    before = len(harness.writes_logged())
    assert again.run([moved]).exit_code == 0
    assert len(harness.writes_logged()) == before


def test_without_update_a_changed_manager_changes_nothing_on_the_portal(harness: Harness) -> None:
    """A run without the update choice leaves the finished client's room as it is: no write at
    all, the previous manager keeps access, and the plan says how to hand the room over."""
    (first,) = make_clients(1)
    assert harness.engine().run([first]).exit_code == 0
    moved = Client(first.client_id, first.name, first.email, BEN)
    engine = harness.engine()
    (cp,) = engine.plan([moved]).clients
    assert cp.action == "done" and any("unless the record is updated" in w for w in cp.warnings)
    writes = len(harness.writes_logged())
    assert engine.run([moved]).exit_code == 0
    assert len(harness.writes_logged()) == writes
    assert _members(harness, first.client_id).get(ANNA) == 9


def test_the_keys_own_account_is_never_removed_as_a_previous_manager(harness: Harness) -> None:
    """A room first owned by the key's account (no other manager), then handed to Ben: Ben is
    invited, and the key's account keeps the room it owns."""
    first = Client("K-1", "Owned By Key Ltd", "contact@k1.example", OWNER)
    assert harness.engine().run([first]).exit_code == 0
    moved = Client("K-1", first.name, first.email, BEN)
    engine = harness.engine()
    result = engine.run(engine.plan([moved], update=["K-1"]))
    assert result.exit_code == 0, result.errors
    members = _members(harness, "K-1")
    assert members.get(BEN) == 9 and OWNER in members, members
