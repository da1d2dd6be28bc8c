"""Rules of the DocSpace API that the product relies on, checked on the sandbox and (with -m live) a real portal."""

from __future__ import annotations

import pytest
from support.portal import Portal

from onboarding.docspace import DocSpaceClient, FileShare, LinkRequest, LinkType, RoomType
from onboarding.errors import Forbidden, NotFound, Unauthorized


def test_key_resolves_to_an_account(portal: Portal) -> None:
    """people/@self answers with the key's own account."""
    me = portal.api.me()
    assert me.id and me.email


def test_wrong_key_is_401(portal: Portal) -> None:
    """A wrong API key is refused with 401."""
    with DocSpaceClient(portal.api.base_url, "sk-" + "0" * 40) as bad, pytest.raises(Unauthorized):
        bad.me()


def test_duplicate_room_titles_create_a_second_room(portal: Portal) -> None:
    """Room titles are not unique: the same title twice gives two rooms."""
    a = portal.room("Onboarding duplicate title")
    b = portal.room("Onboarding duplicate title")
    assert a.id != b.id and a.title == b.title


def test_titles_are_sanitised(portal: Portal) -> None:
    """Characters like ':' and '/' are stored as '_'."""
    room = portal.room("Client: A/B")
    assert room.title == "Client_ A_B"


def test_tag_filter_finds_a_room_by_its_tag(portal: Portal) -> None:
    """Rooms are found by a JSON-array `tags` filter (the idempotency key)."""
    room = portal.room()
    found = portal.api.find_rooms_by_tags([f"onboarding-test:{portal.run}"])
    assert room.id in {r.id for r in found}


def test_vendor_example_entries_body_changes_nothing(portal: Portal) -> None:
    """The seed's share body (`entries`, access 4) answers 200 and changes no member."""
    room = portal.room()
    before = [(m.user.id if m.user else None, m.access) for m in portal.api.room_members(room.id)]
    me = portal.api.me()
    portal.api.call(
        "PUT",
        f"files/rooms/{room.id}/share",
        body={"entries": [{"id": me.id, "isGroup": False, "access": 4}]},
    )
    after = [(m.user.id if m.user else None, m.access) for m in portal.api.room_members(room.id)]
    assert after == before


def test_empty_link_call_creates_nothing(portal: Portal) -> None:
    """The seed's `PUT links {}` answers without a link and leaves the room without one."""
    room = portal.room()
    env = portal.api.call("PUT", f"files/rooms/{room.id}/links", body={})
    assert env.response is None
    assert portal.api.room_links(room.id) == []


def test_collaboration_room_refuses_external_links(portal: Portal) -> None:
    """External links are impossible in a collaboration room (403)."""
    room = portal.room()
    with pytest.raises(Forbidden):
        portal.api.set_room_link(room.id, LinkRequest(LinkType.EXTERNAL, FileShare.READ))


def test_only_one_invitation_link_per_room(portal: Portal) -> None:
    """A second invitation link is refused with 'may not exceed 1'."""
    room = portal.room()
    first = portal.api.set_room_link(
        room.id, LinkRequest(LinkType.INVITATION, FileShare.READ, title="Invite")
    )
    assert first is not None and first.url
    with pytest.raises(Forbidden, match="exceed 1"):
        portal.api.set_room_link(room.id, LinkRequest(LinkType.INVITATION, FileShare.READ, title="Second"))


def test_custom_room_allows_an_external_link(portal: Portal) -> None:
    """A custom room takes an external link with read access."""
    room = portal.room(room_type=RoomType.CUSTOM)
    link = portal.api.set_room_link(room.id, LinkRequest(LinkType.EXTERNAL, FileShare.READ, title="Shared"))
    assert link is not None and link.link_type == LinkType.EXTERNAL


def test_duplicate_folder_titles_coexist(portal: Portal) -> None:
    """Creating the same folder twice in a room gives two folders (no rename, no refusal)."""
    room = portal.room()
    a = portal.api.create_folder(room.id, "Invoices")
    b = portal.api.create_folder(room.id, "Invoices")
    titles = [f.title for f in portal.api.folder_contents(room.id).folders]
    assert a.id != b.id and titles.count("Invoices") == 2


def test_same_extension_copies_coexist(portal: Portal) -> None:
    """copyas with the same extension twice leaves two files with the same title."""
    files = portal.api.my_documents().files
    if not files:
        pytest.skip("no file in My documents to copy")
    source = files[0]
    room = portal.room()
    portal.api.copy_file_as(source.id, room.id, source.title)
    portal.api.copy_file_as(source.id, room.id, source.title)
    titles = [f.title for f in portal.api.folder_contents(room.id).files]
    assert titles.count(source.title) == 2


def test_unknown_email_is_404_with_the_servers_message(portal: Portal) -> None:
    """people/email for an unknown address is 404 'The user could not be found'."""
    with pytest.raises(NotFound, match="could not be found"):
        portal.api.user_by_email(f"nobody-{portal.run}@nowhere.example")


def test_archive_then_delete_are_operations(portal: Portal) -> None:
    """Archiving and deleting a room are asynchronous operations that finish."""
    room = portal.api.create_room("Onboarding archive test", RoomType.COLLABORATION)
    portal.api.wait_operation(portal.api.archive_room(room.id), timeout=120)
    assert portal.api.get_room(room.id).archived
    portal.api.wait_operation(portal.api.delete_room(room.id), timeout=120)
