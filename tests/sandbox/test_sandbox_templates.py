"""Room templates on the sandbox: background jobs, one per tenant, with the server's answers."""

from __future__ import annotations

from typing import Any

from support.room_templates import FROM_TEMPLATE, ROOM_TEMPLATE, make_template, wait_job
from support.sandbox_api import Api, error_message

from docspace_sandbox.server import Sandbox


def test_a_template_is_listed_in_the_templates_section_only(sandbox: Sandbox) -> None:
    """A template made from a room shows under searchArea=4 (rootFolderType 30), never under Any."""
    api = Api(sandbox)
    template_id = make_template(api)
    listed = api.get("files/rooms", params={"searchArea": 4}).json()["response"]
    assert [(f["id"], f["rootFolderType"]) for f in listed["folders"]] == [(template_id, 30)]
    assert listed["current"]["rootFolderType"] == 30
    anywhere = api.get("files/rooms", params={"searchArea": 2}).json()["response"]["folders"]
    assert template_id not in {f["id"] for f in anywhere}


def test_a_room_from_a_template_gets_its_contents_title_type_and_tags(sandbox: Sandbox) -> None:
    """The job answers roomId -1 at first; once done the room has the template's type, folders and
    files, the request's title (sanitised) and tags."""
    api = Api(sandbox)
    template_id = make_template(api, room_type=5)
    body = {"templateId": template_id, "title": "Client: Acme", "tags": ["client:C-1"]}
    started = api.post(FROM_TEMPLATE, json=body).json()
    assert started["response"] == {"roomId": -1, "progress": 0, "error": "", "isCompleted": False}
    status = wait_job(api, FROM_TEMPLATE)
    assert (status["progress"], status["error"]) == (100, "")
    room = api.get(f"files/rooms/{status['roomId']}").json()["response"]
    assert (room["title"], room["roomType"], room["tags"], room["rootFolderType"]) == (
        "Client_ Acme", 5, ["client:C-1"], 14,
    )  # fmt: skip
    [state] = [r for r in sandbox.state()["rooms"] if r["id"] == status["roomId"]]
    assert [f["title"] for f in state["folders"]] == ["Invoices", "Contracts"]
    assert state["files"] == ["Welcome to your client room.pdf"]


def test_a_second_start_while_a_job_runs_is_ignored_with_the_running_jobs_status(sandbox: Sandbox) -> None:
    """Single flight (RoomTemplatesWorker.StartCreateRoomAsync): the second start is 200, queues
    nothing, and answers the first job's status; only the first room is made."""
    api = Api(sandbox)
    template_id = make_template(api)
    sandbox.backend.op_delay_s = 3600  # jobs end on their status polls only, never by the clock
    first = api.post(FROM_TEMPLATE, json={"templateId": template_id, "title": "First", "tags": ["t:1"]})
    second = api.post(FROM_TEMPLATE, json={"templateId": template_id, "title": "Second", "tags": ["t:2"]})
    assert second.status_code == 200
    assert second.json()["response"]["isCompleted"] is False
    assert first.json()["response"] == second.json()["response"]
    status = wait_job(api, FROM_TEMPLATE)
    titles = [r["title"] for r in sandbox.state()["rooms"]]
    assert "First" in titles and "Second" not in titles
    assert api.get(f"files/rooms/{status['roomId']}").json()["response"]["tags"] == ["t:1"]


def test_after_a_job_ends_the_next_start_runs(sandbox: Sandbox) -> None:
    """A completed job is replaced by the next start (dequeued), so starts one after another all run."""
    api = Api(sandbox)
    template_id = make_template(api)
    ids = []
    for n in range(2):
        api.post(FROM_TEMPLATE, json={"templateId": template_id, "title": f"Room {n}"})
        ids.append(wait_job(api, FROM_TEMPLATE)["roomId"])
    assert len(set(ids)) == 2


def test_no_job_answers_without_a_response(sandbox: Sandbox) -> None:
    """With no job the status endpoint returns the controller's null: no response key, count 0."""
    body = Api(sandbox).get(f"{FROM_TEMPLATE}/status").json()
    assert "response" not in body and body["count"] == 0


def test_a_room_that_is_no_template_fails_the_job_not_the_request(sandbox: Sandbox) -> None:
    """templateId of an ordinary room: the start is 200, the job ends with the server's message."""
    api = Api(sandbox)
    room = api.room()
    assert api.post(FROM_TEMPLATE, json={"templateId": room["id"], "title": "X"}).status_code == 200
    status = wait_job(api, FROM_TEMPLATE)
    assert status["error"] == "You don't have enough permission to view the folder content"
    assert status["progress"] == 0


def test_the_bodies_are_validated_like_the_server(sandbox: Sandbox) -> None:
    """Missing required templateId/title → 400 validation; color over 6 characters → 400."""
    api = Api(sandbox)
    missing = api.post(FROM_TEMPLATE, json={"title": "X"})
    assert missing.status_code == 400 and "templateId" in missing.text
    color = api.post(FROM_TEMPLATE, json={"templateId": 1, "title": "X", "color": "1234567"})
    assert color.status_code == 400 and "Color" in color.text
    assert api.post(ROOM_TEMPLATE, json={"title": "X"}).status_code == 400


def test_a_crashed_job_leaves_a_half_made_tagged_room_and_no_status(sandbox: Sandbox) -> None:
    """The control plane's crash: the room exists with its tag and files but no folder; no job."""
    api = Api(sandbox)
    template_id = make_template(api)
    api.post(FROM_TEMPLATE, json={"templateId": template_id, "title": "Half", "tags": ["t:half"]})
    crashed = api.session.post(f"{sandbox.url}/__sandbox__/templates/crash", json={}).json()
    [room] = [r for r in sandbox.state()["rooms"] if r["id"] == crashed["roomId"]]
    assert (room["tags"], room["folders"], room["files"]) == (
        ["t:half"],
        [],
        ["Welcome to your client room.pdf"],
    )
    assert "response" not in api.get(f"{FROM_TEMPLATE}/status").json()


def test_an_admin_does_not_list_another_accounts_template(sandbox: Sandbox) -> None:
    """searchArea=4 has no admin exception (GetVirtualRoomsForMeAsync): the owner's template is not
    listed to a DocSpace admin's key who was not given it."""
    owner = Api(sandbox)
    make_template(owner)
    sandbox.update_settings({"key_user": "admin"})
    listed = Api(sandbox).get("files/rooms", params={"searchArea": 4}).json()["response"]["folders"]
    assert listed == []


def test_a_template_cannot_be_archived_or_unarchived(sandbox: Sandbox) -> None:
    """Archive/unarchive of a room template is 404 "The record could not be found" and queues
    nothing (VirtualRoomsController.ArchiveRoom / UnarchiveRoom: ``throw new ItemNotFoundException()``)."""
    api = Api(sandbox)
    template_id = make_template(api)
    for action in ("archive", "unarchive"):
        answer = api.put(f"files/rooms/{template_id}/{action}", json={"deleteAfter": False})
        assert (answer.status_code, error_message(answer)) == (404, "The record could not be found")
        assert answer.json()["error"]["type"] == "ASC.Common.Web.ItemNotFoundException"
    assert api.get("files/fileops").json()["response"] == []
    listed = api.get("files/rooms", params={"searchArea": 4}).json()["response"]["folders"]
    assert [f["id"] for f in listed] == [template_id]


def test_a_second_template_start_before_the_first_runs_gets_the_first_jobs_status(sandbox: Sandbox) -> None:
    """A template job queued but not yet run is not replaced by a second start (RoomTemplatesWorker.
    StartCreateTemplateAsync with enqueueTask=false returns the tenant's unfinished task's id)."""
    api = Api(sandbox)
    first_room, second_room = api.room("First source"), api.room("Second source")
    sandbox.backend.op_delay_s = 3600  # the first job stays queued until its status is polled
    first = api.post(ROOM_TEMPLATE, json={"roomId": first_room["id"], "title": "First"})
    second = api.post(ROOM_TEMPLATE, json={"roomId": second_room["id"], "title": "Second"})
    assert second.status_code == 200 and first.json()["response"] == second.json()["response"]
    status = wait_job(api, ROOM_TEMPLATE)
    listed = api.get("files/rooms", params={"searchArea": 4}).json()["response"]["folders"]
    assert [(f["id"], f["title"]) for f in listed] == [(status["templateId"], "First")]


ROLE_ERROR = "The role is not available for this user type"
NO_VIEW = "You don't have enough permission to view the folder content"


def _share(api: Api, room_id: int, *invitations: dict[str, object]) -> Any:
    return api.put(f"files/rooms/{room_id}/share", json={"invitations": list(invitations), "notify": True})


def _member_accesses(api: Api, room_id: int) -> dict[str, int]:
    rows = api.get(f"files/rooms/{room_id}/share").json()["response"]
    return {m["sharedToUser"]["email"]: m["access"] for m in rows if not m["isOwner"]}


def test_a_template_is_shared_read_only_with_admins_and_room_admins(sandbox: Sandbox) -> None:
    """Templates take Read/None only, Read only for (room) admins; else the whole request is 403 (VirtualRoomsController.SetRoomSecurity)."""
    api = Api(sandbox)
    template_id = make_template(api, room_type=5)  # Custom: the room table would allow all of these
    anna, dana = api.user_id("anna.manager@sandbox.example"), api.user_id("dana.admin@sandbox.example")
    carl, gina = api.user_id("carl.user@sandbox.example"), api.user_id("gina.guest@sandbox.example")
    refused = (
        [{"id": anna, "access": 2}, {"id": gina, "access": 2}],  # a guest
        [{"id": anna, "access": 2}, {"id": carl, "access": 2}],  # a User-type account
        [{"id": anna, "access": 2}, {"email": "new.client@acme.example", "access": 2}],  # an e-mail
        [{"id": anna, "access": 11}],  # a role above Read, even for a room admin
        [{"id": anna, "access": 2}, {"id": dana, "access": 10}],
    )
    for invitations in refused:
        answer = _share(api, template_id, *invitations)
        assert (answer.status_code, error_message(answer)) == (403, ROLE_ERROR), invitations
        assert answer.json()["error"]["type"] == "System.InvalidOperationException"
        assert _member_accesses(api, template_id) == {}, invitations  # nothing saved, anna included
    assert api.get("people/email", params={"email": "new.client@acme.example"}).status_code == 404
    granted = _share(api, template_id, {"id": anna, "access": 2}, {"id": dana, "access": 2})
    assert granted.status_code == 200, granted.text
    assert [m["access"] for m in granted.json()["response"]["members"]] == [2, 2]
    assert _member_accesses(api, template_id) == {
        "anna.manager@sandbox.example": 2,
        "dana.admin@sandbox.example": 2,
    }
    # None passes for anyone, guests and e-mails included; it removes a member.
    removed = _share(
        api,
        template_id,
        {"id": anna, "access": 0},
        {"id": gina, "access": 0},
        {"email": "x@y.example", "access": 0},
    )
    assert removed.status_code == 200, removed.text
    assert _member_accesses(api, template_id) == {"dana.admin@sandbox.example": 2}


def test_a_templates_role_check_comes_before_the_edit_access_check(sandbox: Sandbox) -> None:
    """The template role check precedes EditAccess (VirtualRoomsController.SetRoomSecurity before FileSharingAceHelper.SetAceObjectAsync)."""
    owner = Api(sandbox)
    template_id = make_template(owner)
    rita = owner.user_id("rita.roomadmin@sandbox.example")
    assert _share(owner, template_id, {"id": rita, "access": 2}).status_code == 200
    sandbox.update_settings({"key_user": "room-admin"})
    api = Api(sandbox)
    anna = api.user_id("anna.manager@sandbox.example")
    refused = _share(api, template_id, {"id": anna, "access": 11})
    assert (refused.status_code, error_message(refused)) == (403, ROLE_ERROR)
    denied = _share(api, template_id, {"id": anna, "access": 2})
    assert (denied.status_code, error_message(denied)) == (403, "Access denied")


def test_an_admin_cannot_read_or_share_another_accounts_template(sandbox: Sandbox) -> None:
    """No admin exception for templates: Read needs the creator or an ACE (FileSecurity.FilterEntryAsync, RoomTemplates)."""
    owner = Api(sandbox)
    template_id = make_template(owner)
    anna = owner.user_id("anna.manager@sandbox.example")
    sandbox.update_settings({"key_user": "admin"})
    api = Api(sandbox)
    read = api.get(f"files/rooms/{template_id}")
    assert (read.status_code, error_message(read)) == (403, NO_VIEW)
    shared = _share(api, template_id, {"id": anna, "access": 2})
    assert (shared.status_code, error_message(shared)) == (403, NO_VIEW)
    sandbox.update_settings({"key_user": "owner"})
    dana = owner.user_id("dana.admin@sandbox.example")
    assert _share(owner, template_id, {"id": dana, "access": 2}).status_code == 200
    sandbox.update_settings({"key_user": "admin"})
    assert api.get(f"files/rooms/{template_id}").status_code == 200
