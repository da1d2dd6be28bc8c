"""Two runs with different journals on one portal converge: one active, complete room per client.

Each test drives two engines (two journals, as two people on two machines) against one sandbox
over HTTP. Orderings are forced with stale plans, the sandbox's pause/resume and a step that waits
on an event, never with sleeps. The rule under test is :mod:`onboarding.workflow.converge`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from support.engine import Client, Harness, StepGate, make_clients, one_room_per_client
from support.waiting import wait_until

from onboarding.blueprint import Blueprint
from onboarding.journal import SqliteJournal
from onboarding.workflow.engine import RunResult
from onboarding.workflow.status import Action, Step
from onboarding.workflow.steps import REGISTRY

ROOM_TYPE = Blueprint().room_type


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


def _other(harness: Harness, tmp_path: Path, name: str = "b") -> Harness:
    """The same sandbox, another journal: a second person's machine."""
    return Harness(harness.sandbox, tmp_path / f"{name}.sqlite3", [], [])


def _active(harness: Harness) -> list[dict]:
    return [r for r in harness.rooms() if not r["archived"]]


def _room_of(h: Harness, client_id: str) -> int | None:
    rec = SqliteJournal(h.journal_path).get("sandbox-test", client_id)
    return rec.room_id if rec else None


def test_a_run_that_planned_before_the_other_created_moves_to_the_lower_room(
    harness: Harness, tmp_path: Path
) -> None:
    """B planned before A created the room: B's new room loses to A's, is archived empty, and B's record points at A's."""
    clients = make_clients(3)
    other = _other(harness, tmp_path)
    a, b = harness.engine(), other.engine()
    stale = b.plan(clients)
    assert a.run(clients).exit_code == 0
    result = b.run(stale)
    assert result.exit_code == 0, result.errors
    active = _active(harness)
    one_room_per_client(active, clients, _tag)
    archived = [r for r in harness.rooms() if r["archived"]]
    assert len(archived) == 3 and all(r["folders"] == [] for r in archived)
    for c in clients:
        winner = next(r["id"] for r in active if _tag(c) in r["tags"])
        assert _room_of(harness, c.client_id) == winner == _room_of(other, c.client_id)
    assert sum("which another run created first" in e.detail for e in other.events) == 3


def test_a_killed_runs_room_wins_without_that_run_coming_back(harness: Harness, tmp_path: Path) -> None:
    """A run killed right after creating its (tagged) room never returns: the other run fills that room."""
    clients = make_clients(1)
    engine = harness.engine()
    plan = engine.plan(clients)
    killed = harness.client().create_room("Client - Company 0001 Ltd", ROOM_TYPE, tags=[_tag(clients[0])])
    result = engine.run(plan)
    assert result.exit_code == 0, result.errors
    active = _active(harness)
    one_room_per_client(active, clients, _tag)
    assert active[0]["id"] == killed.id == _room_of(harness, "C-0001")


def test_two_runs_creating_at_the_same_moment_end_in_the_lower_room(harness: Harness, tmp_path: Path) -> None:
    """Both creates held by the paused sandbox, then released together: both runs finish in the lower id."""
    clients = make_clients(2)
    other = _other(harness, tmp_path)
    a, b = harness.engine(), other.engine()
    plans = a.plan(clients), b.plan(clients)
    harness.sandbox.pause()
    results: dict[str, RunResult] = {}
    threads = [
        threading.Thread(target=lambda e=e, p=p, k=k: results.__setitem__(k, e.run(p)))
        for k, e, p in (("a", a, plans[0]), ("b", b, plans[1]))
    ]
    try:
        for t in threads:
            t.start()
        wait_until(lambda: harness.sandbox.in_flight() == 4)  # two room creates from each run
    finally:
        harness.sandbox.resume()
    for t in threads:
        t.join(timeout=60)
    assert results["a"].exit_code == results["b"].exit_code == 0, (results["a"].errors, results["b"].errors)
    active = _active(harness)
    one_room_per_client(active, clients, _tag)
    for c in clients:
        winner = next(r["id"] for r in active if _tag(c) in r["tags"])
        assert _room_of(harness, c.client_id) == winner == _room_of(other, c.client_id)
    assert len([r for r in harness.rooms() if r["archived"]]) == 2


def test_the_winner_still_being_filled_by_its_run_ends_with_each_item_once(
    harness: Harness, tmp_path: Path
) -> None:
    """A (lower room) waits before its files; B moves into A's room and fills it; A then copies too: duplicates go."""
    clients = make_clients(1)
    reached, go = threading.Event(), threading.Event()
    steps = tuple(StepGate(s, reached, go) if s.name == Step.FILES else s for s in REGISTRY)
    other = _other(harness, tmp_path)
    a, b = harness.engine(steps=steps), other.engine()
    stale = b.plan(clients)
    results: dict[str, RunResult] = {}
    ta = threading.Thread(target=lambda: results.__setitem__("a", a.run(clients)))
    ta.start()
    try:
        assert reached.wait(timeout=60)  # A created its room and its folders
        results["b"] = b.run(stale)  # B: own room archived, A's filled (folders found, files copied)
    finally:
        go.set()
        ta.join(timeout=60)
    assert results["a"].exit_code == results["b"].exit_code == 0, (results["a"].errors, results["b"].errors)
    active = _active(harness)
    one_room_per_client(active, clients, _tag)  # each folder and file exactly once
    assert _room_of(harness, "C-0001") == active[0]["id"] == _room_of(other, "C-0001")
    assert any("deleted duplicate file" in e.detail for e in harness.events)


def test_plan_shows_a_filled_duplicate_as_repair_and_run_repairs_it(harness: Harness, tmp_path: Path) -> None:
    """A second filled room with the client's tag (a run that never came back): plan says repair on any journal; run archives it."""
    clients = make_clients(1)
    engine = harness.engine()
    assert engine.run(clients).exit_code == 0
    api = harness.client()
    extra = api.create_room("Client - Company 0001 Ltd", ROOM_TYPE, tags=[_tag(clients[0])])
    api.create_folder(extra.id, "Contracts")
    for h in (harness, _other(harness, tmp_path)):
        (cp,) = h.engine().plan(clients).clients
        assert cp.action == Action.REPAIR, cp
        assert (
            f"2 active rooms carry the tag 'client:C-0001' (ids {cp.room.id if cp.room else ''}, {extra.id})"
            in (cp.reasons[0])
        )
    result = engine.run(clients)
    assert result.exit_code == 0, result.errors
    one_room_per_client(_active(harness), clients, _tag)
    assert [r["id"] for r in harness.rooms() if r["archived"]] == [extra.id]
    (cp,) = harness.engine().plan(clients).clients
    assert cp.action == Action.DONE
