"""One user's delete queue, as two runs sharing an API key see it (DocSpace-server 3.7.2).

``FileOperationsManagerHolder<T>.GetOperationResults`` lists the caller's operations of one queue
in publication order, dequeues each finished one it shows and reports a held one that once;
``FoldersController.DeleteFolder`` answers with the whole queue, ``DeleteFile`` with its own
operation only when asked (``returnSingleOperation``).
"""

from __future__ import annotations

from typing import Any

from support.sandbox_api import Api

from docspace_sandbox.server import Sandbox

BODY = {"deleteAfter": False, "immediately": True}


def _folder(api: Api, parent: int, title: str) -> int:
    response = api.post(f"files/folder/{parent}", json={"title": title})
    assert response.status_code == 200, response.text
    return int(response.json()["response"]["id"])


def _ops(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return list(response.json()["response"])


def test_a_folder_delete_answers_with_the_whole_queue_oldest_first(sandbox: Sandbox) -> None:
    """The second folder delete lists the first before its own, even when asked for its own only."""
    sandbox.backend.op_delay_s = 3600  # operations end on their second status read only
    api = Api(sandbox)
    room = api.room()["id"]
    first = _ops(api.delete(f"files/folder/{_folder(api, room, 'A')}", json=BODY))
    second = _ops(
        api.delete(
            f"files/folder/{_folder(api, room, 'B')}", json=BODY, params={"returnSingleOperation": "true"}
        )
    )
    # The first is listed (its second read ends it) before the second, still running.
    assert [(op["id"] == first[0]["id"], op["finished"]) for op in second] == [(True, True), (False, False)]


def test_a_read_of_the_queue_dequeues_the_other_runs_finished_delete(sandbox: Sandbox) -> None:
    """A finished delete is reported once, to whichever read of the user's queue sees it first."""
    sandbox.backend.op_delay_s = 3600
    api = Api(sandbox)
    room = api.room()["id"]
    (mine,) = _ops(api.delete(f"files/folder/{_folder(api, room, 'A')}", json=BODY))
    # The other run's delete (same key): its answer's read ends ours (second read) and reports it.
    theirs = _ops(api.delete(f"files/folder/{_folder(api, room, 'B')}", json=BODY))
    assert (theirs[0]["id"], theirs[0]["finished"]) == (mine["id"], True)
    assert _ops(api.get("files/fileops", params={"id": mine["id"]})) == []  # our poll: gone, no outcome


def test_a_file_delete_can_ask_for_its_own_operation_only(sandbox: Sandbox) -> None:
    """``DeleteFile`` with ``returnSingleOperation`` lists its own operation, not the queue."""
    sandbox.backend.op_delay_s = 3600
    api = Api(sandbox)
    room = api.room()["id"]
    _ops(api.delete(f"files/folder/{_folder(api, room, 'A')}", json=BODY))
    copy = api.post("files/file/101/copyas", json={"destFolderId": room, "destTitle": "Offer.pdf"})
    file_id = copy.json()["response"]["id"]
    own = _ops(api.delete(f"files/file/{file_id}", json=BODY, params={"returnSingleOperation": "true"}))
    assert len(own) == 1 and not own[0]["finished"]


def test_fileops_lists_moves_before_deletes(sandbox: Sandbox) -> None:
    """``GetOperationStatuses`` reads the move/copy manager before the delete one: an older delete comes second."""
    sandbox.backend.op_delay_s = 3600
    api = Api(sandbox)
    room = api.room()["id"]
    (delete,) = _ops(api.delete(f"files/folder/{_folder(api, room, 'A')}", json=BODY))
    archive = api.put(f"files/rooms/{api.room('B')['id']}/archive", json={}).json()["response"]
    assert [op["id"] for op in _ops(api.get("files/fileops"))] == [archive["id"], delete["id"]]
