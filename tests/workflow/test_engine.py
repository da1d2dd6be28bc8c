"""The engine over HTTP against the sandbox: a batch end to end, re-runs, limits, stop, roll-back."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from support.engine import Client, Harness, make_clients, one_room_per_client

from onboarding.journal import DEFERRED, DONE, SqliteJournal
from onboarding.workflow.status import Outcome
from onboarding.workflow.steps import StepEvent


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


def test_daily_limit_defers_the_rest_and_a_later_run_finishes(harness: Harness) -> None:
    """When the portal's daily write budget runs out the run stops with exit 3, and every deferred
    client says why (the daily limit, also on a second run into the spent budget: not "stopped",
    not empty); a later run resumes."""
    clients = make_clients(6)
    harness.sandbox.set_limits("daily=20")
    for _ in range(2):
        result = harness.engine().run(clients)
        assert result.exit_code == 3 and result.count(DEFERRED) >= 1
        deferred = [r for r in SqliteJournal(harness.journal_path).clients() if r.status == DEFERRED]
        assert deferred and all("daily write limit" in r.error for r in deferred), [r.error for r in deferred]
        assert "daily write limit" in result.summary()["stopped_because"]
    harness.sandbox.set_limits("off")
    second = harness.engine().run(clients)
    assert second.exit_code == 0, second.errors
    one_room_per_client(harness.rooms(), clients, _tag)


def test_a_stopped_run_does_not_overwrite_a_client_another_run_finished(harness: Harness) -> None:
    """A stopped run leaves alone the queued clients that another run onboarded meanwhile."""
    clients = make_clients(1)
    a = harness.engine()
    plan_a = a.plan(clients)
    assert harness.engine().run(clients).exit_code == 0
    a.stop()
    a.run(plan_a)
    rec = SqliteJournal(harness.journal_path).get("sandbox-test", "C-0001")
    assert rec is not None and rec.status == DONE


def test_archive_rolls_back_a_client_and_records_it(harness: Harness) -> None:
    """Archiving moves the client's room to the Archive and the journal marks the client archived;
    a later plan skips it (nothing written; restore brings it back)."""
    clients = make_clients(1)
    engine = harness.engine()
    assert engine.run(clients).exit_code == 0
    room_id = engine.archive(clients[0].client_id)
    (room,) = harness.rooms()
    assert room["id"] == room_id and room["archived"] is True
    assert engine.journal.get("sandbox-test", clients[0].client_id).status == "archived"
    plan = harness.engine().plan(clients)
    assert plan.clients[0].action == "skip"


def test_ctrl_c_stops_the_run_like_stop_and_a_later_run_finishes(harness: Harness) -> None:
    """Ctrl-C (SIGINT in the thread waiting for the clients) stops the run as Stop does: the calls
    in flight end, the clients not begun are not begun, the run is journalled as stopped; a later
    run onboards the rest with one room per client."""
    clients = make_clients(150)
    # Creating a room takes the portal 1 s: the first rooms are in flight when Ctrl-C comes.
    slow_rooms = {
        "fault": "latency",
        "path": "/files/rooms$",
        "method": "POST",
        "latency_ms": 1000,
        "times": None,
    }
    harness.sandbox.set_faults({"rules": [slow_rooms]})
    begun = threading.Event()  # a client job started: the plan (and its look-ups) is over

    def note(event: StepEvent) -> None:
        if event.outcome == Outcome.STARTED:
            begun.set()

    engine = harness.engine(on_event=note)

    ended = threading.Event()  # the run returned: no signal may be sent after it (into later tests)

    def ctrl_c_once_calls_are_held() -> None:
        # Under load the plan's look-ups alone could be 5 in flight: wait for the run's clients,
        # then for room creations held by the portal (not reads: with 5 reads in flight and no
        # room begun, no room would exist after the stop).
        while not begun.wait(0.005):
            if ended.is_set():
                return
        while harness.sandbox.in_flight("POST", "/files/rooms$") < 5:
            if ended.wait(0.005):
                return
        os.kill(os.getpid(), signal.SIGINT)  # what the terminal sends on Ctrl-C

    helper = threading.Thread(target=ctrl_c_once_calls_are_held)
    helper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            summary = engine.run(clients).summary()
            pytest.fail(f"the run ended before Ctrl-C: {summary}")
    finally:
        ended.set()
        helper.join()
    (run,) = engine.journal.runs("sandbox-test")
    assert run.status == "stopped"
    assert 0 < len(harness.rooms()) < len(clients)
    harness.sandbox.set_faults(None)
    assert harness.engine().run(clients).exit_code == 0
    one_room_per_client(harness.rooms(), clients, _tag)


def test_ctrl_c_while_workers_are_starting_leaves_no_worker_running(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C that lands inside the start of the first worker thread (before the pool records it)
    still stops the run with every worker joined: none goes on onboarding after the run is over."""
    clients = make_clients(20)
    slow_rooms = {"fault": "latency", "path": "/files/rooms$", "method": "POST", "latency_ms": 1000}
    harness.sandbox.set_faults({"rules": [{**slow_rooms, "times": None}]})
    start = threading.Thread.start
    sent: list[str] = []

    def start_then_ctrl_c(thread: threading.Thread) -> None:
        start(thread)
        if thread.name.startswith("onboard") and not sent:
            sent.append(thread.name)
            os.kill(os.getpid(), signal.SIGINT)  # lands here, in the main thread, inside submit()

    monkeypatch.setattr(threading.Thread, "start", start_then_ctrl_c)
    engine = harness.engine()
    with pytest.raises(KeyboardInterrupt):
        engine.run(clients)
    monkeypatch.undo()
    assert sent, "no worker thread was started"
    alive = [t.name for t in threading.enumerate() if t.name.startswith("onboard")]
    assert alive == []
    (run,) = engine.journal.runs("sandbox-test")
    assert run.status == "stopped"
    harness.sandbox.set_faults(None)
    assert harness.engine().run(clients).exit_code == 0
    one_room_per_client(harness.rooms(), clients, _tag)
