"""Retries in a run: lost answers, timeouts, 429 and 5xx are retried without duplicates; a 403 is not."""

from __future__ import annotations

import time

import pytest
from support.engine import Client, Harness, make_clients, one_room_per_client

from onboarding.journal import DONE, FAILED
from onboarding.workflow.throttle import Limits


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


WRITES = [
    ("POST", r"^/api/2.0/files/rooms$"),
    ("POST", r"^/api/2.0/files/folder/\d+$"),
    ("POST", r"^/api/2.0/files/file/\d+/copyas$"),
    ("PUT", r"^/api/2.0/files/rooms/\d+/share$"),
    ("PUT", r"^/api/2.0/files/rooms/\d+/links$"),
]


@pytest.mark.parametrize(("method", "path"), WRITES, ids=["room", "folder", "copy", "share", "link"])
def test_lost_response_on_each_kind_of_write_creates_no_duplicate(
    harness: Harness, method: str, path: str
) -> None:
    """The write is committed but its answer is lost; the retry finds it instead of creating it again."""
    clients = make_clients(2)
    harness.sandbox.set_faults({"rules": [{"method": method, "path": path, "fault": "drop", "times": 1}]})
    result = harness.engine().run(clients)
    assert result.exit_code == 0, result.errors
    one_room_per_client(harness.rooms(), clients, _tag)
    assert result.stats["retries"] >= 1


def test_timeout_after_commit_creates_no_duplicate(harness: Harness) -> None:
    """A room create that times out on our side (but was committed) is found by its tag."""
    clients = make_clients(1)
    harness.sandbox.set_faults(
        {"rules": [{"method": "POST", "path": r"^/api/2.0/files/rooms$", "fault": "timeout", "times": 1}],
         "hang_ms": 1500}
    )  # fmt: skip
    result = harness.engine(read_timeout=0.5).run(clients)
    assert result.exit_code == 0, result.errors
    one_room_per_client(harness.rooms(), clients, _tag)


def test_create_that_completes_after_its_timeout_is_found_not_repeated(harness: Harness) -> None:
    """Creates that answer after our timeout: waiting as long again before looking finds them; no duplicates."""
    clients = make_clients(1)
    harness.sandbox.set_faults(
        {"rules": [
            {"method": "POST", "path": r"^/api/2.0/files/rooms$", "fault": "latency", "latency_ms": 400, "times": 1},
            {"method": "POST", "path": r"^/api/2.0/files/folder/\d+$", "fault": "latency", "latency_ms": 400, "times": 2},
        ]}
    )  # fmt: skip
    result = harness.engine(read_timeout=0.3, sleep=time.sleep).run(clients)
    assert result.exit_code == 0, result.errors
    one_room_per_client(harness.rooms(), clients, _tag)
    assert result.stats["duplicates_avoided"] == 3


def test_429_retry_after_is_honoured(harness: Harness) -> None:
    """A 429 with Retry-After makes the engine wait at least that long before trying again."""
    harness.sandbox.set_faults(
        {"rules": [{"method": "POST", "path": r"^/api/2.0/files/rooms$", "fault": "error429", "times": 1}]}
    )
    result = harness.engine().run(make_clients(1))
    assert result.exit_code == 0, result.errors
    assert result.stats["throttled"] == 1
    assert max(harness.sleeps) >= 1.0  # the sandbox's injected 429 says Retry-After: 1


def test_burst_of_5xx_is_retried_to_completion(harness: Harness) -> None:
    """Five consecutive 5xx answers on folder creation are retried and the client completes."""
    clients = make_clients(1)
    harness.sandbox.set_faults(
        {
            "rules": [
                {"method": "POST", "path": r"^/api/2.0/files/folder/\d+$", "fault": "error5xx", "times": 5}
            ]
        }
    )
    result = harness.engine().run(clients)
    assert result.exit_code == 0, result.errors
    one_room_per_client(harness.rooms(), clients, _tag)


def test_non_retryable_error_is_reported_per_client_with_the_server_message(harness: Harness) -> None:
    """A 403 is not retried: the client fails with the portal's message and the others go on."""
    clients = make_clients(2)
    api = harness.client()
    room = api.create_room("Half-made room", 2, tags=[_tag(clients[0])])
    engine = harness.engine()
    plan = engine.plan(clients)
    assert plan.clients[0].action == "resume"
    api.wait_operation(api.archive_room(room.id))  # archived after planning: writes into it are refused
    result = engine.run(plan)
    assert result.exit_code == 1
    assert result.statuses[clients[0].client_id] == FAILED
    assert "archived" in result.errors[clients[0].client_id]
    assert result.statuses[clients[1].client_id] == DONE
    assert result.stats["retries"] == 0


@pytest.mark.timeout(60)
def test_many_lost_responses_with_few_read_slots_do_not_deadlock(harness: Harness) -> None:
    """Look-ups after lost answers never wait for a read slot while holding one (regression)."""
    clients = make_clients(8)
    harness.sandbox.set_faults(
        {"rules": [{"method": "POST", "path": r"^/api/2.0/files/folder/\d+$", "fault": "drop", "times": 16}]}
    )
    engine = harness.engine(limits=Limits(writes_in_flight=4, reads_in_flight=1))
    result = engine.run(clients)
    assert result.exit_code == 0, result.errors
    one_room_per_client(harness.rooms(), clients, _tag)
