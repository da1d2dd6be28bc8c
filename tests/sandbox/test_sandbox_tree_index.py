"""The folder-children index: listings and counts follow create, move (archive) and delete."""

from __future__ import annotations

from pathlib import Path

from support.sandbox_api import Api

from docspace_sandbox.server import Sandbox, start


def _titles(api: Api, folder_id: int | str) -> list[str]:
    body = api.get(f"files/{folder_id}").json()["response"]
    return [f["title"] for f in body["folders"]] + [f["title"] for f in body["files"]]


def test_listings_follow_create_archive_and_delete(sandbox: Sandbox) -> None:
    """A room moves between the Rooms and Archive listings and leaves both once deleted."""
    api = Api(sandbox)
    room = api.room("Client - Index")
    sub = api.post(f"files/folder/{room['id']}", json={"title": "Invoices"}).json()["response"]
    assert _titles(api, room["id"]) == ["Invoices"]
    assert api.get(f"files/rooms/{room['id']}").json()["response"]["foldersCount"] == 1
    op = api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]
    api.wait_operation(op["id"])
    active = api.get("files/rooms").json()["response"]["folders"]
    archived = api.get("files/rooms", params={"searchArea": 1}).json()["response"]["folders"]
    assert [r["id"] for r in active] == []
    assert [r["id"] for r in archived] == [room["id"]]
    api.wait_operation(api.delete(f"files/rooms/{room['id']}", json={}).json()["response"]["id"])
    assert api.get("files/rooms", params={"searchArea": 1}).json()["response"]["folders"] == []
    assert api.get(f"files/{sub['id']}").status_code == 404


def test_index_is_rebuilt_from_the_state_file(tmp_path: Path) -> None:
    """After a restart from ``state_file`` a room still lists the folder created before it."""
    path = tmp_path / "portal.json"
    with start(state_file=str(path)) as first:
        api = Api(first)
        room = api.room("Client - Persisted")
        api.post(f"files/folder/{room['id']}", json={"title": "Contracts"})
    with start(state_file=str(path)) as second:
        api = Api(second)
        assert _titles(api, room["id"]) == ["Contracts"]
        assert api.get(f"files/rooms/{room['id']}").json()["response"]["foldersCount"] == 1


def _tagged(api: Api, tag: str, area: int = 2) -> list[int]:
    params: dict[str, str | int] = {"tags": f'["{tag}"]', "searchArea": area}
    return [r["id"] for r in api.get("files/rooms", params=params).json()["response"]["folders"]]


def test_tag_search_follows_tag_changes_archive_and_delete(sandbox: Sandbox) -> None:
    """The tag index follows add, replace (``PUT files/rooms/{id}``), archive and delete; matching ignores case."""
    api = Api(sandbox)
    room = api.room("Client - Tags", tags=["crm:A"])
    assert _tagged(api, "CRM:a") == [room["id"]]
    api.put(f"files/rooms/{room['id']}/tags", json={"names": ["vip"]})
    assert (_tagged(api, "vip"), _tagged(api, "crm:A")) == ([room["id"]], [room["id"]])
    api.put(f"files/rooms/{room['id']}", json={"tags": ["crm:B"]})
    assert (_tagged(api, "crm:A"), _tagged(api, "vip"), _tagged(api, "crm:B")) == ([], [], [room["id"]])
    api.wait_operation(api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]["id"])
    assert (_tagged(api, "crm:B", 0), _tagged(api, "crm:B", 1)) == ([], [room["id"]])
    api.wait_operation(api.delete(f"files/rooms/{room['id']}", json={}).json()["response"]["id"])
    assert _tagged(api, "crm:B") == []


def test_tag_and_email_indexes_are_rebuilt_from_the_state_file(tmp_path: Path) -> None:
    """After a restart a tag search finds the room and an invited guest is found by e-mail."""
    path = tmp_path / "portal.json"
    with start(state_file=str(path)) as first:
        api = Api(first)
        room = api.room("Client - Kept", tags=["crm:K"])
        api.put(
            f"files/rooms/{room['id']}/share",
            json={"invitations": [{"email": "k@acme.example", "access": 2}]},
        )
    with start(state_file=str(path)) as second:
        api = Api(second)
        assert _tagged(api, "crm:k") == [room["id"]]
        assert api.get("people/email", params={"email": "K@acme.example"}).status_code == 200
