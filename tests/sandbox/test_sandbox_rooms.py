"""Rooms, folders and copy-as: titles, duplicates, filters and paging."""

from __future__ import annotations

import json

import requests
from support.sandbox_api import Api, error_message

from docspace_sandbox.server import Sandbox


def test_title_is_trimmed_and_sanitised(sandbox: Sandbox) -> None:
    """Leading/trailing spaces go; ``* + : " < > ? | \\ /`` and tab become ``_``; an emoji ``__``."""
    room = Api(sandbox).room('  Client: "Acme" <A|B> 1+1*2?\\/\tx 😀  ')
    assert room["title"] == "Client_ _Acme_ _A_B_ 1_1_2____x __"


def test_title_over_170_is_a_validation_400(sandbox: Sandbox) -> None:
    """171 characters fail ``[StringLength(170)]``; 170 pass."""
    api = Api(sandbox)
    response = api.post("files/rooms", json={"title": "x" * 171, "roomType": 2})
    assert response.status_code == 400
    assert response.json()["response"]["errors"] == {
        "Title": ["The field Title must be a string with a maximum length of 170."]
    }
    assert api.post("files/rooms", json={"title": "x" * 170, "roomType": 2}).status_code == 200


def test_blank_title_is_an_argument_error(sandbox: Sandbox) -> None:
    """A title of spaces passes validation, then the service rejects it: 400 in the error shape."""
    response = Api(sandbox).post("files/rooms", json={"title": "   ", "roomType": 2})
    assert response.status_code == 400
    assert "empty" in error_message(response)


def test_duplicate_titles_create_a_second_room(sandbox: Sandbox) -> None:
    """No uniqueness: the same title twice gives two rooms with different ids."""
    api = Api(sandbox)
    first, second = api.room("Client - Acme"), api.room("Client - Acme")
    assert first["id"] != second["id"]
    listed = api.get("files/rooms", params={"filterValue": "acme"}).json()["response"]
    assert [f["title"] for f in listed["folders"]] == ["Client - Acme", "Client - Acme"]


def test_room_type_accepts_names_and_rejects_unknown_numbers(sandbox: Sandbox) -> None:
    """``roomType`` may be an enum name; 3 is not a room type → 400."""
    api = Api(sandbox)
    assert api.room("Named", room_type="CustomRoom")["roomType"] == 5  # type: ignore[arg-type]
    response = api.post("files/rooms", json={"title": "Bad", "roomType": 3})
    assert response.status_code == 400
    assert "roomType" in error_message(response)


def test_missing_room_type_is_a_validation_400(sandbox: Sandbox) -> None:
    """``roomType`` is a required member."""
    response = Api(sandbox).post("files/rooms", json={"title": "No type"})
    assert response.status_code == 400
    assert response.json()["status"] == 1


def test_body_needs_json_content_type_and_content(sandbox: Sandbox) -> None:
    """No JSON content type → 415; JSON content type with an empty body → 400."""
    api = Api(sandbox)
    assert api.post("files/rooms", data=b'{"title":"x","roomType":2}').status_code == 415
    empty = api.post("files/rooms", data=b"", headers={"Content-Type": "application/json"})
    assert empty.status_code == 400


def test_public_and_form_rooms_get_a_primary_link(sandbox: Sandbox) -> None:
    """Public rooms start with a Read "Shared link", form rooms with a FillForms link, others none."""
    api = Api(sandbox)
    public, forms, collab = api.room("P", 6), api.room("F", 1), api.room("C", 2)
    public_links = api.get(f"files/rooms/{public['id']}/links").json()["response"]
    forms_links = api.get(f"files/rooms/{forms['id']}/links").json()["response"]
    assert [(x["access"], x["sharedLink"]["primary"]) for x in public_links] == [(2, True)]
    assert [(x["access"], x["sharedLink"]["primary"]) for x in forms_links] == [(7, True)]
    assert api.get(f"files/rooms/{collab['id']}/links").json()["count"] == 0


def test_tags_filter_takes_a_json_array_and_matches_any_tag(sandbox: Sandbox) -> None:
    """``tags=["a","b"]`` finds rooms with any of them, case-insensitively but not by substring."""
    api = Api(sandbox)
    acme = api.room("Acme", tags=["crm:C-1"])
    beta = api.room("Beta", tags=["crm:C-2"])
    api.room("Gamma", tags=["crm:C-10"])
    found = api.get("files/rooms", params={"tags": json.dumps(["CRM:c-1", "crm:C-2"])}).json()["response"]
    assert sorted(f["id"] for f in found["folders"]) == sorted([acme["id"], beta["id"]])


def test_tags_filter_that_is_not_json_is_a_500(sandbox: Sandbox) -> None:
    """A bare tag (as the SPEC example shows) makes the server's JSON parse throw → 500."""
    response = Api(sandbox).get("files/rooms", params={"tags": "crm:C-1"})
    assert response.status_code == 500
    assert response.json()["error"]["type"] == "System.Text.Json.JsonException"


def test_room_list_pages_with_start_index_count_and_total(sandbox: Sandbox) -> None:
    """Paging lives inside FolderContentDto; the envelope counts the one DTO."""
    api = Api(sandbox)
    for i in range(5):
        api.room(f"Room {i}")
    body = api.get("files/rooms", params={"startIndex": 3, "count": 2}).json()
    content = body["response"]
    assert (content["startIndex"], content["count"], content["total"]) == (3, 2, 5)
    assert len(content["folders"]) == 2
    assert content["current"]["title"] == "Rooms"
    assert body["count"] == 1 and "total" not in body


def test_count_101_is_a_validation_400(sandbox: Sandbox) -> None:
    """``count`` has ``[Range(1, 100)]``."""
    response = Api(sandbox).get("files/rooms", params={"count": 101})
    assert response.status_code == 400
    assert response.json()["response"]["errors"] == {"count": ["The field Count must be between 1 and 100."]}


def test_search_area_separates_active_and_archived(sandbox: Sandbox) -> None:
    """``searchArea`` 0 lists active rooms, 1 archived ones, 2 both."""
    api = Api(sandbox)
    active, archived = api.room("Active"), api.room("Archived")
    op = api.put(f"files/rooms/{archived['id']}/archive", json={}).json()["response"]
    api.wait_operation(op["id"])

    def ids(area: int) -> list[int]:
        content = api.get("files/rooms", params={"searchArea": area}).json()["response"]
        return sorted(f["id"] for f in content["folders"])

    assert ids(0) == [active["id"]]
    assert ids(1) == [archived["id"]]
    assert ids(2) == sorted([active["id"], archived["id"]])


def test_folders_in_a_room_allow_duplicates(sandbox: Sandbox) -> None:
    """Creating "Invoices" twice in one room gives two folders; the room id is the parent id."""
    api = Api(sandbox)
    room = api.room()
    first = api.post(f"files/folder/{room['id']}", json={"title": "Invoices"}).json()["response"]
    second = api.post(f"files/folder/{room['id']}", json={"title": "Invoices"}).json()["response"]
    assert first["id"] != second["id"]
    assert first["parentId"] == second["parentId"] == room["id"]
    content = api.get(f"files/{room['id']}").json()["response"]
    assert [f["title"] for f in content["folders"]] == ["Invoices", "Invoices"]


def test_folder_title_over_165_is_a_validation_400(sandbox: Sandbox) -> None:
    """Folders have ``[StringLength(165)]``."""
    api = Api(sandbox)
    room = api.room()
    assert api.post(f"files/folder/{room['id']}", json={"title": "f" * 166}).status_code == 400
    assert api.post(f"files/folder/{room['id']}", json={"title": "f" * 165}).status_code == 200


def test_folder_in_missing_parent_or_rooms_section_is_403(sandbox: Sandbox) -> None:
    """A missing parent → 403 "The required folder was not found"; the Rooms section itself → 403."""
    api = Api(sandbox)
    missing = api.post("files/folder/999999", json={"title": "x"})
    assert (missing.status_code, error_message(missing)) == (403, "The required folder was not found")
    section = api.post("files/folder/2", json={"title": "x"})
    assert (section.status_code, error_message(section)) == (
        403,
        "You don't have enough permission to create",
    )


def test_missing_room_is_404(sandbox: Sandbox) -> None:
    """``GET files/rooms/{id}`` of an unknown id → 404 "The required folder was not found"."""
    response = Api(sandbox).get("files/rooms/424242")
    assert (response.status_code, error_message(response)) == (404, "The required folder was not found")


def _welcome_id(api: Api) -> int:
    files = api.get("files/@my").json()["response"]["files"]
    return next(int(f["id"]) for f in files if f["title"] == "Welcome to your client room.pdf")


def test_copy_as_same_extension_lets_duplicates_coexist(sandbox: Sandbox) -> None:
    """Copying with the same extension twice leaves two files with the same title."""
    api = Api(sandbox)
    room, source = api.room(), _welcome_id(api)
    body = {"destFolderId": room["id"], "destTitle": "Welcome to your client room.pdf"}
    first = api.post(f"files/file/{source}/copyas", json=body).json()["response"]
    second = api.post(f"files/file/{source}/copyas", json=body).json()["response"]
    assert first["title"] == second["title"] == "Welcome to your client room.pdf"
    assert first["id"] != second["id"] and first["folderId"] == room["id"]


def test_copy_as_other_extension_renames_on_conflict(sandbox: Sandbox) -> None:
    """A converting copy clashes into ``Name (1).ext``, then ``Name (2).ext``."""
    api = Api(sandbox)
    room, source = api.room(), _welcome_id(api)
    body = {"destFolderId": room["id"], "destTitle": "Welcome.docx"}
    titles = [
        api.post(f"files/file/{source}/copyas", json=body).json()["response"]["title"] for _ in range(3)
    ]
    assert titles == ["Welcome.docx", "Welcome (1).docx", "Welcome (2).docx"]


def test_copy_as_missing_file_is_404(sandbox: Sandbox) -> None:
    """An unknown source file → 404 "The required file was not found"."""
    api = Api(sandbox)
    room = api.room()
    response = api.post("files/file/987654/copyas", json={"destFolderId": room["id"], "destTitle": "x.pdf"})
    assert (response.status_code, error_message(response)) == (404, "The required file was not found")


def test_wrong_method_on_known_path_is_405(sandbox: Sandbox) -> None:
    """Known path, unsupported method → 405 like ASP.NET endpoint routing."""
    assert Api(sandbox).call("PATCH", "files/rooms").status_code == 405


def test_anonymous_room_read_is_401_with_body(sandbox: Sandbox) -> None:
    """``GET files/rooms/{id}`` is ``[AllowAnonymous]``: no challenge, the service's 401 instead."""
    room = Api(sandbox).room()
    response = requests.get(f"{sandbox.url}/api/2.0/files/rooms/{room['id']}", timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["type"] is None
