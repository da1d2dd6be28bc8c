"""The journal contract, leases: one live owner per client, expiry, takeover and fencing."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from support.waiting import wait_until

from onboarding.journal import Journal, LeaseLost

OpenJournal = Callable[..., Journal]


def test_a_held_client_cannot_be_claimed_by_another_owner(open_journal: OpenJournal) -> None:
    """While one owner holds a client, another handle's claim fails; the holder may claim again."""
    one, two = open_journal(), open_journal()
    assert one.claim("p", "c1", "elsewhere:1:a")
    assert not two.claim("p", "c1", "elsewhere:2:b")
    assert one.claim("p", "c1", "elsewhere:1:a")
    assert two.holds("p", "c1", "elsewhere:1:a") and not two.holds("p", "c1", "elsewhere:2:b")
    assert two.holder("p", "c1") == "elsewhere:1:a"


def test_release_frees_the_client(journal: Journal) -> None:
    """A released client is free at once, and only its holder can release it."""
    assert journal.claim("p", "c1", "elsewhere:1:a")
    journal.release("p", "c1", "elsewhere:2:b")
    assert journal.holder("p", "c1") == "elsewhere:1:a"
    journal.release("p", "c1", "elsewhere:1:a")
    assert journal.holder("p", "c1") is None
    assert journal.claim("p", "c1", "elsewhere:2:b")


def test_an_unrenewed_lease_expires_and_is_taken_over(open_journal: OpenJournal) -> None:
    """A lease not renewed in time is free for another owner (who then holds the client)."""
    one, two = open_journal(lease_seconds=0.3), open_journal(lease_seconds=0.3)
    assert one.claim("p", "c1", "elsewhere:1:a")
    wait_until(lambda: two.claim("p", "c1", "elsewhere:2:b"), timeout=10)
    assert two.holder("p", "c1") == "elsewhere:2:b" and not one.holds("p", "c1", "elsewhere:1:a")


def test_renewal_keeps_the_lease(open_journal: OpenJournal) -> None:
    """Renewing pushes the expiry forward, so the claim survives longer than one lease."""
    one, two = open_journal(lease_seconds=1.0), open_journal(lease_seconds=1.0)
    assert one.claim("p", "c1", "elsewhere:1:a")
    beats = threading.Event()

    def heartbeat() -> None:
        while not beats.wait(0.2):
            one.renew("p", "elsewhere:1:a")

    t = threading.Thread(target=heartbeat)
    t.start()
    try:
        refused = 0
        for _ in range(12):  # 12 attempts spread over more than two lease lengths
            wait_until(lambda: one.holder("p", "c1") is not None, timeout=5)
            refused += not two.claim("p", "c1", "elsewhere:2:b")
            beats.wait(0.2)
        assert refused == 12
    finally:
        beats.set()
        t.join()


def test_fenced_write_is_refused_after_a_takeover(open_journal: OpenJournal) -> None:
    """A run that lost its lease cannot overwrite the new holder's record (fencing)."""
    one, two = open_journal(lease_seconds=0.3), open_journal(lease_seconds=0.3)
    assert one.claim("p", "c1", "elsewhere:1:a")
    one.upsert_client("p", "c1", fence="elsewhere:1:a", step="room", progress={"room": {"id": 1}})
    wait_until(lambda: two.claim("p", "c1", "elsewhere:2:b"), timeout=10)
    two.upsert_client(
        "p", "c1", fence="elsewhere:2:b", step="folders", progress={"room": {"id": 1}, "folders": {}}
    )
    with pytest.raises(LeaseLost, match="held by another run"):
        one.upsert_client("p", "c1", fence="elsewhere:1:a", step="room", progress={})
    rec = two.get("p", "c1")
    assert rec is not None and rec.step == "folders" and "folders" in rec.progress


def test_concurrent_claims_have_one_winner(open_journal: OpenJournal) -> None:
    """Eight handles claiming one client at once: exactly one wins."""
    handles = [open_journal() for _ in range(8)]
    wins: list[bool] = []
    gate = threading.Barrier(len(handles))

    def claim(i: int) -> None:
        gate.wait()
        wins.append(handles[i].claim("p", "c1", f"elsewhere:{i}:x"))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(handles))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]
