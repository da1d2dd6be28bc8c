"""The engine against the sandbox portal over HTTP: happy path, re-runs, faults, limits."""

from __future__ import annotations

import pytest
from support.engine import Client, Harness, make_clients, one_room_per_client

from onboarding.blueprint import Blueprint
from onboarding.errors import ConfigError
from onboarding.journal import DEFERRED, DONE, FAILED
from onboarding.workflow.throttle import Limits


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


def test_happy_path_builds_rooms_exactly_as_the_blueprint_says(harness: Harness) -> None:
    """Each client gets one collaboration room with its folders, files, members and invitation link."""
    clients = make_clients(3)
    result = harness.engine().run(clients)
    assert result.exit_code == 0, result.errors
    assert result.count(DONE) == 3
    rooms = harness.rooms()
    one_room_per_client(rooms, clients, _tag)
    for c in clients:
        room = next(r for r in rooms if _tag(c) in r["tags"])
        assert room["roomType"] == 2
        assert room["title"] == f"Client - {c.name}"
        members = {m["email"]: m["access"] for m in room["members"]}
        assert members["anna.manager@sandbox.example"] == 9
        assert members[c.email] == 2
        (link,) = room["links"]
        assert (link["linkType"], link["access"]) == (0, 2)


def test_fresh_client_costs_eight_writes_and_few_reads(harness: Harness) -> None:
    """A fresh client costs 8 writes; reads are look-ups shared by the batch plus 2 for verification."""
    clients = make_clients(20)
    result = harness.engine().run(clients)
    assert result.exit_code == 0, result.errors
    assert result.stats["writes"] == 8 * 20
    # me + My documents listing + 1 manager + 1 tag look-up, then 2 verification reads per client
    assert result.stats["reads"] <= 4 + 2 * 20


def test_rerun_of_finished_batch_writes_nothing(harness: Harness) -> None:
    """A second run over onboarded clients is a no-op: no POST/PUT reaches the portal."""
    clients = make_clients(4)
    assert harness.engine().run(clients).exit_code == 0
    before = len(harness.writes_logged())
    again = harness.engine().run(clients)
    assert again.exit_code == 0
    assert again.count(DONE) == 4
    assert len(harness.writes_logged()) == before
    one_room_per_client(harness.rooms(), clients, _tag)


def test_rerun_with_a_lost_journal_finds_rooms_by_tag_and_duplicates_nothing(harness: Harness) -> None:
    """With the journal gone, the tag look-up finds every room and the steps look before creating."""
    clients = make_clients(3)
    assert harness.engine().run(clients).exit_code == 0
    harness.journal_path.unlink()
    before = len(harness.writes_logged())
    again = harness.engine().run(clients)
    assert again.exit_code == 0, again.errors
    assert len(harness.writes_logged()) == before
    one_room_per_client(harness.rooms(), clients, _tag)


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


def test_manager_not_eligible_falls_back_to_content_creator(harness: Harness) -> None:
    """A plain user named as manager is warned about in the plan and invited as Content creator."""
    clients = make_clients(1, manager="carl.user@sandbox.example")
    engine = harness.engine()
    plan = engine.plan(clients)
    (cp,) = plan.clients
    assert cp.action == "create"
    assert any("Room manager" in w for w in cp.warnings)
    assert engine.run(plan).exit_code == 0
    (room,) = harness.rooms()
    members = {m["email"]: m["access"] for m in room["members"]}
    assert members["carl.user@sandbox.example"] == 11


def test_manager_not_eligible_with_block_fallback_blocks_the_client(harness: Harness) -> None:
    """With fallback 'block', a plain user as manager blocks the client before any write."""
    clients = make_clients(1, manager="carl.user@sandbox.example")
    result = harness.engine(Blueprint(manager_fallback="block")).run(clients)
    assert result.exit_code == 1
    assert harness.rooms() == []
    assert "Room manager" in result.errors[clients[0].client_id]


def test_unknown_manager_blocks_the_client_with_a_clear_reason(harness: Harness) -> None:
    """A manager e-mail that is no portal user blocks that client only."""
    clients = make_clients(2)
    clients[0] = Client(clients[0].client_id, clients[0].name, clients[0].email, "nobody@nowhere.example")
    result = harness.engine().run(clients)
    assert result.statuses[clients[0].client_id] == "blocked"
    assert "not a user of this portal" in result.errors[clients[0].client_id]
    assert result.statuses[clients[1].client_id] == DONE


def test_key_owner_as_manager_is_not_invited(harness: Harness) -> None:
    """When the manager is the key's own account (the room owner), no invitation is sent for them."""
    clients = make_clients(1, manager="owner@sandbox.example")
    assert harness.engine().run(clients).exit_code == 0
    shares = [
        r for r in harness.sandbox.request_log() if r["method"] == "PUT" and r["path"].endswith("/share")
    ]
    (share,) = shares
    assert [i.get("email") for i in share["body"]["invitations"]] == [clients[0].email]


def test_daily_limit_defers_the_rest_and_a_later_run_finishes(harness: Harness) -> None:
    """When the portal's daily write budget runs out the run stops with exit 3; a later run resumes."""
    clients = make_clients(6)
    harness.sandbox.set_limits("daily=20")
    first = harness.engine().run(clients)
    assert first.exit_code == 3
    assert first.count(DEFERRED) >= 1
    harness.sandbox.set_limits("off")
    second = harness.engine().run(clients)
    assert second.exit_code == 0, second.errors
    one_room_per_client(harness.rooms(), clients, _tag)


def test_tag_lookup_costs_one_request_per_hundred_clients(harness: Harness) -> None:
    """Planning 250 clients looks their rooms up in ceil(250/100) = 3 requests."""
    clients = make_clients(250)
    harness.engine().plan(clients)
    lookups = [
        r
        for r in harness.sandbox.request_log()
        if r["method"] == "GET" and r["path"] == "/api/2.0/files/rooms"
    ]
    assert len(lookups) == 3


def test_archive_rolls_back_a_client_and_records_it(harness: Harness) -> None:
    """Archiving moves the client's room to the Archive and the journal marks the client archived."""
    clients = make_clients(1)
    engine = harness.engine()
    assert engine.run(clients).exit_code == 0
    room_id = engine.archive(clients[0].client_id)
    (room,) = harness.rooms()
    assert room["id"] == room_id and room["archived"] is True
    assert engine.journal.get("sandbox-test", clients[0].client_id).status == "archived"
    plan = harness.engine().plan(clients)
    assert plan.clients[0].action == "blocked"


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


def test_two_templates_with_the_same_destination_are_refused(harness: Harness) -> None:
    """Two templates copied under one title into one folder are a blueprint error before any write."""
    bp = Blueprint.from_dict(
        {
            "templates": [
                {"source": "@my/Welcome to your client room.pdf"},
                {"source": "@my/Welcome to your client room.pdf"},
            ]
        }
    )
    with pytest.raises(ConfigError, match="two template files"):
        harness.engine(bp).plan(make_clients(1))
    assert harness.writes_logged() == []
