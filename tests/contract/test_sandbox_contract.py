"""Every sandbox endpoint, happy and error paths, checked against the official SDK models.

Each exchange goes through :func:`oracle.check_exchange`, which checks the request body we send
and the response we get; the oracle's own strictness is tested at the bottom.
"""

from __future__ import annotations

import json
from typing import Any

import oracle
import pytest
import requests

from docspace_sandbox.server import Sandbox


class Client:
    """Sends a request and checks both sides of the exchange with the oracle."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.base = sandbox.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {sandbox.api_key}"

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        status: int = 200,
        invalid: bool = False,
    ) -> Any:
        """Send; check the response always and the request body unless ``invalid`` (then the
        oracle must reject the body too, proving the SDK agrees it is malformed)."""
        url = f"{self.base}/api/2.0/{path}"
        kwargs: dict[str, Any] = {"params": params, "timeout": 10}
        if body is not None:
            kwargs["json"] = body
        response = self.session.request(method, url, **kwargs)
        assert response.status_code == status, response.text
        payload = response.json() if response.content else None
        if invalid:
            request_model = oracle.endpoint_for(method, f"/api/2.0/{path}").request
            assert request_model is not None
            with pytest.raises(oracle.ContractError):
                oracle.check(request_model, body)
        oracle.check_exchange(
            method, f"/api/2.0/{path}", None if invalid else body, payload, response.status_code
        )
        return payload


@pytest.fixture
def call(sandbox: Sandbox) -> Client:
    """A checking client for the test's sandbox."""
    return Client(sandbox)


def _room(call: Client, room_type: int = 2, title: str = "Client - Acme", **extra: Any) -> dict[str, Any]:
    room: dict[str, Any] = call("POST", "files/rooms", {"title": title, "roomType": room_type, **extra})[
        "response"
    ]
    return room


def test_people_endpoints_match_the_sdk(call: Client) -> None:
    """``@self``, ``email`` (found, 404, invalid), ``filter`` and the password policy's responses."""
    me = call("GET", "people/@self")["response"]
    call("GET", "people/email", params={"email": me["email"]})
    call("GET", "people/email", params={"email": "nobody@nowhere.example"}, status=404)
    call("GET", "people/email", params={"email": "broken"}, status=400)
    listed = call("GET", "people/filter", params={"count": 3, "filterValue": "a"})
    assert listed["total"] >= listed["count"]
    policy = call("GET", "settings/security/password")["response"]
    assert policy["minLength"] == 8 and policy["allowedCharactersRegexStr"] == r"[\x21-\x7E]"


def test_room_endpoints_match_the_sdk(call: Client) -> None:
    """Create (every room type, bad inputs), list with filters, get, tags."""
    rooms = [_room(call, kind, f"Room {kind}", tags=["crm:1"]) for kind in (1, 2, 5, 6, 8, 9)]
    call("POST", "files/rooms", {"title": "x" * 171, "roomType": 2}, status=400, invalid=True)
    call("POST", "files/rooms", {"title": "   ", "roomType": 2}, status=400)
    call("POST", "files/rooms", {"title": "Bad", "roomType": 3}, status=400, invalid=True)
    call(
        "GET",
        "files/rooms",
        params={"tags": json.dumps(["crm:1"]), "searchArea": 2, "count": 2, "startIndex": 1},
    )
    call("GET", "files/rooms", params={"tags": "not json"}, status=500)
    call("GET", "files/rooms", params={"count": 101}, status=400)
    call("GET", f"files/rooms/{rooms[0]['id']}")
    call("GET", "files/rooms/999999", status=404)
    call("PUT", f"files/rooms/{rooms[1]['id']}/tags", {"names": ["vip", "crm:2"]})


def test_folder_and_file_endpoints_match_the_sdk(call: Client) -> None:
    """My documents, folder contents, create folder (ok, too long, missing parent), copy-as."""
    my = call("GET", "files/@my")["response"]
    room = _room(call)
    folder = call("POST", f"files/folder/{room['id']}", {"title": "Invoices"})["response"]
    call("POST", f"files/folder/{room['id']}", {"title": "f" * 166}, status=400, invalid=True)
    call("POST", "files/folder/999999", {"title": "x"}, status=403)
    source = my["files"][0]
    call(
        "POST",
        f"files/file/{source['id']}/copyas",
        {"destFolderId": folder["id"], "destTitle": source["title"]},
    )
    call(
        "POST", f"files/file/{source['id']}/copyas", {"destFolderId": folder["id"], "destTitle": "Copy.docx"}
    )
    call("POST", "files/file/999999/copyas", {"destFolderId": folder["id"], "destTitle": "x.pdf"}, status=404)
    call("GET", f"files/{room['id']}", params={"count": 10})
    call("GET", f"files/{my['folders'][0]['id']}")
    call("GET", "files/999999", status=404)


def test_sharing_endpoints_match_the_sdk(call: Client) -> None:
    """Share (members, no-op, e-mail guest, 403 roles) and the share list."""
    room = _room(call)
    anna = call("GET", "people/email", params={"email": "anna.manager@sandbox.example"})["response"]["id"]
    gina = call("GET", "people/email", params={"email": "gina.guest@sandbox.example"})["response"]["id"]
    call(
        "PUT",
        f"files/rooms/{room['id']}/share",
        {"invitations": [{"id": anna, "access": 9}], "notify": False},
    )
    call("PUT", f"files/rooms/{room['id']}/share", {"invitations": []})
    call(
        "PUT",
        f"files/rooms/{room['id']}/share",
        {"invitations": [{"email": "new@client.example", "access": 2}]},
    )
    call("PUT", f"files/rooms/{room['id']}/share", {"invitations": [{"id": gina, "access": 9}]}, status=403)
    call(
        "PUT",
        f"files/rooms/{room['id']}/share",
        {"invitations": [{"id": "not-a-guid", "access": 2}]},
        status=400,
        invalid=True,
    )
    listed = call("GET", f"files/rooms/{room['id']}/share", params={"count": 10})
    assert listed["response"][0]["isOwner"] is True


def test_link_endpoints_match_the_sdk(call: Client) -> None:
    """Links: create, update, delete, ``{}`` no-op, limits, primary link, list filters."""
    collab, custom, public = _room(call, 2), _room(call, 5), _room(call, 6)
    call("PUT", f"files/rooms/{collab['id']}/links", {})
    invite = call("PUT", f"files/rooms/{collab['id']}/links", {"linkType": 0, "access": 2, "maxUseCount": 5})
    call("PUT", f"files/rooms/{collab['id']}/links", {"linkType": 0, "access": 10}, status=403)
    call("PUT", f"files/rooms/{collab['id']}/links", {"linkType": 1, "access": 2}, status=403)
    call("GET", f"files/rooms/{collab['id']}/link", status=403)
    link_id = invite["response"]["sharedLink"]["id"]
    call(
        "PUT",
        f"files/rooms/{collab['id']}/links",
        {
            "linkId": link_id,
            "linkType": 0,
            "access": 11,
            "title": "Acme invite",
            "expirationDate": "2099-01-01T00:00:00.000Z",
        },
        status=400,
    )
    call(
        "PUT",
        f"files/rooms/{collab['id']}/links",
        {"linkId": link_id, "linkType": 0, "access": 11, "title": "Acme"},
    )
    external = call(
        "PUT",
        f"files/rooms/{custom['id']}/links",
        {"linkType": 1, "access": 2, "password": "s3cret-pass", "denyDownload": True},
    )
    call(
        "PUT",
        f"files/rooms/{custom['id']}/links",
        {"linkId": external["response"]["sharedLink"]["id"], "linkType": 1, "access": 0},
    )
    call("GET", f"files/rooms/{custom['id']}/link")
    call("GET", f"files/rooms/{public['id']}/links", params={"type": 1})
    call("GET", f"files/rooms/{public['id']}/links")
    call(
        "PUT",
        f"files/rooms/{custom['id']}/links",
        {"linkType": 0, "access": 2, "maxUseCount": 0},
        status=400,
        invalid=True,
    )


def test_operation_endpoints_match_the_sdk(call: Client) -> None:
    """Archive, fileops polling, unarchive, delete (403 when active, 404 when missing)."""
    room = _room(call)
    call("DELETE", f"files/rooms/{room['id']}", {"deleteAfter": False}, status=403)
    call("DELETE", "files/rooms/999999", {}, status=404)
    op = call("PUT", f"files/rooms/{room['id']}/archive", {"deleteAfter": False})["response"]
    while not call("GET", "files/fileops", params={"id": op["id"]})["response"][0]["finished"]:
        pass
    call("GET", "files/fileops")
    op = call("PUT", f"files/rooms/{room['id']}/unarchive", {})["response"]
    while not call("GET", "files/fileops", params={"id": op["id"]})["response"][0]["finished"]:
        pass
    op = call("PUT", f"files/rooms/{room['id']}/archive", {})["response"]
    while not call("GET", "files/fileops", params={"id": op["id"]})["response"][0]["finished"]:
        pass
    call("DELETE", f"files/rooms/{room['id']}", {})


def _settle(call: Client, ops: list[dict[str, Any]]) -> dict[str, Any]:
    """Poll the last operation of a list answer until it reports finished."""
    op_id = ops[-1]["id"]
    while True:
        items = call("GET", "files/fileops", params={"id": op_id})["response"]
        if items and items[0]["finished"]:
            return dict(items[0])


def test_manage_endpoints_match_the_sdk(call: Client) -> None:
    """Room update, folder info/rename/delete, file delete, copy and move, filtered listings."""
    room, other = _room(call), _room(call, title="Client - Other")
    call(
        "PUT",
        f"files/rooms/{room['id']}",
        {"title": "Client - Renamed", "tags": ["crm:9"], "color": "aa00aa"},
    )
    call("PUT", "files/rooms/999999", {"title": "x"}, status=403)
    call("PUT", f"files/rooms/{room['id']}", {"title": "x" * 171}, status=400, invalid=True)
    folder = call("POST", f"files/folder/{room['id']}", {"title": "Invoices"})["response"]
    call("GET", f"files/folder/{folder['id']}")
    call("GET", "files/folder/999999", status=404)
    call("PUT", f"files/folder/{folder['id']}", {"title": "Bills"})
    copy = call("POST", "files/file/101/copyas", {"destTitle": "Offer.pdf", "destFolderId": folder["id"]})
    copied = _settle(
        call,
        call(
            "PUT",
            "files/fileops/copy",
            {
                "folderIds": [folder["id"]],
                "fileIds": [],
                "destFolderId": other["id"],
                "conflictResolveType": "Duplicate",
            },
        )["response"],
    )
    assert copied["folders"]
    _settle(
        call,
        call("PUT", "files/fileops/move", {"fileIds": [copy["response"]["id"]], "destFolderId": room["id"]})[
            "response"
        ],
    )
    call("PUT", "files/fileops/copy", {"fileIds": [101], "destFolderId": 999999}, status=404)
    call("GET", f"files/{room['id']}", params={"filterType": 1, "sortBy": "AZ", "sortOrder": 1})
    _settle(call, call("DELETE", f"files/file/{copy['response']['id']}", {"deleteAfter": False})["response"])
    _settle(
        call,
        call("DELETE", f"files/folder/{folder['id']}", {"deleteAfter": False, "immediately": True})[
            "response"
        ],
    )
    held = call("PUT", f"files/rooms/{other['id']}/archive", {})["response"]
    call("PUT", "files/fileops/move", {"fileIds": [101], "destFolderId": room["id"]})
    call("PUT", f"files/fileops/terminate/{held['id']}")
    call("PUT", "files/fileops/terminate")
    call("DELETE", "files/folder/999999", {}, status=404)
    call("DELETE", "files/file/999999", {}, status=404)


def test_unauthenticated_and_unknown_requests_have_empty_bodies(sandbox: Sandbox) -> None:
    """401 and 404 short-circuits carry no body, which the oracle accepts only for those codes."""
    response = requests.get(f"{sandbox.url}/api/2.0/people/@self", timeout=5)
    assert response.content == b""
    oracle.check_exchange("GET", "/api/2.0/people/@self", None, None, response.status_code)
    with pytest.raises(oracle.ContractError):
        oracle.check_exchange("GET", "/api/2.0/people/@self", None, None, 200)


# ---------------------------------------------------------------------- the oracle's own strictness


def test_oracle_rejects_a_misspelt_key_with_its_path(call: Client) -> None:
    """A key the SDK does not know fails with the JSON path and a spelling hint."""
    room = _room(call)
    room["Title"] = room.pop("title")
    envelope = {"response": room, "count": 1, "links": [], "status": 0, "statusCode": 200}
    with pytest.raises(oracle.ContractError) as failure:
        oracle.check("FolderIntegerWrapper", envelope)
    assert "$.response.Title: unknown key for FolderDtoInteger (did you mean 'title'?)" in str(failure.value)


def test_oracle_rejects_unknown_keys_in_nested_and_list_items(call: Client) -> None:
    """Nested models and list items are walked too (e.g. a member's ``sharedToUser``)."""
    room = _room(call)
    members = call("GET", f"files/rooms/{room['id']}/share")
    members["response"][0]["sharedToUser"]["isGuest"] = False
    with pytest.raises(oracle.ContractError) as failure:
        oracle.check("FileShareArrayWrapper", members)
    assert "$.response[0].sharedToUser.isGuest" in str(failure.value)


def test_oracle_checks_types_and_enums() -> None:
    """Wrong types and unknown enum values fail via the SDK's own validation."""
    with pytest.raises(oracle.ContractError):
        oracle.check("CreateRoomRequestDto", {"title": "x", "roomType": 3})
    with pytest.raises(oracle.ContractError):
        oracle.check("RoomInvitationRequest", {"invitations": [{"id": "nope", "access": 2}]})
    with pytest.raises(oracle.ContractError):
        oracle.check("RoomInvitationRequest", {"entries": [{"id": "x", "access": 4}]})


def test_oracle_date_exception_is_narrow(call: Client) -> None:
    """``ApiDateTime`` fields must be date strings: other strings and objects fail."""
    room = _room(call)
    for bad in ("yesterday", {"utcTime": "2026-01-01T00:00:00Z"}):
        broken = {**room, "created": bad}
        with pytest.raises(oracle.ContractError) as failure:
            oracle.check(
                "FolderIntegerWrapper", {"response": broken, "count": 1, "status": 0, "statusCode": 200}
            )
        assert "$.response.created" in str(failure.value)


def test_oracle_allows_total_only_at_the_envelope_root() -> None:
    """``total`` is accepted on a wrapper's root, nowhere else."""
    oracle.check(
        "EmployeeFullArrayWrapper", {"response": [], "count": 0, "total": 0, "status": 0, "statusCode": 200}
    )
    with pytest.raises(oracle.ContractError):
        oracle.check(
            "FileOperationDto",
            {
                "id": "x",
                "Operation": 0,
                "progress": 0,
                "error": "",
                "processed": "0",
                "finished": False,
                "total": 1,
            },
        )


def test_every_endpoint_in_the_table_has_loadable_models() -> None:
    """``ENDPOINTS`` names only models that exist in the SDK."""
    for endpoint in oracle.ENDPOINTS.values():
        oracle.model(endpoint.response)
        if endpoint.request:
            oracle.model(endpoint.request)
    assert oracle.endpoint_for("GET", "/api/2.0/files/rooms").response == "FolderContentIntegerWrapper"
    assert oracle.endpoint_for("GET", "/api/2.0/files/123").response == "FolderContentIntegerWrapper"
