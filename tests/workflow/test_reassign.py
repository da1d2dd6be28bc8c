"""A finished client handed to a new account manager: only on request, exactly once, nobody else touched."""

from __future__ import annotations

from support.engine import Client, Harness, make_clients

from onboarding.journal import DONE, SqliteJournal
from onboarding.workflow.reassign import hand_over_lines, manager_json

ANNA, BEN, OWNER = "anna.manager@sandbox.example", "ben.manager@sandbox.example", "owner@sandbox.example"


def _members(harness: Harness, client_id: str) -> dict[str, int]:
    room = next(r for r in harness.rooms() if f"client:{client_id}" in r["tags"])
    return {m["email"]: m["access"] for m in room["members"]}


def _onboarded(harness: Harness, manager: str | None = ANNA) -> tuple[Client, Client]:
    """One client onboarded with ``manager``, and its row naming Ben instead."""
    (first,) = make_clients(1, manager=manager)
    assert harness.engine().run([first]).exit_code == 0
    return first, Client(first.client_id, first.name, first.email, BEN)


def _interrupted_hand_over(harness: Harness) -> tuple[Client, Client]:
    """A hand-over from Anna to Ben whose removal of Anna fails (500 on every retry): Ben is
    invited, the client failed, Anna's removal is left in its progress; faults are off after."""
    first, moved = _onboarded(harness)
    room = next(r for r in harness.rooms() if f"client:{first.client_id}" in r["tags"])
    rule = {
        "fault": "error500",
        "path": f"rooms/{room['id']}/share",
        "method": "PUT",
        "skip": 1,
        "times": None,
    }
    harness.sandbox.set_faults({"rules": [rule]})
    engine = harness.engine()
    result = engine.run(engine.plan([moved], hand_over=[first.client_id]))
    harness.sandbox.set_faults(None)
    assert result.statuses == {first.client_id: "failed"}
    return first, moved


def test_a_hand_over_invites_the_new_manager_and_removes_the_previous_one(harness: Harness) -> None:
    """Handing over makes the row's manager Room manager, takes the previous one's access away,
    keeps the client's, records the new manager, is planned at 3 writes at most (2 made), and a
    second run writes nothing
    (``VirtualRoomsController.SetRoomSecurity``: FileShare.None removes a user's share)."""
    first, moved = _onboarded(harness)
    engine = harness.engine()
    (cp,) = engine.plan([moved], hand_over=[first.client_id]).clients
    assert (cp.action, cp.resume_step) == ("resume", "access")
    assert cp.writes == 3  # at most: the share, the removal, the link if it is gone (no folders, files)
    assert any(
        f"handed over to {BEN}, invited as Room manager and {ANNA}'s access is removed" in w
        for w in cp.warnings
    )
    assert not any("unless the room is handed over" in w for w in cp.warnings)
    rooms, writes = len(harness.rooms()), len(harness.writes_logged())
    result = engine.run(engine.plan([moved], hand_over=[first.client_id]))
    assert result.exit_code == 0, result.errors
    assert len(harness.rooms()) == rooms
    members = _members(harness, first.client_id)
    assert members.get(BEN) == 9 and ANNA not in members and members[first.email or ""] == 2, members
    assert len(harness.writes_logged()) - writes == 2  # the share for Ben, the removal of Anna
    record = SqliteJournal(harness.journal_path).get("sandbox-test", first.client_id)
    assert record is not None and record.manager_email == BEN and record.status == DONE
    again = harness.engine()
    (cp,) = again.plan([moved], hand_over=[first.client_id]).clients
    assert cp.action == "done" and cp.manager_before is None and not cp.removals, cp.warnings
    before = len(harness.writes_logged())
    assert again.run([moved]).exit_code == 0
    assert len(harness.writes_logged()) == before


def test_without_a_hand_over_a_changed_manager_changes_nothing_on_the_portal(harness: Harness) -> None:
    """A run without the hand-over choice leaves the finished client's room as it is: no write
    at all, the previous manager keeps access, and the plan says what a hand-over would do."""
    first, moved = _onboarded(harness)
    engine = harness.engine()
    (cp,) = engine.plan([moved]).clients
    assert cp.action == "done" and any(
        f"keeps {ANNA} unless the room is handed over" in w for w in cp.warnings
    )
    writes = len(harness.writes_logged())
    assert engine.run([moved]).exit_code == 0
    assert len(harness.writes_logged()) == writes
    assert _members(harness, first.client_id).get(ANNA) == 9


def test_an_interrupted_hand_over_is_finished_by_the_next_run_whatever_its_options(harness: Harness) -> None:
    """The removal fails after Ben was invited (the portal answers 500 to it, every retry): the
    client fails; the next run, with no hand-over asked, still takes Anna out of the room,
    exactly once, before it calls the client onboarded."""
    first, moved = _interrupted_hand_over(harness)
    assert _members(harness, first.client_id).get(ANNA) == 9
    later = harness.engine()
    (cp,) = later.plan([moved]).clients
    assert cp.action == "resume" and cp.removals == [[ANNA, "the previous account manager", BEN]]
    assert any("an earlier run began this and did not finish" in w for w in cp.warnings)
    assert later.run(later.plan([moved])).exit_code == 0
    assert ANNA not in _members(harness, first.client_id)
    writes = len(harness.writes_logged())
    assert harness.engine().run([moved]).exit_code == 0
    assert len(harness.writes_logged()) == writes


def test_the_keys_own_account_is_never_removed_as_a_previous_manager(harness: Harness) -> None:
    """A room first owned by the key's account (no other manager), then handed to Ben: Ben is
    invited, the key's account keeps the room it owns, and the plan says so."""
    first, moved = _onboarded(harness, manager=OWNER)
    engine = harness.engine()
    plan = engine.plan([moved], hand_over=[first.client_id])
    assert any(f"{OWNER}, the API key's own account, keeps its access" in w for w in plan.clients[0].warnings)
    assert plan.clients[0].removals == []
    assert engine.run(plan).exit_code == 0
    members = _members(harness, first.client_id)
    assert members.get(BEN) == 9 and OWNER in members, members


def test_a_client_onboarded_without_a_manager_can_be_handed_to_one(harness: Harness) -> None:
    """No manager at first (the key's account owns the room), Ben in the row later: the plan
    notes it, and a hand-over invites Ben and removes nobody."""
    first, moved = _onboarded(harness, manager=None)
    engine = harness.engine()
    (cp,) = engine.plan([moved]).clients
    assert cp.action == "done" and cp.manager_before == ""
    plan = engine.plan([moved], hand_over=[first.client_id])
    assert plan.clients[0].removals == []
    assert engine.run(plan).exit_code == 0
    assert _members(harness, first.client_id).get(BEN) == 9


def test_a_conflicting_row_or_the_clients_own_address_is_never_handed_over(harness: Harness) -> None:
    """A row that is another company under the same id is a conflict, not a hand-over (its
    manager note goes); a row naming the client's own address as manager is not handed over: the
    room keeps Anna, and the row manager's notes (invited as…, invited once) are not shown."""
    first, _ = _onboarded(harness)
    other = Client(first.client_id, "Another Company Ltd", "someone@other.example", BEN)
    (cp,) = harness.engine().plan([other], hand_over=[first.client_id]).clients
    assert cp.action == "conflict" and cp.manager_before is None and not cp.update_manager
    assert not any("handed over" in w for w in cp.warnings)
    itself = Client(first.client_id, first.name, first.email, first.email)
    (cp,) = harness.engine().plan([itself], hand_over=[first.client_id]).clients
    assert cp.action == "done" and not cp.update_manager
    assert any("not handed over to the client" in w for w in cp.warnings)
    assert cp.manager is not None and (cp.manager.email, cp.manager.role) == (ANNA, None)
    assert not any("invited" in w for w in cp.warnings), cp.warnings  # nobody is: no notes saying so


def test_updating_a_new_email_without_a_hand_over_keeps_the_rooms_manager(harness: Harness) -> None:
    """A row with a new e-mail and a new manager, updated but not handed over: the new address is
    invited, the manager stays Anna in the room and in the journal, Ben is not invited; a later
    hand-over then moves the room."""
    first, _ = _onboarded(harness)
    both = Client(first.client_id, first.name, "new.contact@client.example", BEN)
    engine = harness.engine()
    result = engine.run(engine.plan([both], update=[first.client_id]))
    assert result.exit_code == 0, result.errors
    members = _members(harness, first.client_id)
    assert members.get(ANNA) == 9 and BEN not in members and "new.contact@client.example" in members
    record = SqliteJournal(harness.journal_path).get("sandbox-test", first.client_id)
    assert record is not None and record.manager_email == ANNA
    later = harness.engine()
    (cp,) = later.plan([both]).clients
    assert cp.action == "done" and cp.manager_before == ANNA
    assert later.run(later.plan([both], hand_over=[first.client_id])).exit_code == 0
    members = _members(harness, first.client_id)
    assert members.get(BEN) == 9 and ANNA not in members


def test_a_hand_over_finished_later_counts_as_an_update_and_going_back_keeps_the_manager(
    harness: Harness,
) -> None:
    """An interrupted hand-over finished by the next run is reported as an update of the record
    (the CRM is told); a file naming the old manager again after an interruption keeps her,
    and the plan says so instead of announcing her removal."""
    first, moved = _interrupted_hand_over(harness)
    (cp,) = harness.engine().plan([first]).clients  # the old sheet, naming Anna
    assert any(f"{ANNA} stays in the room" in w for w in cp.warnings), cp.warnings
    assert cp.removals == [[BEN, "the manager of a hand-over that did not finish"]]
    finished = harness.engine().run([moved])
    assert finished.exit_code == 0 and finished.updated == [first.client_id]
    assert ANNA not in _members(harness, first.client_id)


def test_going_back_after_an_unfinished_hand_over_takes_out_the_manager_it_invited(harness: Harness) -> None:
    """Ben invited, Anna's removal cut short, then the old sheet (Anna) again: the run takes Ben
    out and keeps Anna, so the room is as it was; the journal says Anna."""
    first, _ = _interrupted_hand_over(harness)
    assert _members(harness, first.client_id).get(BEN) == 9
    assert harness.engine().run([first]).exit_code == 0
    members = _members(harness, first.client_id)
    assert members.get(ANNA) == 9 and BEN not in members, members
    record = SqliteJournal(harness.journal_path).get("sandbox-test", first.client_id)
    assert record is not None and record.manager_email == ANNA and record.status == DONE


def test_handing_a_room_to_the_keys_own_account_says_nobody_is_invited(harness: Harness) -> None:
    """The key's own account as the new manager: the plan says it owns the room (no invitation)."""
    first, _ = _onboarded(harness)
    to_owner = Client(first.client_id, first.name, first.email, OWNER)
    (cp,) = harness.engine().plan([to_owner], hand_over=[first.client_id]).clients
    assert any(
        f"handed over to {OWNER}, the API key's own account (it owns the room)" in w for w in cp.warnings
    )


def test_a_finished_client_whose_row_names_an_unknown_manager_stays_done(harness: Harness) -> None:
    """The manager the file names is not on the portal (someone who left): a finished client is
    not blocked for it (its room needs no new manager), the plan says why, nothing is written,
    and a hand-over is not offered; an unfinished client is still blocked for it."""
    first, _ = _onboarded(harness)
    gone = Client(first.client_id, first.name, first.email, "left.the.company@sandbox.example")
    engine = harness.engine()
    (cp,) = engine.plan([gone], hand_over=[first.client_id]).clients
    assert cp.action == "done" and cp.manager_before is None and not cp.update_manager, cp.reasons
    assert any("cannot take the room" in w and f"it keeps {ANNA}" in w for w in cp.warnings), cp.warnings
    writes = len(harness.writes_logged())
    assert engine.run([gone]).exit_code == 0
    assert len(harness.writes_logged()) == writes
    new = Client("U-1", "Unfinished Ltd", "u1@u1.example", "left.the.company@sandbox.example")
    (cp,) = harness.engine().plan([new]).clients
    assert cp.action == "blocked"


RITA = "rita.roomadmin@sandbox.example"


def test_a_third_manager_after_an_unfinished_hand_over_gets_the_room_only_by_a_hand_over(
    harness: Harness,
) -> None:
    """Anna → Ben cut short, then a file naming Rita: without a hand-over the run finishes the one
    asked for (Ben keeps the room, Anna is out, Rita is not invited; the plan says Rita can have it
    by a hand-over, and plan --json names Rita as the row's manager); a hand-over then gives it to
    Rita and takes Ben out."""
    first, _ = _interrupted_hand_over(harness)
    to_rita = Client(first.client_id, first.name, first.email, RITA)
    (cp,) = harness.engine().plan([to_rita]).clients
    assert cp.manager is not None and cp.manager.email == BEN and cp.manager_before == BEN
    assert manager_json(cp)["manager_change"] == {"journal": BEN, "row": RITA, "handed_over": False}
    assert any(
        f"the file names {RITA} as account manager, an unfinished hand-over names {BEN}: the room keeps {BEN}"
        in w
        for w in cp.warnings
    ), cp.warnings
    assert harness.engine().run([to_rita]).exit_code == 0
    members = _members(harness, first.client_id)
    assert members.get(BEN) == 9 and ANNA not in members and RITA not in members, members
    record = SqliteJournal(harness.journal_path).get("sandbox-test", first.client_id)
    assert record is not None and record.manager_email == BEN and record.status == DONE
    engine = harness.engine()
    assert engine.run(engine.plan([to_rita], hand_over=[first.client_id])).exit_code == 0
    members = _members(harness, first.client_id)
    assert members.get(RITA) == 9 and BEN not in members and ANNA not in members, members


def test_a_third_manager_handed_over_at_once_takes_out_both_earlier_ones(harness: Harness) -> None:
    """Anna → Ben cut short, then a hand-over to Rita: Rita is invited, Anna (the previous
    manager) and Ben (invited by the unfinished hand-over) are both taken out, in one run, and
    the run's line names both."""
    first, _ = _interrupted_hand_over(harness)
    to_rita = Client(first.client_id, first.name, first.email, RITA)
    engine = harness.engine()
    plan = engine.plan([to_rita], hand_over=[first.client_id])
    (cp,) = plan.clients
    assert sorted(r[0] for r in cp.removals) == [ANNA, BEN]
    result = engine.run(plan)
    assert result.exit_code == 0
    (line,) = hand_over_lines(plan, result.statuses)
    assert (
        line.startswith(f"{first.client_id}: room handed over to {RITA} (") and ANNA in line and BEN in line
    )
    members = _members(harness, first.client_id)
    assert members.get(RITA) == 9 and BEN not in members and ANNA not in members, members


def test_a_colleague_handing_over_does_not_become_who_onboarded_the_client(harness: Harness) -> None:
    """A hand-over run by someone else finishes the client again in the same room: who onboarded
    it (and when) stays, as the CRM knows it; only a new room would change them."""
    first, moved = _onboarded(harness)
    journal = SqliteJournal(harness.journal_path)
    before = journal.get("sandbox-test", first.client_id)
    assert before is not None and before.onboarded_by == "test"
    colleague = harness.engine(actor="cli:colleague")
    assert colleague.run(colleague.plan([moved], hand_over=[first.client_id])).exit_code == 0
    after = journal.get("sandbox-test", first.client_id)
    assert after is not None and after.manager_email == BEN
    assert (after.onboarded_by, after.onboarded_at) == ("test", before.onboarded_at)


def test_a_hand_over_in_a_vdr_fails_when_the_previous_manager_holds_form_roles(harness: Harness) -> None:
    """In a Virtual data room the portal answers the previous manager's removal with 200
    ``{"error": 1}`` when they hold form roles and removes nobody: the hand-over fails and says
    so, rather than record the manager's access as removed."""
    from onboarding.blueprint import Blueprint
    from onboarding.docspace import RoomType

    bp = Blueprint(room_type=RoomType.VIRTUAL_DATA)
    (first,) = make_clients(1, manager=ANNA)
    assert harness.engine(bp).run([first]).exit_code == 0
    moved = Client(first.client_id, first.name, first.email, BEN)
    room = next(r for r in harness.rooms() if f"client:{first.client_id}" in r["tags"])
    harness.sandbox.assign_form_role(room["id"], ANNA)
    engine = harness.engine(bp)
    result = engine.run(engine.plan([moved], hand_over=[first.client_id]))
    assert result.statuses == {first.client_id: "failed"}
    assert "form roles" in result.errors[first.client_id]
    assert _members(harness, first.client_id).get(ANNA) == 9
