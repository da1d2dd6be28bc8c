"""Who may delete what inside a room (``FileSecurity`` via ``DeletePermissionsCheck``), per key user.

Server rules (DocSpace-server 3.7.2, ``FileSecurity.FilterEntryAsync``): DocSpace admins get
Delete on room contents even outside the room; Room managers and the room's creator delete
anything in it; a Content creator deletes only what they created. Every exchange goes through
the SDK contract oracle.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.checked_api import CheckedApi
from support.sandbox_api import error_message

from docspace_sandbox.server import Sandbox, start

ROOM_ADMIN = "rita.roomadmin@sandbox.example"


@pytest.fixture
def portal() -> Iterator[Sandbox]:
    """A sandbox whose key starts as the owner's and is switched per step."""
    with start(port=0) as sandbox:
        yield sandbox


def _folder(api: CheckedApi, parent: int, title: str) -> dict[str, Any]:
    response = api.post(f"files/folder/{parent}", json={"title": title})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["response"]
    return result


def test_content_creator_deletes_only_own_entries(portal: Sandbox) -> None:
    """A room admin invited as Content creator deletes the folder they made, not the owner's (403)."""
    api = CheckedApi(portal)
    room = api.room("Client - Rights")
    owners = _folder(api, room["id"], "Owner's folder")
    rita = api.user_id(ROOM_ADMIN)
    api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": rita, "access": 11}]})
    api.settings(key_user="room-admin")
    mine = _folder(api, room["id"], "Rita's folder")
    refused = api.delete(f"files/folder/{owners['id']}", json={})
    assert (refused.status_code, error_message(refused)) == (403, "Access denied")
    accepted = api.delete(f"files/folder/{mine['id']}", json={})
    assert accepted.status_code == 200
    api.wait_operation(accepted.json()["response"][-1]["id"])
    api.settings(key_user="owner")
    titles = [f["title"] for f in api.get(f"files/{room['id']}").json()["response"]["folders"]]
    assert titles == ["Owner's folder"]


def test_docspace_admin_deletes_contents_of_anothers_room(portal: Sandbox) -> None:
    """A DocSpace admin outside the room may delete its contents (but still not create in it)."""
    api = CheckedApi(portal)
    room = api.room("Client - Admin")
    folder = _folder(api, room["id"], "Old")
    api.settings(key_user="admin")
    response = api.delete(f"files/folder/{folder['id']}", json={"immediately": True})
    assert response.status_code == 200, response.text
    api.wait_operation(response.json()["response"][-1]["id"])
    assert api.get(f"files/folder/{folder['id']}").status_code == 404
