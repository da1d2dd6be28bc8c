"""A fresh client costs 8 writes and 1 read: the writes' answers are the read-backs (issue 16, item 2)."""

from __future__ import annotations

import requests
from support.engine import Harness, make_clients

from onboarding.blueprint import Blueprint
from onboarding.docspace import FileShare

GUEST = "gina.guest@sandbox.example"


def _set_key_user(harness: Harness, who: str) -> None:
    reply = requests.post(f"{harness.sandbox.url}/__sandbox__/settings", json={"key_user": who}, timeout=10)
    assert reply.status_code == 200, reply.text


def test_fresh_client_costs_eight_writes_and_one_read(harness: Harness) -> None:
    """From the request log: beyond the shared look-ups, each fresh client is 8 writes + 1 read."""
    clients = make_clients(4)
    engine = harness.engine()
    plan = engine.plan(clients)
    harness.sandbox.clear_log()
    result = engine.run(plan)
    assert result.exit_code == 0, result.errors
    log = harness.sandbox.request_log()
    writes = [r for r in log if r["method"] != "GET"]
    reads = [r for r in log if r["method"] == "GET"]
    assert len(writes) == 8 * len(clients)
    lookups = [r for r in reads if r["path"].endswith("/files/rooms")]  # shared by all clients (converge)
    assert len(lookups) == 2  # one before the fills, one at verification, each for all four clients
    rest = [r["path"].rsplit("/", 1)[-1] for r in reads if r not in lookups]
    assert rest == ["share"] * len(clients)  # the e-mail invitee


def test_share_answer_without_the_manager_fails_the_client(harness: Harness) -> None:
    """A share call the portal silently ignores (its answer lacks the manager) fails, without a read.

    A room admin's key may not see a guest it did not invite, and SetRoomSecurity drops such an
    invitation without an error; its answer then does not list the guest.
    """
    blueprint = Blueprint(templates=[], manager_fallback_role=FileShare.READ)
    clients = make_clients(1, manager=GUEST)
    engine = harness.engine(blueprint)
    plan = engine.plan(clients)  # as the owner, who sees the guest
    assert plan.clients[0].action == "create", plan.clients[0].reasons
    _set_key_user(harness, "room-admin")
    harness.sandbox.clear_log()
    result = engine.run(plan)
    assert result.exit_code == 1
    (error,) = result.errors.values()
    assert f"the portal's answer does not show {GUEST} with {FileShare.READ.label} access" in error
    assert [
        r for r in harness.sandbox.request_log() if r["path"].endswith("/share") and r["method"] == "GET"
    ] == []


def test_progress_reaches_the_journal_before_each_write_and_retries_at_once(harness: Harness) -> None:
    """One transaction per step: a step's mark is on disk before its write; a retry is told before its wait."""
    from onboarding.journal import open_journal

    journal = open_journal(harness.journal_path)
    seen: list[tuple[bool, list[str]]] = []

    def sleep(_: float) -> None:  # the retry's wait: what does the journal show at that moment?
        rec = journal.get("sandbox-test", "C-0001")
        runs = journal.runs()
        events = journal.events(runs[0].run_id) if runs else []
        seen.append((bool(rec and rec.progress.get("room_started")), [e.outcome for e in events]))

    harness.sandbox.set_faults(
        {
            "rules": [
                {
                    "method": "GET",
                    "path": r"^/api/2.0/files/rooms/\d+/share$",
                    "fault": "error5xx",
                    "times": 2,  # the read sent ahead, then verification's own read (retried)
                }
            ]
        }
    )
    result = harness.engine(sleep=sleep).run(make_clients(1))
    assert result.exit_code == 0, result.errors
    (started, outcomes), *_ = seen
    assert started  # written before the room's create, in the same transaction as the first events
    assert outcomes[0] == "started" and outcomes[-1] == "retry"  # the verify read's retry, before its wait
