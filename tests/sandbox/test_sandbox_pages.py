"""Read-only HTML pages for room and link addresses, and the kept port (issue #14 item 6)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import requests
from support.sandbox_api import Api

from docspace_sandbox.server import Sandbox, start


def _page(sandbox: Sandbox, path: str) -> requests.Response:
    return requests.get(f"{sandbox.url}{path}", timeout=10)


def test_room_page_lists_folders_files_members_and_links(sandbox: Sandbox) -> None:
    """``/rooms/shared/{id}/filter?folder={id}`` (the engine's room address) shows the room's content."""
    api = Api(sandbox)
    room = api.room("Client - Acme", room_type=5)
    api.post(f"files/folder/{room['id']}", json={"title": "Contracts"})
    api.post("files/file/101/copyas", json={"destFolderId": room["id"], "destTitle": "Welcome.pdf"})
    api.put(
        f"files/rooms/{room['id']}/share", json={"invitations": [{"email": "c@acme.example", "access": 2}]}
    )
    api.put(f"files/rooms/{room['id']}/links", json={"linkType": 1, "access": 2, "title": "Client link"})
    page = _page(sandbox, f"/rooms/shared/{room['id']}/filter?folder={room['id']}")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src" not in page.headers["Content-Security-Policy"]
    for text in ("Client - Acme", "Custom room", "Contracts", "Welcome.pdf", "c@acme.example", "Client link"):
        assert text in page.text
    assert "invited, not joined yet" in page.text


def test_room_page_escapes_titles(sandbox: Sandbox) -> None:
    """Titles and tags are HTML-escaped: a ``<b>`` in a title arrives as text, not markup."""
    api = Api(sandbox)
    room = api.room("Client & <b>Bold</b>", tags=["<i>x</i>"])
    page = _page(sandbox, f"/rooms/shared/{room['id']}/filter")
    assert "<b>Bold" not in page.text and "<i>x" not in page.text
    assert "&lt;i&gt;x&lt;/i&gt;" in page.text
    assert "Client &amp; _b_Bold__b_" in page.text  # the server's title sanitising replaced < > /


def test_subfolder_and_archived_room_pages(sandbox: Sandbox) -> None:
    """``?folder=`` shows that folder of the room; an archived room is served under ``/rooms/archived``."""
    api = Api(sandbox)
    room = api.room("Client - Old")
    inner = api.post(f"files/folder/{room['id']}", json={"title": "Invoices"}).json()["response"]
    api.post("files/file/101/copyas", json={"destFolderId": inner["id"], "destTitle": "Jan.pdf"})
    sub = _page(sandbox, f"/rooms/shared/{room['id']}/filter?folder={inner['id']}")
    assert sub.status_code == 200 and "Jan.pdf" in sub.text and "<h1>Invoices" in sub.text
    api.wait_operation(api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]["id"])
    archived = _page(sandbox, f"/rooms/archived/{room['id']}/filter?folder={room['id']}")
    assert archived.status_code == 200 and "archived" in archived.text


def test_unknown_room_folder_or_link_is_a_404_page(sandbox: Sandbox) -> None:
    """Missing room, a folder of another room, and an unknown link key each answer a 404 HTML page."""
    api = Api(sandbox)
    room = api.room()
    assert _page(sandbox, "/rooms/shared/99999/filter").status_code == 404
    assert _page(sandbox, f"/rooms/shared/{room['id']}/filter?folder=105").status_code == 404
    missing = _page(sandbox, "/s/not-a-key")
    assert (missing.status_code, "text/html" in missing.headers["Content-Type"]) == (404, True)


def test_invitation_link_page_names_room_and_role_but_not_the_password(sandbox: Sandbox) -> None:
    """``/s/{key}`` (the link's ``shareLink``) says which room and role it grants; a password is never shown."""
    api = Api(sandbox)
    room = api.room("Client - Link", room_type=5)
    invite = api.put(
        f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 11, "title": "Join"}
    ).json()
    shared = api.put(
        f"files/rooms/{room['id']}/links",
        json={"linkType": 1, "access": 2, "title": "Read", "password": "Secret-pass-1"},
    ).json()
    page = requests.get(invite["response"]["sharedTo"]["shareLink"], timeout=10)
    assert page.status_code == 200
    assert (
        "invitation to join" in page.text and "Client - Link" in page.text and "Content creator" in page.text
    )
    protected = requests.get(shared["response"]["sharedTo"]["shareLink"], timeout=10)
    assert "password is required" in protected.text and "Secret-pass-1" not in protected.text


def test_pages_are_read_only(sandbox: Sandbox) -> None:
    """A POST to a page address is 405; the API under ``/api/2.0`` is unaffected."""
    api = Api(sandbox)
    room = api.room()
    assert requests.post(f"{sandbox.url}/rooms/shared/{room['id']}/filter", timeout=10).status_code == 405


def test_keep_port_reuses_the_remembered_port(tmp_path: Path) -> None:
    """With ``keep_port`` a restart on the same state file listens on the same port, so stored links work."""
    state = tmp_path / "sandbox-state.json"
    with start(state_file=str(state), keep_port=True) as first:
        port = first.port
        room = Api(first).room("Client - Kept")
    assert json.loads(state.read_text())["port"] == port
    with start(state_file=str(state), keep_port=True) as second:
        assert second.port == port
        assert _page(second, f"/rooms/shared/{room['id']}/filter").status_code == 200


def test_keep_port_falls_back_to_a_free_port_when_taken(tmp_path: Path) -> None:
    """When the remembered port is busy the sandbox takes a free one and remembers that instead."""
    state = tmp_path / "sandbox-state.json"
    with start(state_file=str(state), keep_port=True) as first:
        port = first.port
    blocker = socket.socket()
    try:
        blocker.bind(("127.0.0.1", port))
        blocker.listen()
        with start(state_file=str(state), keep_port=True) as second:
            assert second.port != port
            moved = second.port
        assert json.loads(state.read_text())["port"] == moved
    finally:
        blocker.close()


def test_link_page_says_when_a_link_has_expired(sandbox: Sandbox) -> None:
    """A link whose expiry has passed opens a page saying so (``FileShareLink.IsExpired``)."""
    api = Api(sandbox)
    room = api.room("Client - Late", room_type=5)
    body = api.put(
        f"files/rooms/{room['id']}/links", json={"linkType": 1, "access": 2, "title": "Old"}
    ).json()
    with sandbox.backend.lock:  # the API refuses past dates, so age the stored link instead
        link = next(x for x in sandbox.backend.state.folders[room["id"]].links if x.title == "Old")
        link.expiration = "2020-01-01T00:00:00.0000000Z"
    page = requests.get(body["response"]["sharedTo"]["shareLink"], timeout=10)
    assert "This link has expired." in page.text and "Valid until" not in page.text
