"""Offboarding over HTTP against the sandbox: whatever state the room is in, nobody is left in it."""

from __future__ import annotations

import pytest
from support.engine import Client, Harness, make_clients
from support.portals import PortalFactory, change_settings

from onboarding.docspace import FileShare, Invitation
from onboarding.errors import DocSpaceError
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


def test_an_offboard_that_did_not_finish_is_finished_by_offboard_and_undone_by_nothing_else(
    harness: Harness,
) -> None:
    """An offboard whose link removal fails (500 on every retry) after the members were removed is
    kept in the journal as unfinished: plan and run block the client with how to finish it (its
    status stays offboarded), repair and the run write nothing (nobody is invited back), and a
    second offboard removes the link and archives the room."""
    (c,) = _onboarded(harness)
    rid = _room(harness, c.client_id)["id"]
    rule = {"fault": "error500", "path": f"rooms/{rid}/links", "method": "PUT", "times": None}
    harness.sandbox.set_faults({"rules": [rule]})
    with pytest.raises(DocSpaceError):
        Aftercare(harness.engine(), None).offboard(c.client_id)
    harness.sandbox.set_faults(None)
    room = _room(harness, c.client_id)
    assert [m["email"] for m in room["members"]] == [OWNER] and len(room["links"]) == 1
    assert not room["archived"]
    assert _status(harness, c.client_id) == "offboarded"
    finish = f"run `docspace-onboard offboard {c.client_id}` again to finish it"
    engine = harness.engine()
    (cp,) = engine.plan([c]).clients
    assert cp.action == "blocked" and len(cp.reasons) == 1 and finish in cp.reasons[0]
    writes = len(harness.writes_logged())
    result = engine.run([c])
    assert result.statuses == {c.client_id: "blocked"} and finish in result.errors[c.client_id]
    report = Aftercare(harness.engine(), None).repair([c.client_id])
    assert report.repaired == {} and report.result is None
    assert len(harness.writes_logged()) == writes  # nobody invited back, no link made
    assert _status(harness, c.client_id) == "offboarded"
    Aftercare(harness.engine(), None).offboard(c.client_id)
    room = _room(harness, c.client_id)
    assert room["archived"] and room["links"] == [] and [m["email"] for m in room["members"]] == [OWNER]
    rec = SqliteJournal(harness.journal_path).get("sandbox-test", c.client_id)
    assert rec is not None and (rec.status, rec.error, rec.progress.get("offboarded")) == (
        "offboarded",
        "",
        True,
    )
    (cp,) = harness.engine().plan([c]).clients
    assert cp.action == "skip"


def test_offboard_fails_rather_than_archive_a_vdr_room_whose_client_holds_form_roles(
    harness: Harness,
) -> None:
    """In a Virtual data room DocSpace answers a removal of someone holding form roles with 200
    ``{"error": 1}`` and removes nobody: offboard stops before archiving, says why, and leaves the
    offboard unfinished, rather than report the access removed and archive a room the client can read."""
    from onboarding.blueprint import Blueprint
    from onboarding.docspace import RoomType

    bp = Blueprint(room_type=RoomType.VIRTUAL_DATA)
    (c,) = make_clients(1)
    assert harness.engine(bp).run([c]).exit_code == 0
    rid = _room(harness, c.client_id)["id"]
    harness.sandbox.assign_form_role(rid, c.email or "")
    with pytest.raises(DocSpaceError, match="form role"):
        Aftercare(harness.engine(bp), None).offboard(c.client_id)
    room = _room(harness, c.client_id)
    assert not room["archived"]
    assert c.email in [m["email"] for m in room["members"]]
    rec = SqliteJournal(harness.journal_path).get("sandbox-test", c.client_id)
    assert rec is not None and rec.status == "offboarded" and rec.progress.get("offboarding")


def test_offboard_with_a_room_admin_key_fails_when_the_portal_drops_the_clients_removal(
    portal: PortalFactory,
) -> None:
    """A room admin who is Room manager of a room another account made may not act on a guest they
    did not invite: DocSpace drops that removal silently (``VirtualRoomsController.SetRoomSecurity``
    keeps only invitations ``CanUserViewAnotherUserAsync`` allows) and lists the client, still with
    access, in its answer. Offboard stops before archiving instead of reporting the access removed."""
    h = portal()
    (c,) = make_clients(1, manager="rita.roomadmin@sandbox.example")
    assert h.engine().run([c]).exit_code == 0
    change_settings(h, key_user="room-admin")
    with pytest.raises(DocSpaceError, match="did not remove"):
        Aftercare(h.engine(), None).offboard(c.client_id)
    room = _room(h, c.client_id)
    assert not room["archived"] and c.email in [m["email"] for m in room["members"]]


def test_offboard_also_removes_a_group_shared_with_the_room(harness: Harness) -> None:
    """A group someone shared with the client's room (listed by ``GET share`` with
    ``sharedToGroup``) is removed by offboard like a person: its members could otherwise still
    read the archived room."""
    (c,) = _onboarded(harness)
    api = harness.client()
    gid = harness.sandbox.create_group("Sales team")["id"]
    rid = _room(harness, c.client_id)["id"]
    api.share_room(rid, [Invitation(FileShare.READ, user_id=gid)])
    assert "Sales team" in [m.get("group") for m in _room(harness, c.client_id)["members"]]
    Aftercare(harness.engine(), None).offboard(c.client_id)
    room = _room(harness, c.client_id)
    assert room["archived"] and [m["email"] for m in room["members"]] == [OWNER]


def test_offboard_removes_a_client_whose_account_was_disabled(harness: Harness) -> None:
    """A disabled (Terminated) client account keeps its share until removed; DocSpace removes it
    with access None (``FileSharingAceHelper.SetAceObjectAsync`` skips a Terminated user only when
    the ACE grants access or there is no share), so offboard empties the room all the same."""
    (c,) = _onboarded(harness)
    harness.sandbox.disable_user(c.email or "")
    Aftercare(harness.engine(), None).offboard(c.client_id)
    room = _room(harness, c.client_id)
    assert room["archived"] and [m["email"] for m in room["members"]] == [OWNER]
