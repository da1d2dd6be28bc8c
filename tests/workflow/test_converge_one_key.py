"""Two runs, two journals, one API key, one portal: their deletes interleave in the worst way.

Both runs act as one user, so they share that user's queue of file operations. On the server
(ONLYOFFICE/DocSpace-server 3.7.2) ``FileOperationsManagerHolder<T>.GetOperationResults`` lists
the caller's operations of one queue (``t.Owner == userId``) in publication order
(``DistributedTaskQueue.PublishTask`` appends the task id to one key list, ``GetAllTasks`` reads
it back in order), dequeues every finished one it sees and reports a held one that once.
``FoldersController.DeleteFolder`` answers with ``GetOperationResults()`` for *all* the user's
deletes (no ``returnSingleOperation`` there), so the answer's first operation may be the other
run's, already finished; a run that waits on that one goes on while its own delete has not run,
and one that meets the other's failed delete (the copy was already gone) takes that failure for
its own.

The sandbox finishes an operation here only on its second status read (``op_delay_s`` far away,
the worker of a busy portal), so the interleaving is fixed by the reads, not by the clock. Events
order the runs: A (the lower room's run) waits before its folders and before verification; B
(planned before A's room existed) moves into A's room, fills it, and is held right after its first
duplicate delete, before it reads that operation's status. Then A verifies: its first delete's
answer lists B's finished delete first, its second lists its own first delete failed.

Checked against the code before b078740 and at b078740 (which then waited on the clock for the
copy to go): both runs fail verification with "operation failed: The required folder was not
found" (the other operation's error) and a second Deliverables folder stays in the room. Since
the runs wait for every operation a delete's answer lists and judge by the listing, it passes:
each run ends with exactly one of each folder, file and link.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.engine import Client, Harness, StepGate, make_clients, one_room_per_client

from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient, RoomType
from onboarding.journal import SqliteJournal
from onboarding.workflow.engine import RunResult
from onboarding.workflow.status import Step
from onboarding.workflow.steps import REGISTRY

WAIT = 60  # seconds an event may take before the test fails (never reached when it passes)


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


@dataclass
class _HeldAfterDelete:
    """Holds the run's first status read after its first delete until ``go`` (B's client)."""

    reached: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)
    armed: bool = False
    fired: bool = False

    def client(self, sandbox_url: str, api_key: str) -> DocSpaceClient:
        hook = self

        class Client(DocSpaceClient):
            def delete_folder(self, folder_id: int) -> Any:
                answer = super().delete_folder(folder_id)
                hook.armed = True
                return answer

            def operation(self, operation_id: str) -> Any:
                if hook.armed and not hook.fired:
                    hook.fired = True
                    hook.reached.set()
                    assert hook.go.wait(timeout=WAIT)
                return super().operation(operation_id)

        return Client(sandbox_url, api_key, timeout=(2.0, 5.0))


@dataclass
class _HookedHarness(Harness):
    """The same sandbox through a client with a hook (B's machine)."""

    hook: _HeldAfterDelete | None = None

    def client(self, read_timeout: float = 5.0) -> DocSpaceClient:
        if self.hook is None:
            return super().client(read_timeout)
        return self.hook.client(self.sandbox.url, self.sandbox.api_key)


def _gated(*gates: tuple[Step, threading.Event, threading.Event]) -> tuple[Any, ...]:
    by_step = {name: (reached, go) for name, reached, go in gates}
    return tuple(StepGate(s, *by_step[s.name]) if s.name in by_step else s for s in REGISTRY)


def test_two_runs_one_key_whose_deletes_interleave_leave_each_item_once(
    harness: Harness, tmp_path: Path
) -> None:
    """A's delete answers list B's finished and then A's failed delete first: both runs end with one of each."""
    harness.sandbox.backend.op_delay_s = 3600  # operations end on their second status read only
    clients = make_clients(1)
    a_folders, a_verify = (threading.Event(), threading.Event()), (threading.Event(), threading.Event())
    b_verify = threading.Event(), threading.Event()
    hook = _HeldAfterDelete()
    other = _HookedHarness(harness.sandbox, tmp_path / "b.sqlite3", [], [], hook)
    a = harness.engine(steps=_gated((Step.FOLDERS, *a_folders), (Step.VERIFY, *a_verify)))
    b = other.engine(steps=_gated((Step.VERIFY, *b_verify)))
    stale = b.plan(clients)  # B planned before A's room existed: it makes its own, then moves
    results: dict[str, RunResult] = {}
    runs = {
        "a": threading.Thread(target=lambda: results.__setitem__("a", a.run(clients))),
        "b": threading.Thread(target=lambda: results.__setitem__("b", b.run(stale))),
    }
    try:
        runs["a"].start()
        assert a_folders[0].wait(WAIT)  # A's room is made, its folders not yet
        runs["b"].start()
        assert b_verify[0].wait(WAIT)  # B moved into A's room and filled it
        a_folders[1].set()
        assert a_verify[0].wait(WAIT)  # A filled it too: a newer copy of each folder (files inside)
        b_verify[1].set()
        assert hook.reached.wait(WAIT)  # B deleted A's newer Contracts; status not read yet
        a_verify[1].set()
        runs["a"].join(WAIT)
        assert not runs["a"].is_alive()
    finally:
        for event in (a_folders[1], a_verify[1], b_verify[1], hook.go):
            event.set()
        for run in runs.values():
            run.join(WAIT)
    active = [r for r in harness.rooms() if not r["archived"]]
    assert results["a"].exit_code == results["b"].exit_code == 0, (results["a"].errors, results["b"].errors)
    one_room_per_client(active, clients, _tag)  # each folder, file and link exactly once
    assert any("deleted duplicate folder" in e.detail for e in harness.events)


def test_a_run_that_found_the_room_with_its_folders_while_its_creator_copies_files_leaves_each_file_once(
    harness: Harness, tmp_path: Path
) -> None:
    """B's plan finds A's room, folders made, files not yet: B copies them, A too; one copy of each stays.

    Until B marked such a room shared only when its folders were missing, neither run saw a trace
    of the other at verification and both copies of each file stayed (known, left last round).
    """
    clients = make_clients(1)
    a_files = threading.Event(), threading.Event()
    a = harness.engine(steps=_gated((Step.FILES, *a_files)))
    b = Harness(harness.sandbox, tmp_path / "b.sqlite3", [], []).engine()
    results: dict[str, RunResult] = {}
    run_a = threading.Thread(target=lambda: results.__setitem__("a", a.run(clients)))
    try:
        run_a.start()
        assert a_files[0].wait(WAIT)  # A's room and folders are made, its copies not yet
        (cp,) = b.plan(clients).clients
        assert cp.room is not None and cp.room.folders_count == 3  # B finds the room with its folders
        results["b"] = b.run(clients)  # B copies the files A has not copied yet
    finally:
        a_files[1].set()
        run_a.join(WAIT)
    assert results["a"].exit_code == results["b"].exit_code == 0, (results["a"].errors, results["b"].errors)
    active = [r for r in harness.rooms() if not r["archived"]]
    one_room_per_client(active, clients, _tag)  # each folder, file and link exactly once
    assert any("deleted duplicate file" in e.detail for e in harness.events)


def test_a_room_whose_creator_makes_its_link_after_another_run_made_one_keeps_one_link(
    harness: Harness, tmp_path: Path
) -> None:
    """External links: B fills A's room and makes the client's link first; A's own goes, both journals name B's.

    Before, the room's creator made its link without looking and verification never compared
    links: the room kept two external links with the client's title, one in each journal.
    """
    bp = Blueprint(room_type=RoomType.CUSTOM)  # external links, several allowed per room
    clients = make_clients(1)
    a_link = threading.Event(), threading.Event()
    a = harness.engine(bp, steps=_gated((Step.LINK, *a_link)))
    other = Harness(harness.sandbox, tmp_path / "b.sqlite3", [], [])
    results: dict[str, RunResult] = {}
    run_a = threading.Thread(target=lambda: results.__setitem__("a", a.run(clients)))
    try:
        run_a.start()
        assert a_link[0].wait(WAIT)  # A's room is filled, its link not made yet
        results["b"] = other.engine(bp).run(clients)  # B finds it all but the link: makes one
    finally:
        a_link[1].set()
        run_a.join(WAIT)
    assert results["a"].exit_code == results["b"].exit_code == 0, (results["a"].errors, results["b"].errors)
    (room,) = [r for r in harness.rooms() if not r["archived"]]
    titles = [lk["title"] for lk in room["links"] if lk["linkType"] == 1]
    assert titles == ["Invitation for Company 0001 Ltd"], room["links"]
    records = [SqliteJournal(h.journal_path).get("sandbox-test", "C-0001") for h in (harness, other)]
    assert {r.link_url for r in records if r} == {room["links"][0]["shareLink"]}
    assert any("deleted duplicate link" in e.detail for e in harness.events)
