"""Server behaviours the sandbox copies (issue #17 section 1): each checked over HTTP."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from support.sandbox_api import Api

from docspace_sandbox.server import Sandbox


def _invite(api: Api, room_id: int, email: str) -> dict[str, Any]:
    response = api.put(f"files/rooms/{room_id}/share", json={"invitations": [{"email": email, "access": 2}]})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["response"]
    return result


def _person(api: Api, email: str) -> dict[str, Any]:
    result: dict[str, Any] = api.get("people/email", params={"email": email}).json()["response"]
    return result


def test_request_line_over_8_kb_is_414(sandbox: Sandbox) -> None:
    """Kestrel's MaxRequestLineSize (8 KB, not raised by DocSpace's Program.cs) answers 414, empty body."""
    api = Api(sandbox)
    short = api.get("files/rooms", params={"filterValue": "x" * 7000})
    assert short.status_code == 200
    long = api.get("files/rooms", params={"filterValue": "x" * 8200})
    assert (long.status_code, long.content) == (414, b"")


def test_request_line_limit_counts_the_whole_line(sandbox: Sandbox) -> None:
    """A line of exactly 8192 bytes (CRLF included) passes; one byte more is 414."""
    host, port = sandbox.url.split("://", 1)[1].split(":")
    for extra, expected in ((0, 200), (1, 414)):
        fixed = len("GET /api/2.0/files/rooms?filterValue= HTTP/1.1\r\n")
        target = "/api/2.0/files/rooms?filterValue=" + "y" * (8192 - fixed + extra)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", target, headers={"Authorization": f"Bearer {sandbox.api_key}"})
        answer = conn.getresponse()
        answer.read()
        assert answer.status == expected
        conn.close()


def test_copy_lower_cases_the_extension(sandbox: Sandbox) -> None:
    """``FileDao.SaveFileAsync`` "make lowerCase": a copy titled ``Offer.PDF`` is stored as ``Offer.pdf``."""
    api = Api(sandbox)
    room = api.room()
    copy = api.post("files/file/101/copyas", json={"destFolderId": room["id"], "destTitle": "Offer.PDF"})
    assert copy.status_code == 200, copy.text
    assert copy.json()["response"]["title"] == "Offer.pdf"


def test_unparsable_link_expiry_means_no_expiry(sandbox: Sandbox) -> None:
    """``ApiDateTimeConverter`` turns an unparsable string into MinValue: the link has no expiry (200)."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    response = api.put(
        f"files/rooms/{room['id']}/links",
        json={"linkType": 1, "access": 2, "title": "Client", "expirationDate": "next tuesday"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["response"]["sharedTo"].get("expirationDate") is None


def test_parsable_link_expiry_is_kept(sandbox: Sandbox) -> None:
    """A valid future date is still stored (the lenient parse only affects unparsable text)."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    response = api.put(
        f"files/rooms/{room['id']}/links",
        json={"linkType": 1, "access": 2, "title": "Client", "expirationDate": when},
    )
    assert response.json()["response"]["sharedTo"]["expirationDate"][:19] == when[:19]


def test_new_email_guest_is_pending_until_activated(sandbox: Sandbox) -> None:
    """``AddInvitedUserAsync`` makes status Pending (4) / activation 2; the control endpoint flips both to 1."""
    api = Api(sandbox)
    room = api.room()
    _invite(api, room["id"], "joiner@acme.example")
    assert (
        _person(api, "joiner@acme.example")["status"],
        _person(api, "joiner@acme.example")["activationStatus"],
    ) == (
        4,
        2,
    )
    pending = api.get("people/filter", params={"employeeStatus": 4}).json()["response"]
    assert [p["email"] for p in pending] == ["joiner@acme.example"]
    done = requests.post(
        f"{sandbox.url}/__sandbox__/users/activate", json={"email": "Joiner@acme.example"}, timeout=10
    )
    assert (done.status_code, done.json()["status"]) == (200, 1)
    person = _person(api, "joiner@acme.example")
    assert (person["status"], person["activationStatus"]) == (1, 1)


def test_activate_unknown_email_is_400(sandbox: Sandbox) -> None:
    """Activating an address nobody has is refused with a message naming it."""
    response = requests.post(
        f"{sandbox.url}/__sandbox__/users/activate", json={"email": "nobody@x.example"}, timeout=10
    )
    assert response.status_code == 400
    assert "nobody@x.example" in response.json()["error"]


def test_localhost_address_is_a_valid_invitation(sandbox: Sandbox) -> None:
    """``new MailAddress("a@localhost")`` succeeds on the server: a guest is made, no warning."""
    api = Api(sandbox)
    room = api.room()
    result = _invite(api, room["id"], "a@localhost")
    assert "warning" not in result
    assert _person(api, "a@localhost")["isVisitor"] is True


def test_malformed_domain_gets_the_mail_address_warning(sandbox: Sandbox) -> None:
    """A domain ``MailAddress`` rejects becomes the share answer's ``warning`` (FileSharing's catch)."""
    api = Api(sandbox)
    room = api.room()
    result = _invite(api, room["id"], "a@bad..domain")
    assert result["warning"] == "The specified string is not in the form required for an e-mail address."


def test_held_finished_operation_is_reported_once(sandbox: Sandbox) -> None:
    """``GetOperationResults``: a held finished operation appears in one ``fileops`` read, then never."""
    api = Api(sandbox)
    room = api.room()
    op = api.put(f"files/rooms/{room['id']}/archive", json={"deleteAfter": False}).json()["response"]
    assert api.wait_operation(op["id"])["finished"] is True
    assert api.get("files/fileops", params={"id": op["id"]}).json()["response"] == []


def test_unheld_finished_operation_is_never_reported(sandbox: Sandbox) -> None:
    """With ``deleteAfter: true`` (not held) the finished operation is dequeued without being reported."""
    api = Api(sandbox)
    room = api.room()
    op = api.put(f"files/rooms/{room['id']}/archive", json={"deleteAfter": True}).json()["response"]
    seen = [api.get("files/fileops").json()["response"] for _ in range(3)]
    assert all(not item["finished"] for batch in seen for item in batch if item["id"] == op["id"])
    assert api.get("files/fileops").json()["response"] == []
    assert sandbox.state()["rooms"][0]["archived"] is True


def test_canceled_operation_reports_status_3_once(sandbox: Sandbox) -> None:
    """A held operation cancelled under the server ends with ``status`` 3 (Canceled), reported once, work undone."""
    api = Api(sandbox)
    room = api.room()
    op = api.put(f"files/rooms/{room['id']}/archive", json={"deleteAfter": False}).json()["response"]
    done = requests.post(f"{sandbox.url}/__sandbox__/operations/cancel", json={"id": op["id"]}, timeout=10)
    assert done.json()["canceled"] == 1
    [seen] = api.get("files/fileops", params={"id": op["id"]}).json()["response"]
    assert (seen["finished"], seen["status"]) == (True, 3)
    assert api.get("files/fileops", params={"id": op["id"]}).json()["response"] == []
    assert sandbox.state()["rooms"][0]["archived"] is False
