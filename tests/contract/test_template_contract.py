"""The room-template endpoints of the sandbox, happy and error paths, against the SDK models."""

from __future__ import annotations

import oracle
import requests
from support.room_templates import make_template, wait_job
from support.sandbox_api import Api

from docspace_sandbox.server import Sandbox


def test_template_exchanges_fit_the_sdk_models(sandbox: Sandbox) -> None:
    """Every template request body and answer (running, done, failed, none, 400) parses strictly."""
    api = Api(sandbox)
    none = api.get("files/rooms/fromTemplate/status")
    template_id = make_template(api)
    api.post("files/rooms/fromTemplate", json={"templateId": template_id, "title": "A", "tags": ["t:a"]})
    wait_job(api, "files/rooms/fromTemplate")
    api.post("files/rooms/fromTemplate", json={"templateId": 99999, "title": "B"})
    wait_job(api, "files/rooms/fromTemplate")
    api.post("files/rooms/fromTemplate", json={"title": "no id"})
    api.get("files/rooms", params={"searchArea": 4})
    assert "response" not in none.json()
    problems = []
    for entry in sandbox.request_log():
        body = entry["body"] if entry["status"] == 200 else None  # the 400's body is malformed on purpose
        try:
            oracle.check_exchange(entry["method"], entry["path"], body, entry["response"], entry["status"])
        except (AssertionError, KeyError) as exc:
            problems.append(f"{entry['method']} {entry['path']}: {exc}")
    assert problems == []
    assert {e["path"].split("?")[0] for e in sandbox.request_log()} >= {
        "/api/2.0/files/rooms/fromTemplate", "/api/2.0/files/rooms/fromTemplate/status",
        "/api/2.0/files/roomtemplate", "/api/2.0/files/roomtemplate/status",
    }  # fmt: skip


def test_the_oracle_refuses_a_misspelt_template_body(sandbox: Sandbox) -> None:
    """A body key the server would ignore (``template`` for ``templateId``) fails the contract."""
    bad = {"template": 5, "title": "x"}
    response = requests.post(
        f"{sandbox.url}/api/2.0/files/rooms/fromTemplate",
        json=bad,
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
        timeout=10,
    )
    assert response.status_code == 400
    try:
        oracle.check("CreateRoomFromTemplateDto", bad)
    except AssertionError as exc:
        assert "template" in str(exc)
    else:
        raise AssertionError("the oracle accepted an unknown key")


def test_a_template_runs_requests_and_answers_fit_the_sdk_models(sandbox: Sandbox, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every request our client sends in a template-blueprint run (and every answer) parses strictly."""
    from support.engine import make_clients

    from onboarding.blueprint import Blueprint
    from onboarding.docspace import DocSpaceClient
    from onboarding.journal import SqliteJournal
    from onboarding.workflow.engine import Engine

    template_id = make_template(Api(sandbox))
    sandbox.clear_log()
    api = DocSpaceClient(sandbox.url, sandbox.api_key)
    bp = Blueprint.from_dict({"room_template": str(template_id)})
    engine = Engine(api, SqliteJournal(tmp_path / "j.db"), bp, portal_key="contract")
    assert engine.run(make_clients(3)).exit_code == 0
    api.list_templates()
    api.room_template_status()
    log = sandbox.request_log()
    assert sum(1 for e in log if e["path"].endswith("/fromTemplate")) == 3
    problems = []
    for entry in log:
        try:
            oracle.check_exchange(
                entry["method"], entry["path"], entry["body"], entry["response"], entry["status"]
            )
        except (AssertionError, KeyError) as exc:
            problems.append(f"{entry['method']} {entry['path']}: {exc}")
    assert problems == []
