"""Portal kinds (key user, sharing settings, guest invitations), on the sandbox in the matching mode
and, with ``-m live``, on a real portal that is in that mode.

A real portal's mode cannot be switched from a test, so each live variant runs only when the
environment says what the portal is: ``DOCSPACE_KEY_USER=room-admin`` (the key is a room admin's),
``DOCSPACE_EXTERNAL_LINKS=internal|restricted`` (Settings → Sharing: default link type "DocSpace
users only" / external sharing off for rooms), ``DOCSPACE_GUEST_INVITES=off`` (guest invitations
disabled). Everything created is archived and deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.portal import Portal, live_portal, sandbox_portal

from onboarding.docspace import FileShare, Invitation, LinkRequest, LinkType, RoomType
from onboarding.errors import Forbidden


def _moded_portal(request: pytest.FixtureRequest, env: str, value: str, **mode: Any) -> Iterator[Portal]:
    """The sandbox started with ``mode``, or (live) the real portal when ``env`` says it is ``value``."""
    if request.param == "live":
        yield from live_portal(request.config, (env, value))
    else:
        yield from sandbox_portal(**mode)


_KINDS = [pytest.param("sandbox", id="sandbox"), pytest.param("live", id="live", marks=pytest.mark.live)]


def _mode_fixture(name: str, env: str, value: str, **mode: Any) -> Any:
    """A fixture ``name``: the sandbox in ``mode``, and the real portal when ``env=value``."""

    @pytest.fixture(params=_KINDS, name=name)
    def fixture(request: pytest.FixtureRequest) -> Iterator[Portal]:
        yield from _moded_portal(request, env, value, **mode)

    return fixture


room_admin_portal = _mode_fixture(
    "room_admin_portal", "DOCSPACE_KEY_USER", "room-admin", key_user="room-admin"
)
admin_portal = _mode_fixture("admin_portal", "DOCSPACE_KEY_USER", "admin", key_user="admin")
internal_links_portal = _mode_fixture(
    "internal_links_portal", "DOCSPACE_EXTERNAL_LINKS", "internal", external_links="internal"
)
restricted_links_portal = _mode_fixture(
    "restricted_links_portal", "DOCSPACE_EXTERNAL_LINKS", "restricted", external_links="restricted"
)
no_guests_portal = _mode_fixture("no_guests_portal", "DOCSPACE_GUEST_INVITES", "off", guest_invites=False)


def test_room_admin_key_lists_only_rooms_it_created_or_belongs_to(room_admin_portal: Portal) -> None:
    """A room admin's key lists its new room, and every listed room is its own or has it as member."""
    api = room_admin_portal.api
    me = api.me()
    assert me.is_room_admin and not (me.is_admin or me.is_owner)
    room = room_admin_portal.room()
    listed = api.list_rooms()
    assert room.id in {r.id for r in listed}
    for other in listed[:20]:
        members = {m.user.id for m in api.room_members(other.id) if m.user is not None}
        assert me.id in members, other.title


def test_admin_key_manages_the_rooms_it_creates(admin_portal: Portal) -> None:
    """A DocSpace admin's key (not the owner's) creates a room, a folder in it and a Room manager."""
    api = admin_portal.api
    me = api.me()
    assert me.is_admin and not me.is_owner
    room = admin_portal.room()
    api.create_folder(room.id, "Invoices")
    managers = [u for u in api.search_people(employee_type=1) if u.id != me.id][:1]
    if managers:
        api.share_room(room.id, [Invitation(FileShare.ROOM_MANAGER, user_id=managers[0].id)])
        assert managers[0].id in {m.user.id for m in api.room_members(room.id) if m.user is not None}


def test_internal_default_makes_new_links_internal_outside_public_rooms(
    internal_links_portal: Portal,
) -> None:
    """DefaultShareLinkInternal: a new Custom-room link is internal; a Public room's stays public."""
    api = internal_links_portal.api
    custom = internal_links_portal.room(room_type=RoomType.CUSTOM)
    link = api.set_room_link(custom.id, LinkRequest(LinkType.EXTERNAL, FileShare.READ, title="Client"))
    assert link is not None and link.shared_link.internal
    public = internal_links_portal.room(room_type=RoomType.PUBLIC)
    link = api.set_room_link(public.id, LinkRequest(LinkType.EXTERNAL, FileShare.READ, title="Client"))
    assert link is not None and not link.shared_link.internal


def test_restricted_sharing_refuses_public_room_links(restricted_links_portal: Portal) -> None:
    """External sharing off for rooms: a Public room link is refused, a Custom room link is internal."""
    api = restricted_links_portal.api
    public = restricted_links_portal.room(room_type=RoomType.PUBLIC)
    with pytest.raises(Forbidden):
        api.set_room_link(public.id, LinkRequest(LinkType.EXTERNAL, FileShare.READ, title="Client"))
    custom = restricted_links_portal.room(room_type=RoomType.CUSTOM)
    link = api.set_room_link(custom.id, LinkRequest(LinkType.EXTERNAL, FileShare.READ, title="Client"))
    assert link is not None and link.shared_link.internal


def test_guest_invitations_off_refuses_email_invitations(no_guests_portal: Portal) -> None:
    """Guest invitations disabled: inviting a new address by e-mail is 403 and adds nobody."""
    api = no_guests_portal.api
    room = no_guests_portal.room()
    before = len(api.room_members(room.id))
    body = {"invitations": [{"email": f"client-{no_guests_portal.run}@example.com", "access": 2}]}
    with pytest.raises(Forbidden):
        api.call("PUT", f"files/rooms/{room.id}/share", body=body)
    assert len(api.room_members(room.id)) == before
