"""Every request body our client sends, and every sandbox answer to it, fits the official SDK models."""

from __future__ import annotations

import pytest
from oracle import check_exchange

from docspace_sandbox.server import Sandbox
from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient, FileShare, LinkRequest, LinkType, RoomType
from onboarding.journal import SqliteJournal
from onboarding.workflow.engine import Engine


class _Client:
    def __init__(self, i: int, manager: str) -> None:
        self.client_id = f"K-{i}"
        self.name = f"Contract Client {i}"
        self.email = f"k{i}@contract.example"
        self.manager_email = manager
        self.extra: dict[str, str] = {}


def _exercise(sandbox: Sandbox, tmp_path) -> None:  # type: ignore[no-untyped-def]
    api = DocSpaceClient(sandbox.url, sandbox.api_key)
    welcome = next(f for f in api.my_documents().files if f.title.startswith("Welcome"))
    bp = Blueprint.from_dict(
        {"templates": [{"source": str(welcome.id)}, {"source": "@my/How to use the client portal.pdf", "folder": ""}],
         "link": {"expires_in_days": 30, "max_use_count": 5}}
    )  # fmt: skip
    engine = Engine(api, SqliteJournal(tmp_path / "j.db"), bp, portal_key="contract")
    clients = [_Client(1, "anna.manager@sandbox.example"), _Client(2, "carl.user@sandbox.example")]
    assert engine.run(clients).exit_code == 0
    engine.archive("K-1")
    # calls the engine does not make on a happy path
    api.search_people("manager")
    api.list_rooms()
    custom = api.create_room("Contract custom room", RoomType.CUSTOM)
    api.set_room_link(
        custom.id, LinkRequest(LinkType.EXTERNAL, FileShare.READ, title="Shared", password="Secret-123!")
    )
    api.primary_link(custom.id)
    api.invitation_settings()
    assert api.password_policy().accepts("Secret-123!")
    api.add_room_tags(custom.id, ["contract"])
    api.get_room(custom.id)
    api.find_user_by_email("nobody@nowhere.example")


def test_every_request_and_response_fits_the_sdk_models(sandbox: Sandbox, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Walk the sandbox's request log after a full run and check each exchange against the SDK."""
    _exercise(sandbox, tmp_path)
    log = sandbox.request_log()
    assert len(log) > 30
    problems = []
    for entry in log:
        try:
            check_exchange(entry["method"], entry["path"], entry["body"], entry["response"], entry["status"])
        except (AssertionError, KeyError) as exc:
            problems.append(f"{entry['method']} {entry['path']}: {exc}")
    assert problems == []


@pytest.mark.parametrize("endpoint", ["POST /api/2.0/files/rooms", "PUT /api/2.0/files/rooms/{id}/share"])
def test_the_oracle_catches_a_misspelt_key(endpoint: str) -> None:
    """The contract check is strict: a misspelt body key (like the vendor example's) is reported."""
    method, path = endpoint.split(" ")
    path = path.replace("{id}", "5")
    body = {"title": "x", "roomType": 2, "tagz": []} if method == "POST" else {"entries": [], "notify": False}
    with pytest.raises(AssertionError, match=r"tagz|entries"):
        check_exchange(method, path, body, None, 429)
