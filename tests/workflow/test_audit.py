"""Drift rules as pure functions: what the audit calls a difference, and what repair reopens."""

from __future__ import annotations

import pytest

from onboarding.blueprint import Blueprint
from onboarding.docspace import Folder, Member, User
from onboarding.journal import ClientRecord
from onboarding.workflow.audit import RoomView, compare, normalise_item, reopen, steps_to_redo
from onboarding.workflow.status import Step


def _rec(**kw: object) -> ClientRecord:
    base: dict[str, object] = {
        "portal": "p", "client_id": "C1", "tag": "client:C1", "room_id": 7, "room_title": "Client - Acme",
        "status": "onboarded", "email": "it@acme.example",
    }  # fmt: skip
    return ClientRecord(**{**base, **kw})  # type: ignore[arg-type]


def _room(**kw: object) -> Folder:
    base: dict[str, object] = {"id": 7, "title": "Client - Acme", "room_type": 2, "tags": ["client:C1"]}
    return Folder(**{**base, **kw})  # type: ignore[arg-type]


def test_renamed_untagged_retyped_room_is_three_differences() -> None:
    """A renamed room, its tag removed and another type: title, tag and room type are reported."""
    view = RoomView(_room(title="Acme (old)", tags=[], room_type=6))
    items = {d.item: d for d in compare(_rec(), Blueprint(), view, "me@x.example").differences}
    assert set(items) == {"title", "tag", "room type"}
    assert (items["title"].expected, items["title"].found) == ("Client - Acme", "Acme (old)")


def test_missing_and_archived_rooms() -> None:
    """No room at all is one difference; an archived room is 'room archived' (contents not read)."""
    assert [d.item for d in compare(_rec(), Blueprint(), RoomView(None), "").differences] == ["room"]
    archived = RoomView(_room(root_folder_type=20))
    assert [d.item for d in compare(_rec(), Blueprint(), archived, "").differences] == ["room archived"]


def test_accepted_items_are_kept_apart() -> None:
    """An accepted item is no longer among the differences but is still known as accepted."""
    result = compare(_rec(accepted=["title"]), Blueprint(), RoomView(_room(title="x")), "")
    assert result.differences == [] and [d.item for d in result.accepted] == ["title"]


def test_repair_reopens_the_steps_that_restore_each_difference() -> None:
    """A deleted folder redoes folders and files; a member access; a link the link; the room nothing."""
    view = RoomView(_room(), root=([], []), members=[], links=[])
    diffs = compare(_rec(), Blueprint(), view, "").differences
    assert steps_to_redo(diffs) == [Step.FOLDERS, Step.FILES, Step.ACCESS, Step.LINK]
    progress = reopen({"folders": {"Invoices": 3}, "link": {"id": "x"}, "verify": True}, [Step.LINK])
    assert progress == {"folders": {"Invoices": 3}, "link_started": True}


def _member(email: str, access: int, **kw: object) -> Member:
    return Member(access=access, shared_to_user=User(id=email, email=email), **kw)  # type: ignore[arg-type]


def test_extra_people_and_groups_are_reported_but_not_the_owner_the_key_or_known_members() -> None:
    """Who else can read the client's room: an extra user and a group are differences ("not a
    member" expected); the owner, the key's account, a removed entry and the blueprint's
    known members (an address, or @domain) are not (``SecurityDao.GetPureSharesAsync`` lists
    only explicit shares, so portal admins do not appear unless invited)."""
    bp = Blueprint(known_members=["Support@Acme-Ops.example", "@our-team.example"])
    members = [
        _member("anna.manager@sandbox.example", 9),
        _member("it@acme.example", 2),
        _member("owner@x.example", 1, is_owner=True),
        _member("me@x.example", 9),
        _member("support@acme-ops.example", 11),
        _member("bob@our-team.example", 10),
        _member("gone@elsewhere.example", 0),
        _member("eve@elsewhere.example", 10),
        Member(access=2, shared_to_group={"id": "g1", "name": "Sales"}),
    ]
    rec = _rec(manager_email="anna.manager@sandbox.example")
    view = RoomView(_room(), members=members)
    diffs = compare(rec, bp, view, "me@x.example").differences
    assert [(d.item, d.expected, d.found) for d in diffs] == [
        ("member eve@elsewhere.example", "not a member", "Editor"),
        ("group Sales", "not a member", "Viewer (read-only)"),
    ]
    assert all(d.is_extra for d in diffs)


def test_known_members_must_be_an_address_or_a_domain() -> None:
    """A known member that is neither an e-mail address nor @domain is refused with its value."""
    for bad in ["support team", "*@example.com", "@example.com.", "@.com", "a\u200b@x.example", "@localhost"]:
        with pytest.raises(ValueError, match="neither an e-mail address nor @domain"):
            Blueprint(known_members=[bad])
    assert Blueprint(known_members=[" @Team.example ", "@team.example"]).known_members == ["@team.example"]
    with pytest.raises(ValueError, match=r"'bob', 'x y@z\.example' are neither"):
        Blueprint(known_members=["bob", "ok@fine.example", "x y@z.example"])


def test_an_accepted_item_is_stored_as_the_audit_names_it_and_a_wrong_one_is_refused() -> None:
    """ "member Eve@X.org" as typed is stored as the audit reports it; "bogus" names no item."""
    assert normalise_item("  member   Eve.Outsider@Example.ORG ") == "member eve.outsider@example.org"
    assert normalise_item("Link  Expiry") == "link expiry"
    assert normalise_item("folder Invoices 2025") == "folder Invoices 2025"
    with pytest.raises(ValueError, match="'bogus item' is not an audit item"):
        normalise_item("bogus item")


def test_an_outsider_accepted_is_still_checked_once_they_become_the_manager() -> None:
    """Accepting Eve as an outsider with Editor access silences her only so: raised to Room
    manager, or made the account manager with the wrong access, she is reported again; and
    accepting the manager's other access does not hide her staying in the room after a hand-over."""
    eve = "eve@elsewhere.example"
    view = RoomView(_room(), members=[_member(eve, 10), _member("it@acme.example", 2)])
    (extra,) = compare(_rec(), Blueprint(), view, "me@x.example").differences
    assert extra.accept_key == f"extra member {eve} (Editor)"
    assert compare(_rec(accepted=[extra.accept_key]), Blueprint(), view, "me@x.example").differences == []
    raised = RoomView(_room(), members=[_member(eve, 9), _member("it@acme.example", 2)])
    again = compare(_rec(accepted=[extra.accept_key]), Blueprint(), raised, "me@x.example").differences
    assert [(d.item, d.found) for d in again] == [(f"member {eve}", "Room manager")]
    as_manager = compare(
        _rec(manager_email=eve, accepted=[extra.accept_key]), Blueprint(), view, "me@x.example"
    )
    assert [(d.item, d.found) for d in as_manager.differences] == [(f"member {eve}", "Editor")]
    (wrong_access,) = as_manager.differences
    assert wrong_access.accept_key == f"member {eve} (Editor)"
    handed_on = compare(_rec(accepted=[wrong_access.accept_key]), Blueprint(), view, "me@x.example")
    assert [d.item for d in handed_on.differences] == [f"member {eve}"]


def test_a_person_accepted_before_keys_named_the_access_is_still_accepted_then_tracked() -> None:
    """A journal's ``member eve@…`` accepted before accept keys named the access found: still
    silenced (no flood of old findings after an upgrade); the audit rewrites it to the key of what
    it finds now, after which a raise to another role is reported again."""
    from onboarding.workflow.audit import upgraded

    eve = "eve@elsewhere.example"
    client = _member("it@acme.example", 2)
    view = RoomView(_room(), members=[_member(eve, 10), client])
    old = compare(_rec(accepted=[f"member {eve}", "title"]), Blueprint(), view, "me@x.example")
    assert old.differences == [] and [d.item for d in old.accepted] == [f"member {eve}"]
    keys = upgraded([f"member {eve}", "title"], old)
    assert keys == [f"extra member {eve} (Editor)", "title"]
    raised = RoomView(_room(), members=[_member(eve, 11), client])
    again = compare(_rec(accepted=keys), Blueprint(), raised, "me@x.example").differences
    assert [(d.item, d.found) for d in again] == [(f"member {eve}", "Content creator")]


def test_accepting_that_a_room_is_hidden_from_the_key_does_not_hide_its_deletion() -> None:
    """ "room visible" (a room admin's key may not read the room) accepted: a room gone later is
    still reported as missing."""
    from onboarding.workflow.audit import hidden_room

    assert hidden_room("Room admin").item == "room visible"
    gone = compare(_rec(accepted=["room visible"]), Blueprint(), RoomView(None), "me@x.example")
    assert [d.item for d in gone.differences] == ["room"]
