"""Onboarding with a DocSpace-admin key and a room-admin key, over HTTP against the sandbox.

What a room admin may not do (see or change a room made by another account) is caught by the
plan with a reason, before any write; a room of another type than the blueprint's is a conflict.
"""

from __future__ import annotations

import pytest
from support.engine import Client, Harness, make_clients, one_room_per_client
from support.portals import PortalFactory, change_settings

from onboarding.blueprint import Blueprint
from onboarding.docspace import FileShare, Invitation, RoomType
from onboarding.journal import DONE
from onboarding.workflow.status import Action


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


@pytest.mark.parametrize("key_user", ["admin", "room-admin"])
def test_a_non_owner_key_onboards_24_clients_and_archives_one(portal: PortalFactory, key_user: str) -> None:
    """Admin and room-admin keys: 24 rooms exactly as the blueprint says, members and link; archive works."""
    h = portal(key_user=key_user)
    clients = make_clients(24)  # managers: Anna Manager, a room admin
    result = h.engine().run(clients)
    assert result.exit_code == 0, result.errors
    assert result.count(DONE) == 24
    rooms = h.rooms()
    one_room_per_client(rooms, clients, _tag)
    me = h.client().me()
    for c in clients:
        room = next(r for r in rooms if _tag(c) in r["tags"])
        members = {m["email"]: m["access"] for m in room["members"]}
        assert members["anna.manager@sandbox.example"] == 9
        assert members[c.email] == 2
        assert members[me.email] == 1  # the key's account made the room: its owner (access 1)
    assert h.engine().archive(clients[0].client_id) > 0
    archived = next(r for r in h.rooms() if _tag(clients[0]) in r["tags"])
    assert archived["archived"] is True


def test_room_admin_plan_blocks_rooms_it_cannot_see(portal: PortalFactory) -> None:
    """Rooms the owner's key made are invisible to a room admin: plan blocks them instead of duplicating."""
    h = portal()
    clients = make_clients(2)
    assert h.engine().run(clients).exit_code == 0
    change_settings(h, key_user="room-admin")
    before = len(h.writes_logged())
    plan = h.engine().plan(clients)
    assert [c.action for c in plan.clients] == [Action.BLOCKED, Action.BLOCKED]
    assert all("not visible to the API key's account (Room admin)" in c.reasons[0] for c in plan.clients)
    result = h.engine().run(clients)
    assert result.exit_code == 1 and len(h.writes_logged()) == before
    assert len(h.rooms()) == 2


def test_room_admin_plan_blocks_a_room_it_may_see_but_not_change(portal: PortalFactory) -> None:
    """A room admin invited as Content creator sees the room; plan blocks it as not theirs to change."""
    h = portal()
    (c,) = make_clients(1)
    api = h.client()
    room = api.create_room("Client - theirs", RoomType.COLLABORATION, tags=[_tag(c)])
    rita = api.user_by_email("rita.roomadmin@sandbox.example")
    api.share_room(room.id, [Invitation(FileShare.CONTENT_CREATOR, user_id=rita.id)])
    change_settings(h, key_user="room-admin")
    (cp,) = h.engine().plan([c]).clients
    assert cp.action == Action.BLOCKED
    assert f"its room {room.id} was made by another account" in cp.reasons[0]
    assert "EditAccess" in cp.reasons[0]


def test_room_of_another_type_is_a_conflict_in_the_plan(harness: Harness) -> None:
    """A blueprint whose room type changed after onboarding: the plan says so; the run writes nothing."""
    (c,) = make_clients(1)
    api = harness.client()
    room = api.create_room("Client - old", RoomType.CUSTOM, tags=[_tag(c)])
    (cp,) = harness.engine(Blueprint()).plan([c]).clients
    assert cp.action == Action.CONFLICT
    assert f"its room {room.id} is a Custom room" in cp.reasons[0]
    assert "Collaboration room" in cp.reasons[0]
    before = len(harness.writes_logged())
    result = harness.engine().run([c])
    assert result.exit_code == 1 and len(harness.writes_logged()) == before


def test_room_admin_plan_blocks_a_manager_it_cannot_see(portal: PortalFactory) -> None:
    """A guest the room admin did not invite is hidden from it (the server would drop the invitation): blocked."""
    h = portal(key_user="room-admin")
    (c,) = make_clients(1, manager="gina.guest@sandbox.example")
    (cp,) = h.engine().plan([c]).clients
    assert cp.action == Action.BLOCKED
    assert "not visible to the API key's account" in cp.reasons[0]
    assert h.engine().run([c]).exit_code == 1 and h.writes_logged() == []


def test_a_room_admin_key_is_warned_that_rooms_of_other_keys_are_invisible(portal: PortalFactory) -> None:
    """Clients onboarded by the owner's key in another journal look new to a room admin's key
    (DocSpace does not show it those rooms): the plan says so before the run, naming the count;
    an admin's key, which sees every room, gets no such warning."""
    h = portal()
    clients = make_clients(2)
    assert h.engine().run(clients).exit_code == 0
    change_settings(h, key_user="room-admin")
    h.journal_path = h.journal_path.with_name("other-journal.sqlite3")
    plan = h.engine().plan(clients)
    assert [c.action for c in plan.clients] == [Action.CREATE, Action.CREATE]  # what it cannot see
    (problem,) = plan.problems
    assert "is a Room admin" in problem and "any of the 2 client(s) to create" in problem
    change_settings(h, key_user="admin")
    assert h.engine().plan(clients).problems == []


def test_a_room_admin_audit_names_the_rooms_it_cannot_read_and_checks_the_others(
    portal: PortalFactory,
) -> None:
    """A journal with a room the owner's key made and one the room admin's key made: audited with
    the room admin's key, the first is reported as not visible to it (with what to do) and the
    second is audited as usual, instead of the whole audit stopping at a 403."""
    from onboarding.workflow.aftercare import Aftercare

    h = portal()
    theirs, mine = make_clients(2)
    assert h.engine().run([theirs]).exit_code == 0
    change_settings(h, key_user="room-admin")
    assert h.engine().run([mine]).exit_code == 0
    audits = {a.client_id: a for a in Aftercare(h.engine(), None).audit()}
    (hidden,) = audits[theirs.client_id].differences
    assert hidden.item == "room visible" and "not visible to it (Room admin)" in hidden.found
    assert audits[mine.client_id].differences == []
