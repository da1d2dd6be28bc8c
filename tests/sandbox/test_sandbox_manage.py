"""Routes a general DocSpace client uses on existing objects (issues #15 §4 and #17 §1), over HTTP."""

from __future__ import annotations

from typing import Any

from support.sandbox_api import Api, error_message

from docspace_sandbox.server import Sandbox


def _folder(api: Api, parent: int, title: str) -> dict[str, Any]:
    response = api.post(f"files/folder/{parent}", json={"title": title})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["response"]
    return result


def _copy_in(api: Api, dest: int, title: str, source: int = 101) -> dict[str, Any]:
    response = api.post(f"files/file/{source}/copyas", json={"destFolderId": dest, "destTitle": title})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["response"]
    return result


def _listing(api: Api, folder: int, **params: Any) -> list[str]:
    body = api.get(f"files/{folder}", params=params).json()["response"]
    return [f["title"] for f in body["folders"]] + [f["title"] for f in body["files"]]


def _finish(api: Api, response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    ops = response.json()["response"]
    assert ops and not ops[-1]["finished"]
    return api.wait_operation(ops[-1]["id"])


# ---------------------------------------------------------------------- rooms


def test_update_room_renames_and_replaces_tags(sandbox: Sandbox) -> None:
    """``PUT files/rooms/{id}``: trimmed title replaces the old one; ``tags`` becomes the exact set."""
    api = Api(sandbox)
    room = api.room("Client - Old", tags=["crm:1", "vip"])
    response = api.put(
        f"files/rooms/{room['id']}", json={"title": "  Client - New ", "tags": ["crm:1", "gold"]}
    )
    assert response.status_code == 200, response.text
    body = response.json()["response"]
    assert (body["title"], sorted(body["tags"])) == ("Client - New", ["crm:1", "gold"])


def test_update_room_keeps_title_when_blank(sandbox: Sandbox) -> None:
    """An empty or missing title leaves the room's title alone (UpdateRoomAsync's titleChanged)."""
    api = Api(sandbox)
    room = api.room("Client - Keep")
    body = api.put(f"files/rooms/{room['id']}", json={"title": "   ", "color": "ff0000"}).json()["response"]
    assert body["title"] == "Client - Keep"


def test_update_archived_or_missing_room_is_403_with_the_server_message(sandbox: Sandbox) -> None:
    """Missing folder and archived room are InvalidOperationExceptions: 403 with their texts."""
    api = Api(sandbox)
    missing = api.put("files/rooms/99999", json={"title": "x"})
    assert (missing.status_code, error_message(missing)) == (403, "The required folder was not found")
    room = api.room()
    api.wait_operation(api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]["id"])
    archived = api.put(f"files/rooms/{room['id']}", json={"title": "x"})
    assert (archived.status_code, error_message(archived)) == (
        403,
        "You don't have permission to edit the room",
    )


def test_update_room_title_over_170_is_a_validation_400(sandbox: Sandbox) -> None:
    """``[StringLength(170)]`` on the title."""
    api = Api(sandbox)
    room = api.room()
    assert api.put(f"files/rooms/{room['id']}", json={"title": "x" * 171}).status_code == 400


def test_unarchive_round_trip(sandbox: Sandbox) -> None:
    """``PUT files/rooms/{id}/unarchive`` is an operation like archive and brings the room back."""
    api = Api(sandbox)
    room = api.room()
    api.wait_operation(api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]["id"])
    op = api.put(f"files/rooms/{room['id']}/unarchive", json={}).json()["response"]
    assert op["Operation"] == 0
    api.wait_operation(op["id"])
    assert sandbox.state()["rooms"][0]["archived"] is False


# ---------------------------------------------------------------------- folders and files


def test_folder_info_rename_and_errors(sandbox: Sandbox) -> None:
    """``GET``/``PUT files/folder/{id}``: info, rename (sanitised), 404 for a missing folder."""
    api = Api(sandbox)
    room = api.room()
    folder = _folder(api, room["id"], "Invoices")
    info = api.get(f"files/folder/{folder['id']}").json()["response"]
    assert (info["title"], info["parentId"]) == ("Invoices", room["id"])
    renamed = api.put(f"files/folder/{folder['id']}", json={"title": "Bills: 2026"})
    assert renamed.json()["response"]["title"] == "Bills_ 2026"
    assert api.get("files/folder/99999").status_code == 404
    assert api.put("files/folder/99999", json={"title": "x"}).status_code == 404
    assert api.put(f"files/folder/{folder['id']}", json={}).status_code == 400


def test_section_folder_cannot_be_renamed(sandbox: Sandbox) -> None:
    """The Rooms section has no Rename right: 403 "You don't have enough permission to rename the folder"."""
    api = Api(sandbox)
    response = api.put("files/folder/2", json={"title": "Mine"})
    assert (response.status_code, error_message(response)) == (
        403,
        "You don't have enough permission to rename the folder",
    )


def test_delete_folder_and_file_are_operations(sandbox: Sandbox) -> None:
    """``DELETE files/folder/{id}`` and ``files/file/{id}`` answer a list with a running Delete (2)."""
    api = Api(sandbox)
    room = api.room()
    folder = _folder(api, room["id"], "Drafts")
    copy = _copy_in(api, room["id"], "Offer.pdf")
    response = api.delete(f"files/folder/{folder['id']}", json={"deleteAfter": False, "immediately": False})
    assert response.json()["response"][-1]["Operation"] == 2
    _finish(api, response)
    _finish(api, api.delete(f"files/file/{copy['id']}", json={}))
    assert _listing(api, room["id"]) == []
    assert api.get(f"files/folder/{folder['id']}").status_code == 404


def test_delete_needs_a_body_and_an_existing_entry(sandbox: Sandbox) -> None:
    """No JSON body → 415; missing folder/file → 404 (FileNotFoundException from the permission check)."""
    api = Api(sandbox)
    assert api.delete("files/folder/5").status_code == 415
    missing = api.delete("files/folder/99999", json={})
    assert (missing.status_code, error_message(missing)) == (404, "The required folder was not found")
    gone = api.delete("files/file/99999", json={})
    assert (gone.status_code, error_message(gone)) == (404, "The required file was not found")


def test_a_room_is_not_deleted_through_the_folder_route_unless_immediately(sandbox: Sandbox) -> None:
    """``CheckFolderPermissionsAsync``: a room without ``immediately`` → SecurityException (403)."""
    api = Api(sandbox)
    room = api.room()
    api.wait_operation(api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]["id"])
    refused = api.delete(f"files/folder/{room['id']}", json={"immediately": False})
    assert (refused.status_code, error_message(refused)) == (403, "Access denied")
    _finish(api, api.delete(f"files/folder/{room['id']}", json={"immediately": True}))
    assert sandbox.state()["rooms"] == []


# ---------------------------------------------------------------------- copy and move


def test_copy_folder_and_file_into_another_room(sandbox: Sandbox) -> None:
    """``PUT files/fileops/copy``: a Copy (1) that finishes later and lists what it placed."""
    api = Api(sandbox)
    source, dest = api.room("Client - A"), api.room("Client - B")
    folder = _folder(api, source["id"], "Contracts")
    _copy_in(api, folder["id"], "NDA.pdf")
    response = api.put(
        "files/fileops/copy", json={"folderIds": [folder["id"]], "fileIds": [], "destFolderId": dest["id"]}
    )
    assert response.json()["response"][-1]["Operation"] == 1
    done = _finish(api, response)
    assert [f["title"] for f in done["folders"]] == ["Contracts"]
    assert _listing(api, dest["id"]) == ["Contracts"]
    copied = api.get(f"files/rooms/{dest['id']}").json()["response"]
    assert copied["foldersCount"] == 1
    assert _listing(api, source["id"]) == ["Contracts"]


def test_move_file_with_conflict_rules(sandbox: Sandbox) -> None:
    """Move: Skip keeps both where they were, Duplicate renames `` (1)``, the source leaves."""
    api = Api(sandbox)
    room = api.room()
    inbox, done = _folder(api, room["id"], "Inbox"), _folder(api, room["id"], "Done")
    first = _copy_in(api, inbox["id"], "Report.pdf")
    _copy_in(api, done["id"], "Report.pdf")
    body = {"fileIds": [first["id"]], "destFolderId": done["id"], "conflictResolveType": "Skip"}
    _finish(api, api.put("files/fileops/move", json=body))
    assert (_listing(api, inbox["id"]), _listing(api, done["id"])) == (["Report.pdf"], ["Report.pdf"])
    _finish(api, api.put("files/fileops/move", json={**body, "conflictResolveType": "Duplicate"}))
    assert _listing(api, inbox["id"]) == []
    assert sorted(_listing(api, done["id"])) == ["Report (1).pdf", "Report.pdf"]


def test_copy_into_own_subfolder_and_missing_destination(sandbox: Sandbox) -> None:
    """``CheckGeneralPermissionsAsync``: missing destination 404; into its own subfolder 403."""
    api = Api(sandbox)
    room = api.room()
    outer = _folder(api, room["id"], "Outer")
    inner = _folder(api, outer["id"], "Inner")
    missing = api.put("files/fileops/copy", json={"folderIds": [outer["id"]], "destFolderId": 99999})
    assert (missing.status_code, error_message(missing)) == (404, "The required folder was not found")
    loop = api.put("files/fileops/copy", json={"folderIds": [outer["id"]], "destFolderId": inner["id"]})
    assert (loop.status_code, error_message(loop)) == (403, "You cannot copy the folder to its subfolder")
    bad = api.put(
        "files/fileops/copy",
        json={"folderIds": [outer["id"]], "destFolderId": room["id"], "conflictResolveType": "Merge"},
    )
    assert bad.status_code == 400


def test_copy_into_the_rooms_section_is_refused(sandbox: Sandbox) -> None:
    """Files cannot be copied to the Rooms section itself (SecurityException → "Access denied")."""
    api = Api(sandbox)
    response = api.put("files/fileops/copy", json={"fileIds": [101], "destFolderId": 2})
    assert (response.status_code, error_message(response)) == (403, "Access denied")


# ---------------------------------------------------------------------- listings


def test_listing_filter_type_and_sort(sandbox: Sandbox) -> None:
    """``filterType`` FoldersOnly / FilesOnly / SpreadsheetsOnly; ``sortBy=AZ`` with ``sortOrder``."""
    api = Api(sandbox)
    room = api.room()
    _folder(api, room["id"], "beta")
    _folder(api, room["id"], "Alpha")
    _copy_in(api, room["id"], "Zeta.pdf")
    _copy_in(api, room["id"], "Costs.xlsx", source=103)
    assert _listing(api, room["id"], filterType=2) == ["Alpha", "beta"]
    assert _listing(api, room["id"], filterType="FilesOnly") == ["Costs.xlsx", "Zeta.pdf"]
    assert _listing(api, room["id"], filterType=5) == ["Costs.xlsx"]
    assert _listing(api, room["id"], sortBy="AZ") == ["Alpha", "beta", "Costs.xlsx", "Zeta.pdf"]
    assert _listing(api, room["id"], sortBy="az", sortOrder="Descending") == [
        "beta",
        "Alpha",
        "Zeta.pdf",
        "Costs.xlsx",
    ]
    assert _listing(api, room["id"], sortBy="nonsense") == ["Alpha", "beta", "Costs.xlsx", "Zeta.pdf"]


def test_listing_rejects_undefined_enum_values(sandbox: Sandbox) -> None:
    """An undefined ``filterType`` or ``sortOrder`` is a model-validation 400."""
    api = Api(sandbox)
    assert api.get("files/@my", params={"filterType": 6}).status_code == 400
    assert api.get("files/@my", params={"sortOrder": "Sideways"}).status_code == 400


# ---------------------------------------------------------------------- people in the room


def test_removing_a_member_and_a_link(sandbox: Sandbox) -> None:
    """Share with access 0 removes the member; a link set to access 0 disappears (200, no response)."""
    api = Api(sandbox)
    room = api.room(room_type=5)
    anna = api.user_id("anna.manager@sandbox.example")
    api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": anna, "access": 9}]})
    api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": anna, "access": 0}]})
    link = api.put(f"files/rooms/{room['id']}/links", json={"linkType": 1, "access": 2, "title": "C"}).json()
    changed = api.put(
        f"files/rooms/{room['id']}/links",
        json={"linkId": link["response"]["sharedTo"]["id"], "linkType": 1, "access": 2, "title": "Client"},
    )
    assert changed.json()["response"]["sharedTo"]["title"] == "Client"
    removed = api.put(
        f"files/rooms/{room['id']}/links",
        json={"linkId": link["response"]["sharedTo"]["id"], "linkType": 1, "access": 0},
    )
    assert (removed.status_code, "response" in removed.json()) == (200, False)
    state = sandbox.state()["rooms"][0]
    assert [m["email"] for m in state["members"]] == ["owner@sandbox.example"]
    assert [x["title"] for x in state["links"] if not x["primary"]] == []


def test_terminate_dequeues_the_operation_undone(sandbox: Sandbox) -> None:
    """``PUT files/fileops/terminate/{id}`` drops the operation: it is never reported and never runs."""
    api = Api(sandbox)
    room = api.room()
    op = api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]
    other = api.put(f"files/rooms/{api.room('Client - B')['id']}/archive", json={}).json()["response"]
    left = api.put(f"files/fileops/terminate/{op['id']}").json()["response"]
    assert [o["id"] for o in left] == [other["id"]]
    api.wait_operation(other["id"])
    assert api.get("files/fileops", params={"id": op["id"]}).json()["response"] == []
    archived = {r["title"]: r["archived"] for r in sandbox.state()["rooms"]}
    assert archived == {"Client - Acme": False, "Client - B": True}
    assert api.put("files/fileops/terminate").json()["response"] == []
