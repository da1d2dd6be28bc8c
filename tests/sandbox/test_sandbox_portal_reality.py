"""Rules of the real server the sandbox was more forgiving about (the portal-reality audit).

Each test names the DocSpace-server 3.7.2 source it follows.
"""

from __future__ import annotations

from typing import Any

from support.checked_api import CheckedApi
from support.room_templates import FROM_TEMPLATE, ROOM_TEMPLATE, wait_job
from support.sandbox_api import Api, error_message

from docspace_sandbox.server import Sandbox

UPLOAD_TO_FORM_ROOM = (
    "The file cannot be uploaded to this room. Please try to upload the ONLYOFFICE PDF form."
)


def _my_file(api: Api, title: str) -> dict[str, Any]:
    files: list[dict[str, Any]] = api.get("files/@my").json()["response"]["files"]
    return next(f for f in files if f["title"] == title)


def _copy(api: Api, file_id: int, dest: int, title: str) -> Any:
    return api.post(f"files/file/{file_id}/copyas", json={"destFolderId": dest, "destTitle": title})


def test_my_documents_hold_a_pdf_form_and_plain_pdfs(sandbox: Sandbox) -> None:
    """FileDto.isForm: the seeded intake form is a PDF form, the welcome PDFs are plain PDFs."""
    api = Api(sandbox)
    assert _my_file(api, "Client intake form.pdf")["isForm"] is True
    assert _my_file(api, "Welcome to your client room.pdf")["isForm"] is False


def test_form_filling_room_refuses_a_copy_that_is_not_a_form(sandbox: Sandbox) -> None:
    """FileDao.SaveFileAsync: a non-form copied into a Form filling room (or its folder) is a 500
    with ErrorMessage_UploadToFormRoom, and no file is left behind."""
    api = Api(sandbox)
    room = api.room("Forms", room_type=1)
    folder = api.post(f"files/folder/{room['id']}", json={"title": "Inbox"}).json()["response"]
    for source in ("Welcome to your client room.pdf", "NDA template.docx"):
        for dest in (room["id"], folder["id"]):
            answer = _copy(api, _my_file(api, source)["id"], dest, source)
            assert answer.status_code == 500, answer.text
            assert error_message(answer) == UPLOAD_TO_FORM_ROOM
            assert answer.json()["error"]["type"] == "System.Exception"
    assert api.get(f"files/{room['id']}").json()["response"]["files"] == []


def test_form_filling_room_takes_a_pdf_form(sandbox: Sandbox) -> None:
    """A PDF form copies into a Form filling room and stays a form; other room types take any file."""
    api = Api(sandbox)
    room = api.room("Forms", room_type=1)
    form = _my_file(api, "Client intake form.pdf")
    answer = _copy(api, form["id"], room["id"], "Intake.pdf")
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"]["isForm"] is True
    custom = api.room("Custom", room_type=5)
    assert _copy(api, _my_file(api, "NDA template.docx")["id"], custom["id"], "NDA.docx").status_code == 200


def test_room_from_a_form_template_skips_files_that_are_not_forms(sandbox: Sandbox) -> None:
    """CreateRoomFromTemplateOperation.CopyFolderContentAsync logs and skips a file SaveFileAsync
    refuses: a Form filling room made from a template gets only its forms, and the job succeeds."""
    api = Api(sandbox)
    source = api.room("Form source", room_type=1)
    assert (
        _copy(api, _my_file(api, "Client intake form.pdf")["id"], source["id"], "Intake.pdf").status_code
        == 200
    )
    assert api.post(ROOM_TEMPLATE, json={"roomId": source["id"], "title": "Forms"}).status_code == 200
    template_id = int(wait_job(api, ROOM_TEMPLATE)["templateId"])
    # A template is outside the rule (RootFolderType RoomTemplates): a plain PDF may be put there.
    welcome = _my_file(api, "Welcome to your client room.pdf")
    assert _copy(api, welcome["id"], template_id, welcome["title"]).status_code == 200
    assert api.post(FROM_TEMPLATE, json={"templateId": template_id, "title": "Client"}).status_code == 200
    status = wait_job(api, FROM_TEMPLATE)
    assert status["error"] == ""
    files = api.get(f"files/{status['roomId']}").json()["response"]["files"]
    assert [f["title"] for f in files] == ["Intake.pdf"]


def test_file_copy_operation_into_a_form_room_reports_the_refusal(sandbox: Sandbox) -> None:
    """FileMoveCopyOperation catches SaveFileAsync's refusal per file: the copy ends with the message
    in ``error`` and the non-form is not copied."""
    api = Api(sandbox)
    room = api.room("Forms", room_type=1)
    welcome = _my_file(api, "Welcome to your client room.pdf")
    started = api.put("files/fileops/copy", json={"fileIds": [welcome["id"]], "destFolderId": room["id"]})
    assert started.status_code == 200, started.text
    done = api.wait_operation(started.json()["response"][0]["id"])
    assert done["error"] == UPLOAD_TO_FORM_ROOM
    assert api.get(f"files/{room['id']}").json()["response"]["files"] == []


def _external_link(api: Api, room_id: int, password: str) -> Any:
    body = {"linkType": 1, "access": 2, "title": "Client link", "password": password}
    return api.put(f"files/rooms/{room_id}/links", json=body)


def test_link_password_follows_the_portals_password_policy(sandbox: Sandbox) -> None:
    """PasswordSettingsManager.CheckPassword uses the portal's PasswordSettings, not only the
    default: with 12 characters, capital letters, digits and special characters required, a
    password the default policy takes is a 400 naming every requirement, in the server's order."""
    api = Api(sandbox)
    room = api.room("Custom", room_type=5)
    assert _external_link(api, room["id"], "plainpassword").status_code == 200
    policy = {"min_length": 12, "upper_case": True, "digits": True, "spec_symbols": True}
    CheckedApi(sandbox).settings(password_policy=policy)
    refused = _external_link(api, room["id"], "plainpassword")
    assert refused.status_code == 400, refused.text
    assert error_message(refused) == (
        "Password must contain from 12 to 30 characters, only latin letters, no spaces, "
        "capital letters, digits, special characters"
    )
    assert _external_link(api, room["id"], "Short1!").status_code == 400
    assert _external_link(api, room["id"], "Plain-Password-2026").status_code == 200


def test_password_policy_minimum_below_8_still_needs_8(sandbox: Sandbox) -> None:
    """CheckLengthInRange keeps 8 to 30 (web:password:min unset) whatever the policy's minimum."""
    api = Api(sandbox)
    room = api.room("Custom", room_type=5)
    CheckedApi(sandbox).settings(password_policy={"min_length": 4})
    assert _external_link(api, room["id"], "abcdef").status_code == 400
    assert _external_link(api, room["id"], "abcdefgh").status_code == 200
