"""Portal-wide limits over HTTP: the invitation budget (400) and the room quota (402) defer the run."""

from __future__ import annotations

from typing import Any

from support.engine import Client, Harness, make_clients, one_room_per_client
from support.portals import PortalFactory, change_settings

from onboarding.journal import DEFERRED, DONE, FAILED, SqliteJournal
from onboarding.progress import read_progress


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


def _limit_then_resume(h: Harness, words: str, **raised: Any) -> None:
    clients = make_clients(24)
    first = h.engine().run(clients)
    assert first.exit_code == 3, first.errors
    assert (first.count(DONE), first.count(DEFERRED), first.count(FAILED)) == (10, 14, 0), first.statuses
    deferred = [cid for cid, s in first.statuses.items() if s == DEFERRED]
    assert all(words in first.errors[cid] for cid in deferred), first.errors
    assert words in first.summary()["stopped_because"]
    records = SqliteJournal(h.journal_path).get_many("sandbox-test", [c.client_id for c in clients])
    assert all(words in records[cid].error for cid in deferred)
    # what the dashboard shows: the run's progress, folded from the journal, carries the reason
    progress = read_progress(SqliteJournal(h.journal_path), first.run_id)
    assert progress.status_counts.get("deferred") == 14
    assert all(words in progress.errors[cid] for cid in deferred)
    # only clients already started when the limit was hit have a room, and each keeps its progress
    hit = next(i for i, e in enumerate(h.events) if e.outcome == "deferred" and words in e.detail)
    started_before = {e.client_id for e in h.events[:hit] if (e.step, e.outcome) == ("client", "started")}
    with_room = {c.client_id for c in clients if any(_tag(c) in r["tags"] for r in h.rooms())}
    assert with_room <= started_before, with_room - started_before
    assert all(records[cid].progress.get("room") for cid in with_room.intersection(deferred))
    change_settings(h, **raised)
    second = h.engine().run(clients)
    assert second.exit_code == 0, second.errors
    assert second.count(DONE) == 24
    one_room_per_client(h.rooms(), clients, _tag)
    assert len(h.rooms()) == 24


def test_invitation_limit_defers_the_rest_and_a_raised_limit_finishes(portal: PortalFactory) -> None:
    """Budget 10: 10 onboarded, 14 deferred naming the invitation limit, exit 3; raised, all 24 done."""
    _limit_then_resume(portal(invitation_limit=10), "invitation limit", invitation_limit=100)


def test_room_quota_defers_the_rest_and_a_raised_quota_finishes(portal: PortalFactory) -> None:
    """Quota 10: 10 onboarded, 14 deferred naming the tariff's rooms, exit 3; raised, all 24 done."""
    _limit_then_resume(portal(room_quota=10), "allows no more rooms", room_quota=100)
