"""``PUT/GET files/rooms/{id}/links`` and ``GET …/link``: link kinds, limits and no-ops."""

from __future__ import annotations

from support.sandbox_api import Api, error_message

from docspace_sandbox.server import Sandbox


def test_second_invitation_link_is_403(sandbox: Sandbox) -> None:
    """Every room has at most one invitation link."""
    api = Api(sandbox)
    room = api.room()
    first = api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 2})
    assert first.status_code == 200
    assert first.json()["response"]["sharedLink"]["shareLink"].startswith(f"{sandbox.url}/s/")
    second = api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 10})
    assert (second.status_code, error_message(second)) == (
        403,
        "The maximum number of links may not exceed 1",
    )


def test_external_link_in_collaboration_room_is_403(sandbox: Sandbox) -> None:
    """Collaboration rooms have no external links (any access, even 0)."""
    api = Api(sandbox)
    room = api.room(room_type=2)
    for access in (2, 0):
        response = api.put(f"files/rooms/{room['id']}/links", json={"linkType": 1, "access": access})
        assert (response.status_code, error_message(response)) == (
            403,
            "The role is not available for this user type",
        )


def test_primary_link_of_collaboration_room_is_403(sandbox: Sandbox) -> None:
    """``GET …/link`` cannot create a primary link where external links are not allowed."""
    api = Api(sandbox)
    room = api.room(room_type=2)
    assert api.get(f"files/rooms/{room['id']}/link").status_code == 403


def test_empty_link_request_creates_nothing(sandbox: Sandbox) -> None:
    """``{}`` = invitation link with access None: 200, no ``response`` key, count 0, no link."""
    api = Api(sandbox)
    room = api.room()
    body = api.put(f"files/rooms/{room['id']}/links", json={}).json()
    assert "response" not in body and body["count"] == 0 and body["status"] == 0
    assert sandbox.state()["rooms"][0]["links"] == []


def test_empty_link_request_with_existing_invitation_is_403(sandbox: Sandbox) -> None:
    """The same ``{}`` fails once an invitation link exists (it counts as a second one)."""
    api = Api(sandbox)
    room = api.room()
    api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 2})
    assert api.put(f"files/rooms/{room['id']}/links", json={}).status_code == 403


def test_access_must_fit_the_link_kind(sandbox: Sandbox) -> None:
    """An invitation link in a Collaboration room may not be RoomManager (9) or Review (5)."""
    api = Api(sandbox)
    room = api.room(room_type=2)
    for access in (9, 5):
        response = api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": access})
        assert response.status_code == 403


def test_update_by_link_id_and_delete_with_access_0(sandbox: Sandbox) -> None:
    """Same ``linkId`` updates the link; access 0 on it deletes it (response without body)."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    created = api.put(f"files/rooms/{room['id']}/links", json={"linkType": 1, "access": 2, "title": "Client"})
    link_id = created.json()["response"]["sharedLink"]["id"]
    updated = api.put(
        f"files/rooms/{room['id']}/links",
        json={"linkId": link_id, "linkType": 1, "access": 10, "title": "Edit"},
    ).json()["response"]
    assert (updated["sharedLink"]["id"], updated["access"], updated["sharedLink"]["title"]) == (
        link_id,
        10,
        "Edit",
    )
    deleted = api.put(f"files/rooms/{room['id']}/links", json={"linkId": link_id, "linkType": 1, "access": 0})
    assert deleted.json()["count"] == 0
    assert sandbox.state()["rooms"][0]["links"] == []


def test_custom_room_primary_link_is_created_on_read(sandbox: Sandbox) -> None:
    """``GET …/link`` in a Custom room creates a Read "Shared link" and then returns the same one."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    first = api.get(f"files/rooms/{room['id']}/link").json()["response"]
    second = api.get(f"files/rooms/{room['id']}/link").json()["response"]
    assert first["sharedLink"]["id"] == second["sharedLink"]["id"]
    assert (first["access"], first["sharedLink"]["title"], first["subjectType"]) == (2, "Shared link", 4)


def test_max_use_count_and_link_type_are_validated(sandbox: Sandbox) -> None:
    """``maxUseCount`` 1001 fails ``[Range]``; ``linkType`` as a string fails to bind."""
    api = Api(sandbox)
    room = api.room()
    over = api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 2, "maxUseCount": 1001})
    assert over.status_code == 400 and over.json()["status"] == 1
    text = api.put(f"files/rooms/{room['id']}/links", json={"linkType": "External", "access": 2})
    assert text.status_code == 400


def test_links_filter_by_type(sandbox: Sandbox) -> None:
    """``type=0`` lists invitation links, ``type=1`` external ones."""
    api = Api(sandbox)
    room = api.room(room_type=6)
    api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 11})
    kinds = {
        t: [
            x["sharedLink"]["linkType"]
            for x in api.get(f"files/rooms/{room['id']}/links", params={"type": t}).json()["response"]
        ]
        for t in (0, 1)
    }
    assert kinds == {0: [0], 1: [1]}
