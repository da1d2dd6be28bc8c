"""``PUT/GET files/rooms/{id}/share``: role tables, user types, e-mail invites and no-ops."""

from __future__ import annotations

import requests
from support.sandbox_api import Api, error_message

from docspace_sandbox.server import Sandbox

ROLE_ERROR = "The role is not available for this user type"


def _share(api: Api, room_id: int, *invitations: dict[str, object]) -> object:
    return api.put(f"files/rooms/{room_id}/share", json={"invitations": list(invitations), "notify": False})


def test_guest_cannot_be_room_manager(sandbox: Sandbox) -> None:
    """Access 9 for a guest → 403 "The role is not available for this user type"."""
    api = Api(sandbox)
    room = api.room()
    response = _share(api, room["id"], {"id": api.user_id("gina.guest@sandbox.example"), "access": 9})
    assert (response.status_code, error_message(response)) == (403, ROLE_ERROR)  # type: ignore[attr-defined]


def test_plain_user_cannot_be_room_manager(sandbox: Sandbox) -> None:
    """A User-type account may not receive RoomManager either."""
    api = Api(sandbox)
    room = api.room()
    response = _share(api, room["id"], {"id": api.user_id("carl.user@sandbox.example"), "access": 9})
    assert (response.status_code, error_message(response)) == (403, ROLE_ERROR)  # type: ignore[attr-defined]


def test_room_admin_becomes_room_manager_and_is_listed(sandbox: Sandbox) -> None:
    """A room admin may be 9; the response lists the member for the id sent."""
    api = Api(sandbox)
    room = api.room()
    anna = api.user_id("anna.manager@sandbox.example")
    body = _share(api, room["id"], {"id": anna, "access": 9}).json()  # type: ignore[attr-defined]
    assert body["response"]["error"] == 0
    assert [(m["sharedToUser"]["id"], m["access"]) for m in body["response"]["members"]] == [(anna, 9)]


def test_email_invite_as_room_manager_is_403(sandbox: Sandbox) -> None:
    """E-mail invites are type-checked as Guest, even for an existing room admin's address."""
    api = Api(sandbox)
    room = api.room()
    response = _share(api, room["id"], {"email": "anna.manager@sandbox.example", "access": 9})
    assert (response.status_code, error_message(response)) == (403, ROLE_ERROR)  # type: ignore[attr-defined]


def test_email_invite_of_new_address_creates_pending_guest(sandbox: Sandbox) -> None:
    """An unknown address becomes a pending Guest shared with the requested access."""
    api = Api(sandbox)
    room = api.room()
    body = _share(api, room["id"], {"email": "client@acme.example", "access": 2}).json()  # type: ignore[attr-defined]
    assert body["response"]["members"] == []  # e-mail items have no id to list
    person = api.get("people/email", params={"email": "client@acme.example"}).json()["response"]
    assert (person["isVisitor"], person["activationStatus"]) == (True, 2)
    members = {m["email"]: m["access"] for m in sandbox.state()["rooms"][0]["members"]}
    assert members["client@acme.example"] == 2


def test_share_without_invitations_is_a_200_noop(sandbox: Sandbox) -> None:
    """Missing or empty ``invitations`` → 200 with ``{"error": 0}`` and nothing changed."""
    api = Api(sandbox)
    room = api.room()
    for body in ({}, {"invitations": []}):
        response = api.put(f"files/rooms/{room['id']}/share", json=body)
        assert response.status_code == 200
        assert response.json()["response"] == {"error": 0}
    assert [m["owner"] for m in sandbox.state()["rooms"][0]["members"]] == [True]


def test_entries_key_from_the_official_example_changes_nothing(sandbox: Sandbox) -> None:
    """The example's ``entries`` key is ignored: 200, ``error: 0``, no member added."""
    api = Api(sandbox)
    room = api.room()
    anna = api.user_id("anna.manager@sandbox.example")
    response = api.put(
        f"files/rooms/{room['id']}/share",
        json={"entries": [{"id": anna, "access": 4, "isGroup": False}], "notify": True},
    )
    assert response.status_code == 200 and response.json()["response"] == {"error": 0}
    assert len(sandbox.state()["rooms"][0]["members"]) == 1


def test_access_varies_and_readwrite_are_403(sandbox: Sandbox) -> None:
    """The example's 4 ("full") and 1 ("read-only") are not room roles at all."""
    api = Api(sandbox)
    room = api.room()
    anna = api.user_id("anna.manager@sandbox.example")
    for access in (4, 1):
        response = _share(api, room["id"], {"id": anna, "access": access})
        assert (response.status_code, error_message(response)) == (403, ROLE_ERROR)  # type: ignore[attr-defined]


def test_role_table_depends_on_room_type(sandbox: Sandbox) -> None:
    """Read (2) is fine in a Collaboration room but not in a Public room."""
    api = Api(sandbox)
    carl = api.user_id("carl.user@sandbox.example")
    collab, public = api.room("C", 2), api.room("P", 6)
    assert _share(api, collab["id"], {"id": carl, "access": 2}).status_code == 200  # type: ignore[attr-defined]
    assert _share(api, public["id"], {"id": carl, "access": 2}).status_code == 403  # type: ignore[attr-defined]


def test_unknown_access_name_removes_the_member(sandbox: Sandbox) -> None:
    """An unrecognised access string reads as 0 = None, which removes the member."""
    api = Api(sandbox)
    room = api.room()
    carl = api.user_id("carl.user@sandbox.example")
    _share(api, room["id"], {"id": carl, "access": "Editing"})
    assert len(sandbox.state()["rooms"][0]["members"]) == 2
    _share(api, room["id"], {"id": carl, "access": "FullAccess"})
    assert len(sandbox.state()["rooms"][0]["members"]) == 1


def test_share_list_has_owner_with_readwrite_and_total(sandbox: Sandbox) -> None:
    """``GET share`` lists the owner first (access 1, isOwner) and pages with ``total``."""
    api = Api(sandbox)
    room = api.room()
    _share(api, room["id"], {"id": api.user_id("carl.user@sandbox.example"), "access": 10})
    body = api.get(f"files/rooms/{room['id']}/share").json()
    assert (body["count"], body["total"]) == (2, 2)
    owner = body["response"][0]
    assert (owner["access"], owner["isOwner"], owner["sharedToUser"]["email"]) == (
        1,
        True,
        "owner@sandbox.example",
    )
    page = api.get(f"files/rooms/{room['id']}/share", params={"startIndex": 1, "count": 1}).json()
    assert [m["access"] for m in page["response"]] == [10]


def test_inviting_the_room_owner_stores_its_ace_and_answers_with_it(sandbox: Sandbox) -> None:
    """The owner invited by id is not skipped (FileSharingAceHelper.SetAceObjectAsync skips the
    creator only for a link ACE): the answer (GetRoomSharedInfoAsync) lists the stored access, not
    ReadWrite; GET share then has the default owner row and the stored one; None removes it."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    me = api.get("people/@self").json()["response"]["id"]
    body = _share(api, room["id"], {"id": me, "access": 2}).json()  # type: ignore[attr-defined]
    [listed] = body["response"]["members"]
    assert (listed["sharedToUser"]["id"], listed["access"], listed["isOwner"], listed["isLocked"]) == (
        me, 2, True, True,
    )  # fmt: skip
    rows = api.get(f"files/rooms/{room['id']}/share").json()
    assert [(m["access"], m["isOwner"], m["isLocked"]) for m in rows["response"]] == [
        (1, True, False),
        (2, True, True),
    ]
    assert rows["total"] == 2
    removed = _share(api, room["id"], {"id": me, "access": 0}).json()  # type: ignore[attr-defined]
    assert removed["response"]["members"] == []
    assert [m["access"] for m in api.get(f"files/rooms/{room['id']}/share").json()["response"]] == [1]


def test_an_owner_without_a_stored_ace_is_not_in_the_share_answer(sandbox: Sandbox) -> None:
    """Removing the owner (access None) stores nothing; the answer lists the request's stored ACEs
    only (FileSharing.GetPureSharesAsync(entry, subjects)), never the default ReadWrite row."""
    api = Api(sandbox)
    room = api.room()
    me = api.get("people/@self").json()["response"]["id"]
    carl = api.user_id("carl.user@sandbox.example")
    body = _share(api, room["id"], {"id": me, "access": 0}, {"id": carl, "access": 10}).json()  # type: ignore[attr-defined]
    assert [(m["sharedToUser"]["id"], m["access"]) for m in body["response"]["members"]] == [(carl, 10)]


def test_removing_a_user_with_form_roles_in_a_vdr_is_refused_with_error_1_unless_forced(
    sandbox: Sandbox,
) -> None:
    """Access None for a user holding form roles in a Virtual data room answers 200 ``{"error": 1}``
    and removes nobody in the request; ``force: true`` removes them
    (``VirtualRoomsController.SetRoomSecurity`` → ``FileStorageService.ShouldPreventUserDeletion``)."""
    api = Api(sandbox)
    room = api.room(room_type=8)
    anna, carl = api.user_id("anna.manager@sandbox.example"), api.user_id("carl.user@sandbox.example")
    _share(api, room["id"], {"id": anna, "access": 9}, {"id": carl, "access": 2})
    control = requests.post(
        f"{sandbox.url}/__sandbox__/rooms/form-role",
        json={"room_id": room["id"], "email": "carl.user@sandbox.example"},
        timeout=10,
    )
    assert control.status_code == 200
    gone = [{"id": anna, "access": 0}, {"id": carl, "access": 0}]
    response = api.put(f"files/rooms/{room['id']}/share", json={"invitations": gone})
    assert (response.status_code, response.json()["status"], response.json()["response"]) == (
        200,
        0,
        {"error": 1},
    )
    members = {m["email"] for m in sandbox.state()["rooms"][0]["members"]}
    assert {"anna.manager@sandbox.example", "carl.user@sandbox.example"} <= members
    forced = api.put(f"files/rooms/{room['id']}/share", json={"invitations": gone, "force": True})
    assert forced.status_code == 200 and forced.json()["response"]["error"] == 0
    members = {m["email"] for m in sandbox.state()["rooms"][0]["members"]}
    assert not {"anna.manager@sandbox.example", "carl.user@sandbox.example"} & members


def test_a_group_is_shared_listed_and_removed_by_its_id(sandbox: Sandbox) -> None:
    """A group id in ``invitations`` becomes a Group ACE (subject type 2, ``sharedToGroup``), may
    not be Room manager, is listed by ``GET share`` (also with ``filterType=32``) and removed by
    access None (``FileSharingAceHelper.SetAceObjectAsync``: ``GetGroupInfoAsync`` finds the group)."""
    api = Api(sandbox)
    room = api.room()
    made = requests.post(f"{sandbox.url}/__sandbox__/groups", json={"name": "Sales team"}, timeout=10)
    gid = made.json()["id"]
    refused = _share(api, room["id"], {"id": gid, "access": 9})
    assert (refused.status_code, error_message(refused)) == (403, ROLE_ERROR)  # type: ignore[attr-defined]
    body = _share(api, room["id"], {"id": gid, "access": 2}).json()  # type: ignore[attr-defined]
    assert [(m["sharedToGroup"], m["subjectType"]) for m in body["response"]["members"]] == [
        ({"id": gid, "name": "Sales team"}, 2)
    ]
    listed = api.get(f"files/rooms/{room['id']}/share").json()["response"]
    assert [(m["sharedToGroup"]["id"], m["access"]) for m in listed if "sharedToGroup" in m] == [(gid, 2)]
    only = api.get(f"files/rooms/{room['id']}/share", params={"filterType": 32}).json()["response"]
    assert [m["sharedToGroup"]["name"] for m in only] == ["Sales team"]
    _share(api, room["id"], {"id": gid, "access": 0})
    listed = api.get(f"files/rooms/{room['id']}/share").json()["response"]
    assert not [m for m in listed if "sharedToGroup" in m]
