"""Injected faults: lost responses, held replies, 5xx/429 shapes, scripted rules, determinism."""

from __future__ import annotations

import pytest
import requests
from support.sandbox_api import Api

from docspace_sandbox.faults import FaultPlan, FaultRule
from docspace_sandbox.server import Sandbox


def test_drop_commits_the_write_but_sends_no_reply(sandbox: Sandbox) -> None:
    """A dropped POST creates the room, then the connection closes without any response."""
    sandbox.set_faults({"rules": [{"method": "POST", "path": "^/api/2.0/files/rooms$", "fault": "drop"}]})
    api = Api(sandbox)
    with pytest.raises(requests.ConnectionError):
        api.post("files/rooms", json={"title": "Lost reply", "roomType": 2})
    assert [r["title"] for r in sandbox.state()["rooms"]] == ["Lost reply"]
    assert sandbox.request_log()[-1]["fault"] == "drop"
    assert api.post("files/rooms", json={"title": "Next", "roomType": 2}).status_code == 200


def test_timeout_commits_then_holds_the_reply(sandbox: Sandbox) -> None:
    """A ``timeout`` fault commits the write and holds the reply past the client's read timeout."""
    sandbox.set_faults(
        FaultPlan(hang_ms=5000, rules=[FaultRule("timeout", path="/files/rooms$", method="POST")])
    )
    with pytest.raises(requests.ReadTimeout):
        Api(sandbox).post("files/rooms", json={"title": "Slow", "roomType": 2}, timeout=0.3)
    assert [r["title"] for r in sandbox.state()["rooms"]] == ["Slow"]


def test_scripted_rule_honours_skip_and_times(sandbox: Sandbox) -> None:
    """``skip`` lets matches through first; ``times`` limits how often the fault fires."""
    response = requests.post(
        f"{sandbox.url}/__sandbox__/faults",
        json={"rules": [{"path": "people/@self", "fault": "error503", "skip": 1, "times": 2}]},
        timeout=5,
    )
    assert response.status_code == 200
    api = Api(sandbox)
    assert [api.get("people/@self").status_code for _ in range(4)] == [200, 503, 503, 200]


def test_injected_error_shapes(sandbox: Sandbox) -> None:
    """500 is a JSON error envelope, 502 nginx HTML, 429 empty with ``Retry-After: 1``."""
    sandbox.set_faults(
        {
            "rules": [
                {"path": "@self", "fault": "error500"},
                {"path": "@self", "fault": "error502"},
                {"path": "@self", "fault": "error429"},
            ]
        }
    )
    api = Api(sandbox)
    r500, r502, r429 = (api.get("people/@self") for _ in range(3))
    assert r500.status_code == 500 and r500.json()["statusCode"] == 500
    assert r502.status_code == 502 and r502.headers["Content-Type"].startswith("text/html")
    assert (r429.status_code, r429.content, r429.headers["Retry-After"]) == (429, b"", "1")


def test_seeded_faults_are_deterministic(sandbox: Sandbox) -> None:
    """The same seed and request sequence meet the same faults."""
    spec = "error5xx=0.3,error429=0.2,latency_ms=0,seed=7"
    api = Api(sandbox)

    def run() -> list[int]:
        sandbox.set_faults(spec)
        return [api.get("people/@self").status_code for _ in range(40)]

    first, second = run(), run()
    assert first == second
    assert {200, 429} <= set(first) and any(code >= 500 for code in first)


def test_control_endpoints_are_never_faulted(sandbox: Sandbox) -> None:
    """Even with every API request failing, ``/__sandbox__/`` answers normally."""
    sandbox.set_faults("error5xx=1.0,seed=1")
    assert requests.get(f"{sandbox.url}/__sandbox__/state", timeout=5).status_code == 200
    assert requests.get(f"{sandbox.url}/__sandbox__/faults", timeout=5).json()["error5xx"] == 1.0


def test_bad_fault_spec_is_rejected() -> None:
    """Unknown keys and impossible probabilities are refused up front."""
    with pytest.raises(ValueError):
        FaultPlan.parse("explode=0.5")
    with pytest.raises(ValueError):
        FaultPlan.parse("error5xx=0.8,drop=0.5")
