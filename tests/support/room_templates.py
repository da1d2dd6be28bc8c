"""Room templates on the sandbox for tests: make one from a filled room, wait for a job's end."""

from __future__ import annotations

from typing import Any

from support.sandbox_api import Api
from support.waiting import wait_until

FROM_TEMPLATE = "files/rooms/fromTemplate"
ROOM_TEMPLATE = "files/roomtemplate"


def wait_job(api: Api, path: str) -> dict[str, Any]:
    """Poll ``<path>/status`` until the tenant's job is completed; returns its status DTO."""
    found: dict[str, Any] = {}

    def completed() -> bool:
        found.clear()
        found.update(api.get(f"{path}/status").json().get("response") or {})
        return bool(found.get("isCompleted"))

    wait_until(completed, timeout=10)
    return found


def make_template(
    api: Api,
    title: str = "Client room",
    *,
    folders: tuple[str, ...] = ("Invoices", "Contracts"),
    room_type: int = 2,
) -> int:
    """A template made from a new room holding ``folders`` and one copied welcome file (the intake
    form in a Form filling room, which takes nothing but PDF forms); its id."""
    room = api.room("Template source", room_type)
    for name in folders:
        assert api.post(f"files/folder/{room['id']}", json={"title": name}).status_code == 200
    my = api.get("files/@my").json()["response"]["files"]
    first = "Client intake form" if room_type == 1 else "Welcome"
    welcome = next(f for f in my if f["title"].startswith(first))
    copied = api.post(
        f"files/file/{welcome['id']}/copyas", json={"destFolderId": room["id"], "destTitle": welcome["title"]}
    )
    assert copied.status_code == 200, copied.text
    started = api.post(ROOM_TEMPLATE, json={"roomId": room["id"], "title": title})
    assert started.status_code == 200, started.text
    status = wait_job(api, ROOM_TEMPLATE)
    assert status["error"] == "", status
    return int(status["templateId"])


def make_default_template(api: Api, title: str = "Client room") -> int:
    """A template holding what the default blueprint makes: Invoices, Contracts, Deliverables with
    the two welcome files in Deliverables (so ``one_room_per_client`` checks rooms made from it)."""
    room = api.room("Template source")
    folders = {}
    for name in ("Invoices", "Contracts", "Deliverables"):
        made = api.post(f"files/folder/{room['id']}", json={"title": name})
        assert made.status_code == 200, made.text
        folders[name] = made.json()["response"]["id"]
    for entry in api.get("files/@my").json()["response"]["files"]:
        if entry["title"] in ("Welcome to your client room.pdf", "How to use the client portal.pdf"):
            body = {"destFolderId": folders["Deliverables"], "destTitle": entry["title"]}
            assert api.post(f"files/file/{entry['id']}/copyas", json=body).status_code == 200
    assert api.post(ROOM_TEMPLATE, json={"roomId": room["id"], "title": title}).status_code == 200
    status = wait_job(api, ROOM_TEMPLATE)
    assert status["error"] == "", status
    return int(status["templateId"])
