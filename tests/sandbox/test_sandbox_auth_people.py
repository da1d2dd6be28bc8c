"""Authentication, envelopes and people lookups of the sandbox portal."""

from __future__ import annotations

import requests
from support.sandbox_api import Api, error_message

from docspace_sandbox.server import Sandbox


def test_missing_key_gives_401_with_empty_body(sandbox: Sandbox) -> None:
    """A request without Authorization is challenged: 401 and no body at all."""
    response = requests.get(f"{sandbox.url}/api/2.0/people/@self", timeout=5)
    assert response.status_code == 401
    assert response.content == b""


def test_key_without_bearer_prefix_gives_401(sandbox: Sandbox) -> None:
    """``Authorization: sk-…`` (no ``Bearer``) is not an API key to the server: 401."""
    response = requests.get(
        f"{sandbox.url}/api/2.0/people/@self", headers={"Authorization": sandbox.api_key}, timeout=5
    )
    assert response.status_code == 401
    assert response.content == b""


def test_wrong_key_gives_401(sandbox: Sandbox) -> None:
    """A well-formed but unknown key is rejected like a missing one."""
    response = Api(sandbox, key="sk-not-the-right-key").get("people/@self")
    assert (response.status_code, response.content) == (401, b"")


def test_self_is_the_owner_in_a_success_envelope(sandbox: Sandbox) -> None:
    """``people/@self`` returns the owner inside the exact success envelope."""
    body = Api(sandbox).get("people/@self").json()
    assert list(body) == ["response", "count", "links", "status", "statusCode"]
    assert (body["count"], body["status"], body["statusCode"]) == (1, 0, 200)
    assert body["links"] == [{"href": f"{sandbox.url}/api/2.0/people/@self", "action": "GET"}]
    me = body["response"]
    assert me["email"] == "owner@sandbox.example"
    assert me["displayName"] == "Olivia Owner"
    assert (me["isOwner"], me["isAdmin"]) == (True, False)


def test_seeded_people_have_their_types(sandbox: Sandbox) -> None:
    """Room admins, the plain user and the guest carry the right type flags and GUID ids."""
    api = Api(sandbox)
    anna = api.get("people/email", params={"email": "anna.manager@sandbox.example"}).json()["response"]
    carl = api.get("people/email", params={"email": "carl.user@sandbox.example"}).json()["response"]
    gina = api.get("people/email", params={"email": "gina.guest@sandbox.example"}).json()["response"]
    assert anna["isRoomAdmin"] and not anna["isVisitor"]
    assert carl["isCollaborator"] and not carl["isRoomAdmin"]
    assert gina["isVisitor"]
    assert len(anna["id"]) == 36 and anna["id"].count("-") == 4


def test_unknown_email_gives_404_with_the_server_message(sandbox: Sandbox) -> None:
    """An address nobody has → 404 "The user could not be found"."""
    response = Api(sandbox).get("people/email", params={"email": "nobody@nowhere.example"})
    assert response.status_code == 404
    assert error_message(response) == "The user could not be found"
    assert response.json()["status"] == 1


def test_malformed_email_is_a_validation_400(sandbox: Sandbox) -> None:
    """``[EmailAddress]`` failures come as ValidationProblemDetails under ``response``."""
    response = Api(sandbox).get("people/email", params={"email": "not-an-address"})
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["statusCode"]) == (1, 400)
    assert "email" in body["response"]["errors"]


def test_people_filter_pages_with_total(sandbox: Sandbox) -> None:
    """``people/filter`` puts page size in ``count`` and the match count in ``total``."""
    api = Api(sandbox)
    body = api.get("people/filter", params={"count": 2, "startIndex": 1}).json()
    assert (body["count"], body["total"]) == (2, 7)
    managers = api.get("people/filter", params={"filterValue": "manager"}).json()
    assert sorted(u["email"] for u in managers["response"]) == [
        "anna.manager@sandbox.example",
        "ben.manager@sandbox.example",
    ]
    guests = api.get("people/filter", params={"employeeType": 2}).json()
    assert [u["email"] for u in guests["response"]] == ["gina.guest@sandbox.example"]


def test_unknown_route_is_404(sandbox: Sandbox) -> None:
    """Paths the API does not have → 404 with an empty body, even when authenticated."""
    response = Api(sandbox).get("files/rooms/1/nonsense")
    assert response.status_code == 404
    assert response.content == b""


def test_my_documents_holds_the_seeded_files(sandbox: Sandbox) -> None:
    """The owner's "My documents" has the welcome PDFs and the Templates folder."""
    content = Api(sandbox).get("files/@my").json()["response"]
    titles = {f["title"] for f in content["files"]}
    assert {"Welcome to your client room.pdf", "How to use the client portal.pdf"} <= titles
    assert [f["title"] for f in content["folders"]] == ["Templates"]
    assert content["total"] == len(content["files"]) + 1
