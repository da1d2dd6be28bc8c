"""Divergences from the real server found by the sandbox audit, one behaviour test each."""

from __future__ import annotations

import threading
from typing import Any

import requests
from support.sandbox_api import Api, error_message
from support.waiting import wait_until

from docspace_sandbox.server import Sandbox

PASSWORD_MESSAGE = "Password must contain from 8 to 30 characters, only latin letters, no spaces"
ROLE_MESSAGE = "The role is not available for this user type"
GHOST = "11111111-2222-3333-4444-555555555555"


def _emails(response: requests.Response) -> list[str]:
    return [m["sharedToUser"]["email"] for m in response.json()["response"] if "sharedToUser" in m]


def _validation_errors(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert (response.status_code, body["status"], body["statusCode"]) == (400, 1, 400), response.text
    errors: dict[str, Any] = body["response"]["errors"]
    return errors


# ---------------------------------------------------------------------- 1. link passwords


def test_external_link_password_must_fit_the_default_policy(sandbox: Sandbox) -> None:
    """Too short, with spaces, too long or non-ASCII link passwords are a 400 ArgumentException."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    for password in ("abc", "has spaces 123", "x" * 31, "pässwörter"):
        response = api.put(
            f"files/rooms/{room['id']}/links", json={"linkType": 1, "access": 2, "password": password}
        )
        assert (response.status_code, error_message(response)) == (400, PASSWORD_MESSAGE), password
        assert response.json()["error"]["type"] == "System.ArgumentException"
    assert sandbox.state()["rooms"][0]["links"] == []


def test_link_password_inside_the_policy_is_stored_trimmed(sandbox: Sandbox) -> None:
    """8 and 30 printable ASCII characters pass; the controller trims the password first."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    for password in ("  Abc!1234  ", "y" * 30):
        response = api.put(
            f"files/rooms/{room['id']}/links", json={"linkType": 1, "access": 2, "password": password}
        )
        assert response.status_code == 200, response.text
        assert response.json()["response"]["sharedLink"]["password"] == password.strip()


def test_primary_link_update_checks_the_password(sandbox: Sandbox) -> None:
    """Updating the primary link of a Public room with a bad password is refused as well."""
    api = Api(sandbox)
    room = api.room(room_type=6)
    primary = api.get(f"files/rooms/{room['id']}/link").json()["response"]["sharedLink"]["id"]
    response = api.put(
        f"files/rooms/{room['id']}/links",
        json={"linkId": primary, "linkType": 1, "access": 2, "password": "short"},
    )
    assert (response.status_code, error_message(response)) == (400, PASSWORD_MESSAGE)


# ---------------------------------------------------------------------- 2. invitation links


def test_invitation_link_ignores_password_deny_download_and_internal(sandbox: Sandbox) -> None:
    """SetInvitationLinkAsync takes none of the three: not stored, not echoed (even a bad password)."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    response = api.put(
        f"files/rooms/{room['id']}/links",
        json={"linkType": 0, "access": 2, "password": "abc", "denyDownload": True, "internal": True},
    )
    assert response.status_code == 200, response.text
    shared = response.json()["response"]["sharedLink"]
    assert "password" not in shared
    assert (shared["denyDownload"], shared["internal"]) == (False, False)
    assert sandbox.state()["rooms"][0]["links"][0]["password"] is None


# ---------------------------------------------------------------------- 3. invitation e-mails


def test_malformed_invitation_email_is_a_validation_400(sandbox: Sandbox) -> None:
    """``[EmailAddress]``: exactly one '@', neither first nor last; nothing is stored or created."""
    api = Api(sandbox)
    room = api.room()
    for i, email in enumerate(("not-an-email", "two@at@example.com", "@example.com", "user@", "")):
        invitations = [{"email": "ok.first@acme.example", "access": 2}] * i + [{"email": email, "access": 2}]
        response = api.put(f"files/rooms/{room['id']}/share", json={"invitations": invitations})
        assert _validation_errors(response) == {
            f"Invitations[{i}].Email": ["The Email field is not a valid e-mail address."]
        }, email
    assert _emails(api.get(f"files/rooms/{room['id']}/share")) == ["owner@sandbox.example"]
    assert api.get("people/email", params={"email": "ok.first@acme.example"}).status_code == 404


def test_invitation_email_over_255_is_a_validation_400(sandbox: Sandbox) -> None:
    """``[MaxLength(255)]`` on the e-mail, reported with MaxLength's own wording."""
    api = Api(sandbox)
    room = api.room()
    email = "a" * 250 + "@acme.example"
    response = api.put(
        f"files/rooms/{room['id']}/share", json={"invitations": [{"email": email, "access": 2}]}
    )
    assert _validation_errors(response) == {
        "Invitations[0].Email": [
            "The field Email must be a string or array type with a maximum length of '255'."
        ]
    }


# ---------------------------------------------------------------------- 4. access kinds


def test_access_as_object_or_array_is_a_binding_400(sandbox: Sandbox) -> None:
    """FileShareConverter does not consume objects/arrays, so deserialisation fails; nothing changes."""
    api = Api(sandbox)
    room = api.room()
    carl = api.user_id("carl.user@sandbox.example")
    api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": carl, "access": 2}]})
    for access in ({"value": 10}, [10]):
        response = api.put(
            f"files/rooms/{room['id']}/share", json={"invitations": [{"id": carl, "access": access}]}
        )
        assert list(_validation_errors(response)) == ["$.invitations[0].access"]
    members = api.get(f"files/rooms/{room['id']}/share").json()["response"]
    assert [(m["sharedToUser"]["email"], m["access"]) for m in members] == [
        ("owner@sandbox.example", 1),
        ("carl.user@sandbox.example", 2),
    ]


def test_access_true_float_or_out_of_int32_still_means_none(sandbox: Sandbox) -> None:
    """Numbers that are not Int32 and booleans keep reading as 0 = None, which removes the member."""
    api = Api(sandbox)
    room = api.room()
    carl = api.user_id("carl.user@sandbox.example")
    for access in (True, 2.5, 2**31 + 2):
        api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": carl, "access": 2}]})
        response = api.put(
            f"files/rooms/{room['id']}/share", json={"invitations": [{"id": carl, "access": access}]}
        )
        assert response.status_code == 200, response.text
        assert _emails(api.get(f"files/rooms/{room['id']}/share")) == ["owner@sandbox.example"], access


# ---------------------------------------------------------------------- 5. unknown user ids


def test_unknown_user_id_is_checked_as_a_guest(sandbox: Sandbox) -> None:
    """An id naming no user resolves to the LostUser (Guest): RoomManager and ReadWrite are 403."""
    api = Api(sandbox)
    collab = api.room(room_type=2)
    for access in (9, 1):
        response = api.put(
            f"files/rooms/{collab['id']}/share", json={"invitations": [{"id": GHOST, "access": access}]}
        )
        assert (response.status_code, error_message(response)) == (403, ROLE_MESSAGE), access


def test_unknown_user_id_with_a_valid_role_is_stored_but_not_listed(sandbox: Sandbox) -> None:
    """The ACE is saved as on the server, but GET share (joined with the users table) never lists it."""
    api = Api(sandbox)
    room = api.room(room_type=2)
    response = api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": GHOST, "access": 2}]})
    assert response.status_code == 200, response.text
    assert response.json()["response"]["members"] == []
    listed = api.get(f"files/rooms/{room['id']}/share").json()
    assert (_emails_of(listed), listed["total"]) == (["owner@sandbox.example"], 1)
    stored = sandbox.backend.state.folders[room["id"]].members
    assert stored == {GHOST: 2}


def _emails_of(body: dict[str, Any]) -> list[str]:
    return [m["sharedToUser"]["email"] for m in body["response"]]


# ---------------------------------------------------------------------- 6. create-room body kinds


def test_create_room_optional_fields_of_the_wrong_kind_are_a_validation_400(sandbox: Sandbox) -> None:
    """quota, lifetime, logo, share, watermark, flags, color and cover must have their JSON kinds."""
    api = Api(sandbox)
    for extra, key in (
        ({"quota": "lots"}, "$.quota"),
        ({"quota": True}, "$.quota"),
        ({"quota": 1.5}, "$.quota"),
        ({"lifetime": "forever"}, "$.lifetime"),
        ({"logo": 5}, "$.logo"),
        ({"share": "everyone"}, "$.share"),
        ({"share": [5]}, "$.share[0]"),
        ({"sendFormToExternalDB": "yes"}, "$.sendFormToExternalDB"),
        ({"watermark": []}, "$.watermark"),
        ({"indexing": "true"}, "$.indexing"),
        ({"denyDownload": 1}, "$.denyDownload"),
        ({"color": 5}, "$.color"),
        ({"cover": ["x"]}, "$.cover"),
    ):
        response = api.post("files/rooms", json={"title": "T", "roomType": 2, **extra})
        assert list(_validation_errors(response)) == [key], extra
    assert sandbox.state()["rooms"] == []


def test_create_room_accepts_the_right_kinds(sandbox: Sandbox) -> None:
    """Objects, arrays, long numbers (or numeric strings) and nulls bind fine."""
    api = Api(sandbox)
    api.room(
        quota="1024",
        lifetime={"value": 1},
        logo=None,
        watermark={"text": "x"},
        share=[],
        sendFormToExternalDB=False,
        indexing=None,
    )


def test_private_room_needs_encryption_keys(sandbox: Sandbox) -> None:
    """``private: true`` with shares is 403: the owner has no encryption key; no room is created."""
    api = Api(sandbox)
    carl = api.user_id("carl.user@sandbox.example")
    response = api.post(
        "files/rooms",
        json={"title": "P", "roomType": 5, "private": True, "share": [{"shareTo": carl, "access": 2}]},
    )
    assert (response.status_code, error_message(response)) == (
        403,
        "The user Olivia Owner does not have an encryption key",
    )
    assert sandbox.state()["rooms"] == []


# ---------------------------------------------------------------------- 7. copyas


def test_copy_as_non_integral_or_out_of_range_destination_is_a_500(sandbox: Sandbox) -> None:
    """The controller reads ``destFolderId`` with GetInt32(): FormatException → 500 error envelope."""
    api = Api(sandbox)
    for dest in (1.5, 2**31, -(2**31) - 1):
        response = api.post("files/file/101/copyas", json={"destFolderId": dest, "destTitle": "x.pdf"})
        assert response.status_code == 500, dest
        assert response.json()["error"]["type"] == "System.FormatException"


def test_copy_as_same_extension_into_missing_or_archived_folder_is_access_denied(sandbox: Sandbox) -> None:
    """CreateNewFileAsync turns a missing or archived destination into a SecurityException."""
    api = Api(sandbox)
    room = api.room()
    op = api.put(f"files/rooms/{room['id']}/archive", json={"deleteAfter": False}).json()["response"]["id"]
    api.wait_operation(op)
    for dest in (999999, room["id"], 2, 3):
        response = api.post("files/file/101/copyas", json={"destFolderId": dest, "destTitle": "x.pdf"})
        assert (response.status_code, error_message(response)) == (403, "Access denied"), dest


def test_copy_as_other_extension_into_missing_folder_stays_404(sandbox: Sandbox) -> None:
    """The conversion path inserts via InsertFileAsync, which reports the missing folder as 404."""
    api = Api(sandbox)
    response = api.post("files/file/101/copyas", json={"destFolderId": 999999, "destTitle": "x.docx"})
    assert response.status_code == 404


# ---------------------------------------------------------------------- 8. room tag filters


def test_tags_filter_without_real_names_matches_nothing(sandbox: Sandbox) -> None:
    """``tags=[null]`` is a non-empty list, so the tag search runs and finds no room."""
    api = Api(sandbox)
    api.room("Tagged", tags=["crm:1"])
    api.room("Untagged")
    for raw in ("[null]", "[null, null]"):
        body = api.get("files/rooms", params={"tags": raw}).json()["response"]
        assert (body["folders"], body["total"]) == ([], 0), raw
    everything = api.get("files/rooms", params={"tags": "[]"}).json()["response"]
    assert everything["total"] == 2


def test_without_tags_excludes_tagged_rooms_and_overrides_tags(sandbox: Sandbox) -> None:
    """``withoutTags=true`` keeps untagged rooms only, even with a ``tags`` filter; bad bool → 400."""
    api = Api(sandbox)
    api.room("Tagged", tags=["crm:1"])
    api.room("Untagged")
    for params in ({"withoutTags": "true"}, {"withoutTags": "True", "tags": '["crm:1"]'}):
        folders = api.get("files/rooms", params=params).json()["response"]["folders"]
        assert [f["title"] for f in folders] == ["Untagged"], params
    assert api.get("files/rooms", params={"withoutTags": "yes"}).status_code == 400


# ---------------------------------------------------------------------- 9. tag creation order


def test_empty_tag_leaves_the_room_created_but_untagged(sandbox: Sandbox) -> None:
    """The room is saved before the tags; the 400 leaves it untagged, earlier new tags exist."""
    api = Api(sandbox)
    response = api.post(
        "files/rooms", json={"title": "Client - Acme", "roomType": 6, "tags": ["crm:C-1", "", "later"]}
    )
    assert (response.status_code, error_message(response)) == (
        400,
        "The value cannot be an empty string. (Parameter 'name')",
    )
    rooms = sandbox.state()["rooms"]
    assert [(x["title"], x["tags"], x["links"]) for x in rooms] == [("Client - Acme", [], [])]
    assert sandbox.backend.state.tags == {"crm:c-1": "crm:C-1"}


def test_whitespace_tag_is_accepted(sandbox: Sandbox) -> None:
    """ArgumentException.ThrowIfNullOrEmpty lets a whitespace-only name through."""
    api = Api(sandbox)
    room = api.room(tags=["  "])
    assert room["tags"] == ["  "]


# ---------------------------------------------------------------------- 10. anonymous folder reads


def test_anonymous_folder_contents_are_403(sandbox: Sandbox) -> None:
    """Bad key on ``GET files/{id}``: missing folder → "Access denied", a room → no view permission."""
    api = Api(sandbox)
    room = api.room()
    anonymous = Api(sandbox, key="sk-not-the-key")
    missing = anonymous.get("files/999999")
    assert (missing.status_code, error_message(missing)) == (403, "Access denied")
    existing = anonymous.get(f"files/{room['id']}")
    assert (existing.status_code, error_message(existing)) == (
        403,
        "You don't have enough permission to view the folder content",
    )


# ---------------------------------------------------------------------- 11. share filter types


def test_share_list_default_and_user_filters_list_users(sandbox: Sandbox) -> None:
    """No filterType = UserOrGroup (0); 16 User lists the same; 32 Group lists nothing here."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    carl = api.user_id("carl.user@sandbox.example")
    api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": carl, "access": 2}]})
    api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 2})
    expected = ["owner@sandbox.example", "carl.user@sandbox.example"]
    for params in ({}, {"filterType": 0}, {"filterType": "UserOrGroup"}, {"filterType": 16}):
        response = api.get(f"files/rooms/{room['id']}/share", params=params)
        assert (_emails(response), response.json()["total"]) == (expected, 2), params
    groups = api.get(f"files/rooms/{room['id']}/share", params={"filterType": 32}).json()
    assert (groups["response"], groups["total"]) == ([], 0)


def test_share_list_link_filters(sandbox: Sandbox) -> None:
    """1 invitation, 2 external (primary first), 4 additional external, 8 primary, 15 all links."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    api.put(f"files/rooms/{room['id']}/links", json={"linkType": 1, "access": 2, "title": "Extra"})
    api.get(f"files/rooms/{room['id']}/link")
    api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 2})

    def subjects(filter_type: int) -> list[int]:
        body = api.get(f"files/rooms/{room['id']}/share", params={"filterType": filter_type}).json()
        assert body["total"] == len(body["response"])
        return [x["subjectType"] for x in body["response"]]

    assert subjects(1) == [3]
    assert subjects(2) == [4, 1]
    assert subjects(4) == [1]
    assert subjects(8) == [4]
    assert sorted(subjects(15)) == [1, 3, 4]


def test_share_list_invalid_filter_type_is_400(sandbox: Sandbox) -> None:
    """Names and numbers outside the ``[Flags]`` enum fail binding."""
    api = Api(sandbox)
    room = api.room()
    for value in ("bogus", "64", "-1"):
        response = api.get(f"files/rooms/{room['id']}/share", params={"filterType": value})
        assert list(_validation_errors(response)) == ["filterType"], value


def test_people_filter_honours_statuses_and_admin_flag(sandbox: Sandbox) -> None:
    """activationStatus, employeeStatus and isAdministrator narrow the list; bad values are 400."""
    api = Api(sandbox)
    room = api.room()
    api.put(
        f"files/rooms/{room['id']}/share", json={"invitations": [{"email": "new@acme.example", "access": 2}]}
    )

    def emails(**params: Any) -> list[str]:
        response = api.get("people/filter", params=params)
        assert response.status_code == 200, response.text
        return sorted(u["email"] for u in response.json()["response"])

    assert emails(activationStatus=2) == ["new@acme.example"]
    assert "new@acme.example" not in emails(activationStatus=1)
    assert emails(employeeStatus=2) == []
    assert {"owner@sandbox.example", "gina.guest@sandbox.example"} <= set(emails(employeeStatus=1))
    assert emails(isAdministrator="true") == ["dana.admin@sandbox.example", "owner@sandbox.example"]
    assert emails(area="Guests") == ["gina.guest@sandbox.example", "new@acme.example"]
    for params in (
        {"area": "bogus"},
        {"employeeStatus": "0"},
        {"activationStatus": "8"},
        {"isAdministrator": "x"},
    ):
        assert api.get("people/filter", params=params).status_code == 400, params


# ---------------------------------------------------------------------- 12. 429 headers


def test_concurrency_rejection_has_no_rate_limit_headers(sandbox: Sandbox) -> None:
    """The concurrency limiter sends a bare 429: no X-RateLimit-* and no Retry-After."""
    sandbox.set_limits("writes=1")
    sandbox.pause()
    first: list[requests.Response] = []
    thread = threading.Thread(
        target=lambda: first.append(Api(sandbox).post("files/rooms", json={"title": "A", "roomType": 2}))
    )
    thread.start()
    try:
        wait_until(lambda: sandbox.in_flight() == 1)
        rejected = Api(sandbox).post("files/rooms", json={"title": "B", "roomType": 2})
    finally:
        sandbox.resume()
        thread.join()
    assert rejected.status_code == 429
    assert not [h for h in rejected.headers if h.lower().startswith("x-ratelimit") or h == "Retry-After"]


def test_sliding_window_rejection_has_no_reset_header(sandbox: Sandbox) -> None:
    """The sliding window sends Limit, Remaining and Retry-After, but no X-RateLimit-Reset."""
    sandbox.set_limits("rpm=1")
    api = Api(sandbox)
    assert api.get("people/@self").status_code == 200
    rejected = api.get("people/@self")
    assert rejected.status_code == 429
    assert (rejected.headers["X-RateLimit-Limit"], rejected.headers["X-RateLimit-Remaining"]) == ("1", "0")
    assert int(rejected.headers["Retry-After"]) >= 1
    assert "X-RateLimit-Reset" not in rejected.headers


# ---------------------------------------------------------------------- 13. fileops shapes


def test_finished_archive_lists_the_room_and_delete_has_no_entry_lists(sandbox: Sandbox) -> None:
    """A finished Move carries the moved room's FolderDto; a Delete omits ``files``/``folders``."""
    api = Api(sandbox)
    room = api.room()
    started = api.put(f"files/rooms/{room['id']}/archive", json={"deleteAfter": False}).json()["response"]
    assert (started["files"], started["folders"]) == ([], [])
    archived = api.wait_operation(started["id"])
    assert archived["files"] == []
    assert [(f["id"], f["rootFolderType"]) for f in archived["folders"]] == [(room["id"], 20)]
    deleting = api.delete(f"files/rooms/{room['id']}", json={"deleteAfter": False}).json()["response"]
    assert "files" not in deleting and "folders" not in deleting
    deleted = api.wait_operation(deleting["id"])
    assert "files" not in deleted and "folders" not in deleted
