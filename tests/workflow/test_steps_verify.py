"""The verify step: what the portal holds is read back; a late duplicate room is archived."""

from __future__ import annotations

import time

from support.engine import Client, Harness, make_clients, one_room_per_client


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


def test_room_create_later_than_the_settling_time_is_archived_as_a_stray(harness: Harness) -> None:
    """A room create that lands even after the settling wait: the empty late room is archived at verification."""
    clients = make_clients(1)
    harness.sandbox.set_faults(
        {"rules": [
            {"method": "POST", "path": r"^/api/2.0/files/rooms$", "fault": "latency", "latency_ms": 1500, "times": 1},
            # verification's first reads time out three times: the late room has landed by then
            {"method": "GET", "path": r"^/api/2.0/files/rooms/\d+/share$", "fault": "latency", "latency_ms": 900, "times": 3},
        ]}
    )  # fmt: skip
    result = harness.engine(read_timeout=0.5, sleep=time.sleep).run(clients)
    assert result.exit_code == 0, result.errors
    active = [r for r in harness.rooms() if not r["archived"]]
    archived = [r for r in harness.rooms() if r["archived"]]
    one_room_per_client(active, clients, _tag)
    assert len(archived) == 1 and archived[0]["folders"] == []
