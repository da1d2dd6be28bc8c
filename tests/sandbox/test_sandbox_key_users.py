"""``--key-user``: the sandbox's API key belongs to the owner, a DocSpace admin or a room admin.

Server rules copied (ONLYOFFICE/DocSpace-server v3.7.2): rooms a non-admin sees are those they
created or hold an ACE in (``FileSecurity.GetVirtualRoomsForMeAsync`` / ``FolderDao.GetRoomsAsync``);
DocSpace admins list every room (``GetAllVirtualRoomsAsync``) but in a room they neither created
nor manage may only read, archive and delete (``FileSecurity.FilterEntryAsync``: Create, EditRoom
and EditAccess need RoomManager or ``HasFullAccessAsync``, i.e. the room's creator); nobody reads
another user's My documents (FolderType.USER: ``RootCreateBy == userId`` only); room admins see
every non-guest and only the guests related to them (``UserExtensions.CanUserViewAnotherUserAsync``,
``DbUserService`` Area.All without IncludeStrangers).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.checked_api import CheckedApi
from support.sandbox_api import error_message

from docspace_sandbox.server import Sandbox, start

OWNER = "owner@sandbox.example"
ADMIN = "dana.admin@sandbox.example"
ROOM_ADMIN = "rita.roomadmin@sandbox.example"
GUEST = "gina.guest@sandbox.example"
TEMPLATES = {"Welcome to your client room.pdf", "How to use the client portal.pdf"}
NO_VIEW = "You don't have enough permission to view the folder content"


@pytest.fixture
def room_admin() -> Iterator[Sandbox]:
    """A sandbox whose key is the seeded room admin's."""
    with start(port=0, key_user="room-admin") as portal:
        yield portal


@pytest.fixture
def admin() -> Iterator[Sandbox]:
    """A sandbox whose key is the seeded DocSpace admin's."""
    with start(port=0, key_user="admin") as portal:
        yield portal


def _owner_room(api: CheckedApi, title: str = "Owner's room", room_type: int = 2) -> dict[str, Any]:
    """A room created with the owner's key (the key is switched back afterwards)."""
    before = api.settings()["key_user"]
    api.settings(key_user="owner")
    try:
        return api.room(title, room_type=room_type)
    finally:
        api.settings(key_user=before)


def _my_titles(api: CheckedApi) -> set[str]:
    content = api.get("files/@my").json()["response"]
    return {f["title"] for f in content["files"]}


def test_default_key_is_the_owner_and_settings_say_so(sandbox: Sandbox) -> None:
    """Without options the key is the owner's and GET /__sandbox__/settings shows every default."""
    api = CheckedApi(sandbox)
    me = api.get("people/@self").json()["response"]
    assert (me["email"], me["isOwner"], me["isAdmin"]) == (OWNER, True, False)
    assert api.settings() == {
        "key_user": "owner",
        "invitation_limit": None,
        "room_quota": None,
        "guest_invites": True,
        "external_links": "public",
        "password_policy": {"min_length": 8, "upper_case": False, "digits": False, "spec_symbols": False},
    }


def test_admin_key_is_a_docspace_admin_with_the_templates_in_its_my_documents(admin: Sandbox) -> None:
    """``--key-user admin``: @self is a DocSpace admin (not the owner) whose @my holds the templates."""
    api = CheckedApi(admin)
    me = api.get("people/@self").json()["response"]
    assert (me["email"], me["isAdmin"], me["isOwner"], me["isRoomAdmin"]) == (ADMIN, True, False, False)
    content = api.get("files/@my").json()["response"]
    assert {f["title"] for f in content["files"]} >= TEMPLATES
    assert {f["createdBy"]["id"] for f in content["files"]} == {me["id"]}
    assert content["current"]["createdBy"]["id"] == me["id"]


def test_room_admin_key_has_its_own_my_documents_and_not_the_owners(room_admin: Sandbox) -> None:
    """``--key-user room-admin``: the templates are in the room admin's @my; the owner's My documents
    answers 403 "You don't have enough permission to view the folder content", its files 403 "… view
    the file" (``FileStorageService.GetFileAsync``: 404 only for a file that does not exist)."""
    api = CheckedApi(room_admin)
    me = api.get("people/@self").json()["response"]
    assert (me["email"], me["isRoomAdmin"], me["isAdmin"]) == (ROOM_ADMIN, True, False)
    assert _my_titles(api) >= TEMPLATES
    api.settings(key_user="owner")
    owner_my = api.get("files/@my").json()["response"]
    owner_file = owner_my["files"][0]["id"]
    api.settings(key_user="room-admin")
    response = api.get(f"files/{owner_my['current']['id']}")
    assert (response.status_code, error_message(response)) == (403, NO_VIEW)
    response = api.get(f"files/file/{owner_file}")
    assert (response.status_code, error_message(response)) == (
        403,
        "You don't have enough permission to view the file",
    )
    assert api.get("files/file/987654").status_code == 404


def test_room_admin_sees_only_rooms_it_created_or_was_invited_to(room_admin: Sandbox) -> None:
    """The owner's room is neither listed nor readable (403) until the room admin is invited."""
    api = CheckedApi(room_admin)
    mine = api.room("Rita's room")
    other = _owner_room(api)
    listed = {r["id"] for r in api.get("files/rooms").json()["response"]["folders"]}
    assert listed == {mine["id"]}
    response = api.get(f"files/rooms/{other['id']}")
    assert (response.status_code, error_message(response)) == (403, NO_VIEW)
    me = api.get("people/@self").json()["response"]["id"]
    api.settings(key_user="owner")
    api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": me, "access": 2}]})
    api.settings(key_user="room-admin")
    listed = {r["id"] for r in api.get("files/rooms").json()["response"]["folders"]}
    assert listed == {mine["id"], other["id"]}


def test_room_admin_as_room_manager_may_manage_but_not_archive_anothers_room(room_admin: Sandbox) -> None:
    """A RoomManager ACE gives Create and EditAccess, but Move (archive) of a room needs its creator
    or a DocSpace admin (``FilterEntryAsync``: Move with RoomManager is for non-rooms only)."""
    api = CheckedApi(room_admin)
    other = _owner_room(api)
    me = api.get("people/@self").json()["response"]["id"]
    carl = api.user_id("carl.user@sandbox.example")
    api.settings(key_user="owner")
    api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": me, "access": 9}]})
    api.settings(key_user="room-admin")
    assert api.post(f"files/folder/{other['id']}", json={"title": "Invoices"}).status_code == 200
    shared = api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": carl, "access": 2}]})
    assert shared.status_code == 200, shared.text
    archived = api.put(f"files/rooms/{other['id']}/archive", json={})
    assert (archived.status_code, error_message(archived)) == (403, "Access denied")


def test_room_admin_people_visibility(room_admin: Sandbox) -> None:
    """People: every non-guest, plus the guests this room admin invited; others are 403 by e-mail."""
    api = CheckedApi(room_admin)
    emails = {u["email"] for u in api.get("people/filter").json()["response"]}
    assert OWNER in emails and ADMIN in emails and GUEST not in emails
    hidden = api.get("people/email", params={"email": GUEST})
    assert (hidden.status_code, error_message(hidden)) == (403, "Access denied")
    room = api.room()
    invited = api.put(
        f"files/rooms/{room['id']}/share",
        json={"invitations": [{"email": "new.client@acme.example", "access": 2}]},
    )
    assert invited.status_code == 200, invited.text
    guests = {u["email"] for u in api.get("people/filter", params={"area": "Guests"}).json()["response"]}
    assert guests == {"new.client@acme.example"}
    assert api.get("people/email", params={"email": "new.client@acme.example"}).status_code == 200


def test_room_admin_invites_admins_as_managers_but_guests_of_others_are_dropped(room_admin: Sandbox) -> None:
    """A room admin may make a DocSpace admin Room manager (AvailableUserAccesses[DocSpaceAdmin]
    has RoomManager); a guest it cannot see is silently left out (SetRoomSecurity's filter)."""
    api = CheckedApi(room_admin)
    room = api.room()
    dana = api.user_id(ADMIN)
    api.settings(key_user="owner")
    gina = api.user_id(GUEST)
    api.settings(key_user="room-admin")
    response = api.put(
        f"files/rooms/{room['id']}/share",
        json={"invitations": [{"id": dana, "access": 9}, {"id": gina, "access": 2}]},
    )
    assert response.status_code == 200, response.text
    members = {m["sharedTo"]["email"]: m["access"] for m in response.json()["response"]["members"]}
    assert members == {ADMIN: 9}


def test_only_the_rooms_creator_may_remove_a_guest_it_cannot_see(room_admin: Sandbox) -> None:
    """Removing (access None) is kept for the room's creator whoever the user is, but a Room manager
    who did not create the room only removes users it can see: a guest another account invited is
    silently left in (``VirtualRoomsController.SetRoomSecurity``'s filter: ``room.CreateBy ==
    currentUserId && (Access == None || already a member) || CanUserViewAnotherUserAsync``)."""
    api = CheckedApi(room_admin)
    other = _owner_room(api)
    me = api.get("people/@self").json()["response"]["id"]
    api.settings(key_user="owner")
    gina = api.user_id(GUEST)
    api.put(
        f"files/rooms/{other['id']}/share",
        json={"invitations": [{"id": me, "access": 9}, {"id": gina, "access": 2}]},
    )
    api.settings(key_user="room-admin")
    removal = api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": gina, "access": 0}]})
    assert removal.status_code == 200, removal.text
    api.settings(key_user="owner")
    members = {m["sharedTo"]["email"] for m in api.get(f"files/rooms/{other['id']}/share").json()["response"]}
    assert GUEST in members
    api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": gina, "access": 0}]})
    members = {m["sharedTo"]["email"] for m in api.get(f"files/rooms/{other['id']}/share").json()["response"]}
    assert GUEST not in members


def test_admin_lists_every_room_but_only_reads_and_archives_anothers(admin: Sandbox) -> None:
    """A DocSpace admin sees the owner's room and may archive it, but creating a folder in it is
    403 "You don't have enough permission to create" and inviting into it 403 "Access denied"."""
    api = CheckedApi(admin)
    other = _owner_room(api)
    assert other["id"] in {r["id"] for r in api.get("files/rooms").json()["response"]["folders"]}
    assert api.get(f"files/rooms/{other['id']}").status_code == 200
    folder = api.post(f"files/folder/{other['id']}", json={"title": "Invoices"})
    assert (folder.status_code, error_message(folder)) == (403, "You don't have enough permission to create")
    carl = api.user_id("carl.user@sandbox.example")
    share = api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": carl, "access": 2}]})
    assert (share.status_code, error_message(share)) == (403, "Access denied")
    op = api.put(f"files/rooms/{other['id']}/archive", json={}).json()["response"]
    assert api.wait_operation(op["id"])["error"] == ""


def test_admin_key_onboards_in_rooms_it_creates(admin: Sandbox) -> None:
    """In its own room an admin key does everything the owner key does: folders, copies, members, links."""
    api = CheckedApi(admin)
    room = api.room("Client - Acme", room_type=5)
    assert api.post(f"files/folder/{room['id']}", json={"title": "Invoices"}).status_code == 200
    source = next(f for f in api.get("files/@my").json()["response"]["files"] if f["title"] in TEMPLATES)
    copied = api.post(
        f"files/file/{source['id']}/copyas", json={"destTitle": source["title"], "destFolderId": room["id"]}
    )
    assert copied.status_code == 200, copied.text
    manager = api.user_id("anna.manager@sandbox.example")
    shared = api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": manager, "access": 9}]})
    assert shared.status_code == 200, shared.text
    link = api.put(f"files/rooms/{room['id']}/links", json={"linkType": 1, "access": 2, "title": "Client"})
    assert link.status_code == 200, link.text


def test_key_user_can_be_changed_on_a_running_sandbox(sandbox: Sandbox) -> None:
    """POST /__sandbox__/settings {"key_user": …} changes whose key it is, at once, for the same key."""
    api = CheckedApi(sandbox)
    for key_user, email in (("room-admin", ROOM_ADMIN), ("admin", ADMIN), ("owner", OWNER)):
        assert api.settings(key_user=key_user)["key_user"] == key_user
        assert api.get("people/@self").json()["response"]["email"] == email


def test_share_and_link_lists_of_a_room_one_cannot_read_are_empty(room_admin: Sandbox) -> None:
    """``GET …/share`` and ``…/links`` of an unseen room answer 200 with nothing (``FileSharing.
    GetPureSharesAsync`` yields nothing without Read); a missing room is 404 "Item not found"."""
    api = CheckedApi(room_admin)
    other = _owner_room(api, room_type=5)
    for path in (f"files/rooms/{other['id']}/share", f"files/rooms/{other['id']}/links"):
        body = api.get(path).json()
        assert (body["response"], body["count"]) == ([], 0), path
    missing = api.get("files/rooms/999999/share")
    assert (missing.status_code, error_message(missing)) == (404, "Item not found")


def test_a_member_without_room_manager_reads_users_and_the_primary_link_only(room_admin: Sandbox) -> None:
    """Readers list the members and the primary link; other links need ReadLinks (creator or Room
    manager), so ``…/links`` and link filters are empty for them."""
    api = CheckedApi(room_admin)
    other = _owner_room(api, room_type=5)
    me = api.get("people/@self").json()["response"]["id"]
    api.settings(key_user="owner")
    api.get(f"files/rooms/{other['id']}/link")
    api.put(f"files/rooms/{other['id']}/links", json={"linkType": 1, "access": 2, "title": "Extra"})
    api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": me, "access": 2}]})
    api.settings(key_user="room-admin")
    users = api.get(f"files/rooms/{other['id']}/share").json()["response"]
    assert {u["sharedTo"]["email"] for u in users} == {OWNER, ROOM_ADMIN}
    assert api.get(f"files/rooms/{other['id']}/links").json()["response"] == []
    assert api.get(f"files/rooms/{other['id']}/share", params={"filterType": 15}).json()["response"] == []
    primary = api.get(f"files/rooms/{other['id']}/share", params={"filterType": 8}).json()["response"]
    assert [x["sharedLink"]["primary"] for x in primary] == [True]


def test_a_state_file_from_before_the_key_users_gains_them(tmp_path: Path) -> None:
    """A ``--state`` file without the room admin (written by an older sandbox) still serves
    ``--key-user room-admin``: the missing account and its My documents are added on load."""
    state = tmp_path / "portal.json"
    with start(port=0, state_file=state) as portal:
        CheckedApi(portal).room("Kept")
    data = json.loads(state.read_text(encoding="utf-8"))
    rita = next(u["id"] for u in data["users"] if u["email"] == ROOM_ADMIN)
    data["users"] = [u for u in data["users"] if u["id"] != rita]
    mine = {f["id"] for f in data["folders"] if f["created_by"] == rita}
    data["folders"] = [f for f in data["folders"] if f["id"] not in mine]
    data["files"] = [f for f in data["files"] if f["created_by"] != rita]
    state.write_text(json.dumps(data), encoding="utf-8")
    with start(port=0, state_file=state, key_user="room-admin") as portal:
        api = CheckedApi(portal)
        assert api.get("people/@self").json()["response"]["email"] == ROOM_ADMIN
        assert _my_titles(api) >= TEMPLATES
        api.settings(key_user="owner")
        assert [r["title"] for r in api.get("files/rooms").json()["response"]["folders"]] == ["Kept"]


def _flags(api: CheckedApi, room_id: int) -> dict[str, bool]:
    flags: dict[str, bool] = api.get(f"files/rooms/{room_id}").json()["response"]["security"]
    return {k: flags[k] for k in ("Read", "Create", "EditRoom", "EditAccess", "Move", "ChangeOwner")}


def test_room_security_flags_are_the_callers(room_admin: Sandbox) -> None:
    """FolderDto.security tells each caller what it may do (``FilterEntryAsync`` per user): full
    in its own room, read-only as a reader, manage-but-not-archive as a Room manager."""
    api = CheckedApi(room_admin)
    own = api.room("Mine")
    assert set(_flags(api, own["id"]).values()) == {True}
    other = _owner_room(api)
    me = api.get("people/@self").json()["response"]["id"]
    api.settings(key_user="owner")
    api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": me, "access": 2}]})
    api.settings(key_user="room-admin")
    reader = dict.fromkeys(("Create", "EditRoom", "EditAccess", "Move", "ChangeOwner"), False)
    assert _flags(api, other["id"]) == {"Read": True, **reader}
    api.settings(key_user="owner")
    api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": me, "access": 9}]})
    api.settings(key_user="room-admin")
    manager = {"Read": True, "Create": True, "EditRoom": True, "EditAccess": True}
    assert _flags(api, other["id"]) == {**manager, "Move": False, "ChangeOwner": False}


def test_admin_security_flags_in_anothers_room(admin: Sandbox) -> None:
    """A DocSpace admin outside the room: Read, Move (archive) and ChangeOwner, nothing to manage."""
    api = CheckedApi(admin)
    other = _owner_room(api)
    expected = {"Read": True, "Create": False, "EditRoom": False, "EditAccess": False}
    assert _flags(api, other["id"]) == {**expected, "Move": True, "ChangeOwner": True}


def test_file_security_flags_follow_the_callers_role(room_admin: Sandbox) -> None:
    """FileDto.security in another's room: a reader may read and download, not edit or delete."""
    api = CheckedApi(room_admin)
    other = _owner_room(api, room_type=5)
    me = api.get("people/@self").json()["response"]["id"]
    api.settings(key_user="owner")
    source = api.get("files/@my").json()["response"]["files"][0]
    body = {"destTitle": source["title"], "destFolderId": other["id"]}
    assert api.post(f"files/file/{source['id']}/copyas", json=body).status_code == 200
    api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": me, "access": 2}]})
    api.settings(key_user="room-admin")
    flags = api.get(f"files/{other['id']}").json()["response"]["files"][0]["security"]
    shown = {k: flags[k] for k in ("Read", "Download", "Edit", "Delete", "Rename", "Move")}
    assert shown == {
        "Read": True,
        "Download": True,
        "Edit": False,
        "Delete": False,
        "Rename": False,
        "Move": False,
    }


def test_the_rooms_section_lists_only_the_rooms_a_room_admin_sees(room_admin: Sandbox) -> None:
    """``GET files/{Rooms}`` is readable by every account and lists what the caller may see."""
    api = CheckedApi(room_admin)
    mine = api.room("Mine")
    _owner_room(api)
    section = mine["parentId"]
    content = api.get(f"files/{section}").json()["response"]
    assert [f["id"] for f in content["folders"]] == [mine["id"]]
    assert content["total"] == 1


def test_archiving_a_room_the_key_cannot_read_names_the_read_right(room_admin: Sandbox) -> None:
    """Archive/unarchive of an unreadable room is 403 with GetFolderAsync's InvalidOperationException
    text, not "Access denied" (VirtualRoomsController.ArchiveRoom → FileStorageService.GetFolderAsync)."""
    api = CheckedApi(room_admin)
    other = _owner_room(api)
    for action in ("archive", "unarchive"):
        answer = api.put(f"files/rooms/{other['id']}/{action}", json={})
        assert (answer.status_code, error_message(answer)) == (403, NO_VIEW)
        assert answer.json()["error"]["type"] == "System.InvalidOperationException"


def test_sharing_a_room_the_key_cannot_read_names_the_read_right(room_admin: Sandbox) -> None:
    """PUT share of an unreadable room: 403 "…view the folder content" (SetRoomSecurity → FileStorageService.GetFolderAsync)."""
    api = CheckedApi(room_admin)
    other = _owner_room(api)
    carl = api.user_id("carl.user@sandbox.example")
    answer = api.put(f"files/rooms/{other['id']}/share", json={"invitations": [{"id": carl, "access": 2}]})
    assert (answer.status_code, error_message(answer)) == (403, NO_VIEW)
    assert answer.json()["error"]["type"] == "System.InvalidOperationException"
    missing = api.put("files/rooms/999999/share", json={"invitations": [{"id": carl, "access": 2}]})
    assert (missing.status_code, error_message(missing)) == (404, "The required folder was not found")
