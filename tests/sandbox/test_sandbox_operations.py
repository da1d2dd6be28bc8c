"""Archive, unarchive and delete: asynchronous file operations with the server's rules."""

from __future__ import annotations

from support.sandbox_api import Api, error_message

from docspace_sandbox.server import Sandbox


def test_archive_then_delete_are_async_operations(sandbox: Sandbox) -> None:
    """Archive returns a running Move (``Operation`` 0), delete a Delete (2); both finish later."""
    api = Api(sandbox)
    room = api.room()
    archive = api.put(f"files/rooms/{room['id']}/archive", json={"deleteAfter": False}).json()["response"]
    assert (archive["Operation"], archive["finished"]) == (0, False)
    assert api.wait_operation(archive["id"])["status"] == 2
    assert sandbox.state()["rooms"][0]["archived"] is True
    assert api.get(f"files/rooms/{room['id']}").json()["response"]["rootFolderType"] == 20
    delete = api.delete(f"files/rooms/{room['id']}", json={"deleteAfter": False}).json()["response"]
    assert (delete["Operation"], delete["finished"]) == (2, False)
    api.wait_operation(delete["id"])
    assert sandbox.state()["rooms"] == []


def test_deleting_an_active_room_is_403(sandbox: Sandbox) -> None:
    """Only archived rooms can be deleted; an active one → 403 "Access denied"."""
    api = Api(sandbox)
    room = api.room()
    response = api.delete(f"files/rooms/{room['id']}", json={})
    assert (response.status_code, error_message(response)) == (403, "Access denied")


def test_archive_and_delete_need_a_json_body(sandbox: Sandbox) -> None:
    """An empty JSON body is a validation 400; ``{}`` is accepted."""
    api = Api(sandbox)
    room = api.room()
    empty = api.put(
        f"files/rooms/{room['id']}/archive", data=b"", headers={"Content-Type": "application/json"}
    )
    assert empty.status_code == 400
    assert api.put(f"files/rooms/{room['id']}/archive", json={}).status_code == 200


def test_archived_rooms_refuse_edits(sandbox: Sandbox) -> None:
    """In an archived room folders → 403 "You cannot edit archived rooms", tags → "Access denied"."""
    api = Api(sandbox)
    room = api.room()
    op = api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]
    api.wait_operation(op["id"])
    folder = api.post(f"files/folder/{room['id']}", json={"title": "Invoices"})
    assert (folder.status_code, error_message(folder)) == (403, "You cannot edit archived rooms")
    tags = api.put(f"files/rooms/{room['id']}/tags", json={"names": ["x"]})
    assert (tags.status_code, error_message(tags)) == (403, "Access denied")


def test_unarchive_brings_a_room_back(sandbox: Sandbox) -> None:
    """``unarchive`` moves the room back to the Rooms section."""
    api = Api(sandbox)
    room = api.room()
    api.wait_operation(api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]["id"])
    api.wait_operation(api.put(f"files/rooms/{room['id']}/unarchive", json={}).json()["response"]["id"])
    assert sandbox.state()["rooms"][0]["archived"] is False


def test_fileops_lists_the_callers_operations(sandbox: Sandbox) -> None:
    """``GET files/fileops`` without ``id`` returns every held operation of the user."""
    api = Api(sandbox)
    a, b = api.room("A"), api.room("B")
    ids = {api.put(f"files/rooms/{r['id']}/archive", json={}).json()["response"]["id"] for r in (a, b)}
    listed = {op["id"] for op in api.get("files/fileops").json()["response"]}
    assert ids <= listed


def test_tags_are_added_and_reused_case_insensitively(sandbox: Sandbox) -> None:
    """``PUT tags`` adds names; an existing tag in other casing is reused, not duplicated."""
    api = Api(sandbox)
    api.room("First", tags=["CRM:C-7"])
    room = api.room("Second")
    tagged = api.put(f"files/rooms/{room['id']}/tags", json={"names": ["crm:c-7", "vip"]}).json()["response"]
    assert tagged["tags"] == ["CRM:C-7", "vip"]


def test_archived_rooms_refuse_sharing_and_links(sandbox: Sandbox) -> None:
    """Archived rooms grant no EditAccess: share and link changes → 403 "Access denied"."""
    api = Api(sandbox)
    room = api.room()
    api.wait_operation(api.put(f"files/rooms/{room['id']}/archive", json={}).json()["response"]["id"])
    carl = api.user_id("carl.user@sandbox.example")
    share = api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": carl, "access": 2}]})
    link = api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 2})
    assert [(r.status_code, error_message(r)) for r in (share, link)] == [(403, "Access denied")] * 2
