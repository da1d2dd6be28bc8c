"""A shared journal end to end: queued runs carried out by a worker, progress and Stop from any replica."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

from support.engine import make_clients, one_room_per_client
from support.waiting import wait_until

import docspace_sandbox
from onboarding import Onboarding, Settings
from onboarding.journal import DONE, open_journal
from onboarding.worker import Worker
from onboarding.workflow.plan import BatchPlan


def _replica(sb: docspace_sandbox.Sandbox, journal_url: str, tmp: Path, actor: str) -> Onboarding:
    """One dashboard replica (or worker machine): its own data folder, the shared journal."""
    settings = Settings(
        portal_url=sb.url, api_key=sb.api_key, journal_url=journal_url, journal_path=tmp / f"{actor}.sqlite3"
    )
    return Onboarding(settings, actor=actor)


def test_a_run_queued_on_one_replica_is_carried_out_by_a_worker(
    portal: docspace_sandbox.Sandbox, pg_url: str, tmp_path: Path
) -> None:
    """The dashboard queues; a worker elsewhere onboards, in the name of who queued it (the run's
    actor, each client's onboarded_by); every replica sees the finished run."""
    clients = make_clients(6)
    dashboard, other = (
        _replica(portal, pg_url, tmp_path, "dash-a"),
        _replica(portal, pg_url, tmp_path, "dash-b"),
    )
    worker_door = _replica(portal, pg_url, tmp_path, "worker")
    queue = open_journal(pg_url)
    try:
        assert dashboard.shared_journal
        run_id = dashboard.queue(clients)
        assert [q.status for q in other.queued()] == ["queued"]
        lines: list[str] = []
        assert Worker(worker_door, queue, say=lines.append).serve(until_idle=True) == 1
        one_room_per_client(portal.state()["rooms"], clients, lambda c: f"client:{c.client_id}")
        progress = other.progress(run_id)
        assert progress.total == 6 and {r.status for r in other.records(run_id)} == {DONE}
        assert [q.status for q in dashboard.queued()] == ["done"] and "6 onboarded" in lines[-1]
        # who queued it onboarded them (security.md: the signed-in identity with every client)
        assert {r.onboarded_by for r in other.records(run_id)} == {"dash-a"}
        assert other.run_record(run_id).actor == "dash-a"  # type: ignore[union-attr]
    finally:
        for door in (dashboard, other, worker_door):
            door.close()
        queue.close()


def test_stop_pressed_on_another_replica_stops_the_run(
    portal: docspace_sandbox.Sandbox, pg_url: str, tmp_path: Path
) -> None:
    """A run started on replica A stops when Stop is pressed on replica B; the rest is deferred."""
    portal.set_faults("latency_ms=100")
    a, b = _replica(portal, pg_url, tmp_path, "a"), _replica(portal, pg_url, tmp_path, "b")
    try:
        clients = make_clients(72)  # three rounds of 24 clients at 100 ms a request: seconds to stop in
        run_id = a.start(clients).run_id
        # clients go through the steps in waves (the shared tag look-ups): stop once rooms exist
        wait_until(lambda: any(r.room_id for r in b.records(run_id)), timeout=60)
        assert b.run_handle(run_id) is None  # B does not run it: only the journal connects them
        assert b.stop(run_id)
        assert a.wait(run_id, timeout=60)
        run = b.run_record(run_id)
        assert run is not None and run.status == "stopped"
        statuses = {r.status for r in b.records(run_id)}
        assert "deferred" in statuses and statuses <= {"onboarded", "deferred"}
    finally:
        portal.set_faults(None)
        a.close()
        b.close()


def test_a_worker_that_stops_leaves_the_queue_to_others(
    portal: docspace_sandbox.Sandbox, pg_url: str, tmp_path: Path
) -> None:
    """A stopped worker takes nothing more; a second worker carries out what is still queued."""
    door = _replica(portal, pg_url, tmp_path, "w")
    queue = open_journal(pg_url)
    try:
        door.queue(make_clients(2))
        idle = Worker(door, queue)
        idle.stop()
        assert idle.serve() == 0
        worker = Worker(door, queue, poll_seconds=0.05)
        t = threading.Thread(target=worker.serve)
        t.start()
        wait_until(lambda: [q.status for q in door.queued()] == ["done"], timeout=60)
        worker.stop()
        t.join(10)
        assert not t.is_alive()
    finally:
        door.close()
        queue.close()


def test_a_queued_hand_over_is_carried_out_by_the_worker(
    portal: docspace_sandbox.Sandbox, pg_url: str, tmp_path: Path
) -> None:
    """A plan whose room was handed to a new manager, queued: the worker plans with that choice,
    so the new manager gets the room and the previous one leaves it (not a silent "done")."""
    (first,) = make_clients(1)
    ben = "ben.manager@sandbox.example"
    dashboard, worker_door = (
        _replica(portal, pg_url, tmp_path, "dash"),
        _replica(portal, pg_url, tmp_path, "w"),
    )
    queue = open_journal(pg_url)
    try:
        assert dashboard.run([first]).exit_code == 0
        moved = dataclasses.replace(first, manager_email=ben)
        plan = dashboard.plan([moved], hand_over=[first.client_id])
        assert plan.clients[0].update_manager
        dashboard.queue(plan)
        assert Worker(worker_door, queue, say=lambda _: None).serve(until_idle=True) == 1
        (room,) = portal.state()["rooms"]
        members = {m["email"]: m["access"] for m in room["members"]}
        assert members.get(ben) == 9 and first.manager_email not in members, members
    finally:
        for door in (dashboard, worker_door):
            door.close()
        queue.close()


def test_until_idle_waits_for_a_run_a_dead_worker_held_and_takes_it_over(
    portal: docspace_sandbox.Sandbox, pg_url: str, tmp_path: Path
) -> None:
    """A queued run taken by a worker that died (its lease never renewed): `worker --until-idle`
    says it waits for it, takes it over once the lease runs out, and onboards every client,
    instead of stopping at once with "0 queued runs" while the batch lies unfinished."""
    clients = make_clients(3)
    door = _replica(portal, pg_url, tmp_path, "w")
    queue = open_journal(pg_url, lease_seconds=1.0)
    try:
        door.queue(clients)
        assert queue.take_queued(door.portal_key, "worker:dead") is not None  # then it dies
        lines: list[str] = []
        assert Worker(door, queue, say=lines.append, poll_seconds=0.05).serve(until_idle=True) == 1
        assert any("is held by worker:dead: waiting for it to finish" in line for line in lines), lines
        one_room_per_client(portal.state()["rooms"], clients, lambda c: f"client:{c.client_id}")
        assert [q.status for q in door.queued()] == ["done"]
    finally:
        door.close()
        queue.close()


def test_a_worker_stopped_mid_run_hands_its_batch_back_and_the_next_worker_finishes_it(
    portal: docspace_sandbox.Sandbox, pg_url: str, tmp_path: Path
) -> None:
    """SIGTERM on a worker mid-batch (a deploy, a restart): the batch goes back to the queue, not
    "done" with its rest deferred for nobody; the next worker resumes it, one room per client."""
    portal.set_faults("latency_ms=100")
    clients = make_clients(72)  # three rounds of 24 clients at 100 ms a request: seconds to stop in
    a_door, b_door = _replica(portal, pg_url, tmp_path, "wa"), _replica(portal, pg_url, tmp_path, "wb")
    queue = open_journal(pg_url)
    try:
        queue_id = a_door.queue(clients)
        a = Worker(a_door, queue, poll_seconds=0.05)
        t = threading.Thread(target=a.serve)
        t.start()
        wait_until(lambda: any(r.room_id for r in a_door.records()), timeout=60)
        a.stop()  # what the SIGTERM handler does
        t.join(60)
        assert not t.is_alive() and a.handed_back == queue_id
        done_by_a = sum(r.status == DONE for r in a_door.records())
        assert done_by_a < len(clients), "the stop came too late to test"
        (item,) = a_door.queued()
        assert item.status == "queued" and "handed back" in item.detail, item
        portal.set_faults(None)
        lines: list[str] = []
        assert Worker(b_door, queue, say=lines.append, poll_seconds=0.05).serve(until_idle=True) == 1
        one_room_per_client(portal.state()["rooms"], clients, lambda c: f"client:{c.client_id}")
        assert {r.status for r in b_door.records()} == {DONE}
        assert [(q.queue_id, q.status) for q in b_door.queued()] == [(queue_id, "done")]
    finally:
        portal.set_faults(None)
        for door in (a_door, b_door):
            door.close()
        queue.close()


class _StopWhilePlanning(Onboarding):
    """A worker's door whose planning ends with the worker told to stop (SIGTERM while it plans)."""

    worker: Worker | None = None

    def plan(self, *args: Any, **kwargs: Any) -> BatchPlan:
        plan = super().plan(*args, **kwargs)
        if self.worker is not None:
            self.worker.stop()
        return plan


def test_a_worker_stopped_while_it_plans_starts_no_run_and_hands_the_batch_back(
    portal: docspace_sandbox.Sandbox, pg_url: str, tmp_path: Path
) -> None:
    """SIGTERM while the worker plans (before the run exists to store a Stop on): nothing is
    onboarded by the stopping worker, the batch waits in the queue, and the next worker does it."""
    clients = make_clients(4)
    settings = Settings(
        portal_url=portal.url, api_key=portal.api_key, journal_url=pg_url, journal_path=tmp_path / "s.sqlite3"
    )
    a_door, b_door = _StopWhilePlanning(settings, actor="wa"), _replica(portal, pg_url, tmp_path, "wb")
    queue = open_journal(pg_url)
    try:
        a_door.queue(clients)
        a = a_door.worker = Worker(a_door, queue, poll_seconds=0.05)
        assert a.serve() == 0  # nothing finished: the batch was handed back
        assert portal.state()["rooms"] == []
        (item,) = a_door.queued()
        assert item.status == "queued", item
        assert Worker(b_door, queue, poll_seconds=0.05).serve(until_idle=True) == 1
        one_room_per_client(portal.state()["rooms"], clients, lambda c: f"client:{c.client_id}")
        assert [q.status for q in b_door.queued()] == ["done"]
    finally:
        for door in (a_door, b_door):
            door.close()
        queue.close()
