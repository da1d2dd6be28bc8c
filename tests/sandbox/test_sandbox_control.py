"""The control plane and persistence: state document, reset, request log, state file, latency."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests
from support.sandbox_api import Api

from docspace_sandbox.server import Sandbox, start


def test_state_endpoint_shape(sandbox: Sandbox) -> None:
    """``GET /__sandbox__/state`` lists rooms with folders, files, members and links."""
    api = Api(sandbox)
    room = api.room("Client - Acme", 5, tags=["crm:1"])
    folder = api.post(f"files/folder/{room['id']}", json={"title": "Invoices"}).json()["response"]
    welcome = next(
        f for f in api.get("files/@my").json()["response"]["files"] if f["title"].startswith("Welcome")
    )
    api.post(
        f"files/file/{welcome['id']}/copyas", json={"destFolderId": folder["id"], "destTitle": "Welcome.pdf"}
    )
    api.put(
        f"files/rooms/{room['id']}/share", json={"invitations": [{"email": "c@client.example", "access": 2}]}
    )
    api.put(f"files/rooms/{room['id']}/links", json={"linkType": 0, "access": 2, "maxUseCount": 3})
    state = requests.get(f"{sandbox.url}/__sandbox__/state", timeout=5).json()
    assert state == sandbox.state()
    (entry,) = state["rooms"]
    assert {k: entry[k] for k in ("id", "title", "roomType", "tags", "archived", "files")} == {
        "id": room["id"],
        "title": "Client - Acme",
        "roomType": 5,
        "tags": ["crm:1"],
        "archived": False,
        "files": [],
    }
    assert entry["folders"][0]["title"] == "Invoices" and entry["folders"][0]["files"] == ["Welcome.pdf"]
    assert entry["members"] == [
        {"email": "owner@sandbox.example", "access": 1, "owner": True},
        {"email": "c@client.example", "access": 2, "owner": False},
    ]
    (link,) = entry["links"]
    assert {
        k: link[k] for k in ("linkType", "access", "title", "expirationDate", "maxUseCount", "password")
    } == {
        "linkType": 0,
        "access": 2,
        "title": "Invitation link",
        "expirationDate": None,
        "maxUseCount": 3,
        "password": None,
    }
    assert link["shareLink"].startswith(f"{sandbox.url}/s/")


def test_reset_returns_to_the_seed(sandbox: Sandbox) -> None:
    """``POST /__sandbox__/reset`` forgets every room."""
    Api(sandbox).room()
    assert requests.post(f"{sandbox.url}/__sandbox__/reset", timeout=5).json() == {"ok": True}
    assert sandbox.state() == {"rooms": []}


def test_request_log_records_exchanges_without_credentials(sandbox: Sandbox) -> None:
    """The log has method, path, query, status, body and response, and never the API key."""
    api = Api(sandbox)
    api.post("files/rooms", json={"title": "Logged", "roomType": 2})
    api.get("files/rooms", params={"filterValue": "Log"})
    log = requests.get(f"{sandbox.url}/__sandbox__/requests", timeout=5).json()
    post, get = log[-2], log[-1]
    assert (post["method"], post["path"], post["status"]) == ("POST", "/api/2.0/files/rooms", 200)
    assert post["body"] == {"title": "Logged", "roomType": 2}
    assert post["response"]["response"]["title"] == "Logged"
    assert get["query"] == {"filterValue": ["Log"]}
    assert sandbox.api_key not in json.dumps(log)


def test_state_file_survives_restart(tmp_path: Path) -> None:
    """With ``state_file`` the rooms are there again after a restart."""
    path = tmp_path / "portal.json"
    with start(state_file=str(path)) as first:
        Api(first).room("Persisted")
    with start(state_file=str(path)) as second:
        assert [r["title"] for r in second.state()["rooms"]] == ["Persisted"]
        assert Api(second).get("files/rooms").json()["response"]["total"] == 1


def test_latency_is_added_to_api_requests() -> None:
    """``latency_ms`` delays API calls (not control calls)."""
    with start(latency_ms=150) as slow:
        started = time.monotonic()
        Api(slow).get("people/@self")
        assert time.monotonic() - started >= 0.15


def test_control_plane_rejects_unknown_endpoints(sandbox: Sandbox) -> None:
    """Unknown control names → 404 JSON; the health check answers."""
    assert requests.get(f"{sandbox.url}/__sandbox__/nope", timeout=5).status_code == 404
    assert requests.get(f"{sandbox.url}/__sandbox__/health", timeout=5).json()["ok"] is True
