"""The journal contract, run queue: each queued run is taken by one worker, and retaken if it dies."""

from __future__ import annotations

import threading
from collections.abc import Callable

from support.waiting import wait_until

from onboarding.journal import Journal

REQUEST = {"clients": [{"client_id": "C-1", "name": "Acme"}], "blueprint": {"room_type": 2}}


def test_a_queued_run_is_taken_once_with_its_request(open_journal: Callable[..., Journal]) -> None:
    """The oldest waiting run goes to the first worker asking, request intact; the next finds none."""
    one, two = open_journal(), open_journal()
    first = one.enqueue("p", "ann", REQUEST)
    second = one.enqueue("p", "bob", {"clients": []})
    one.enqueue("other-portal", "x", {})
    taken = two.take_queued("p", "worker-a")
    assert taken is not None and taken.queue_id == first and taken.run_id == first
    assert taken.request == REQUEST and taken.worker == "worker-a" and taken.actor == "ann"
    again = one.take_queued("p", "worker-b")
    assert again is not None and again.queue_id == second
    assert one.take_queued("p", "worker-c") is None
    one.finish_queued(first, "worker-a", "done", "3 onboarded")
    assert [(q.queue_id, q.status) for q in one.queued("p")][-1] == (first, "done")


def test_concurrent_workers_never_share_a_run(open_journal: Callable[..., Journal]) -> None:
    """Six workers polling at once take six different runs out of six."""
    handles = [open_journal() for _ in range(6)]
    ids = {handles[0].enqueue("p", "a", {"n": i}) for i in range(6)}
    got: list[str] = []
    gate = threading.Barrier(len(handles))

    def work(i: int) -> None:
        gate.wait()
        q = handles[i].take_queued("p", f"w{i}")
        if q is not None:
            got.append(q.queue_id)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(handles))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == len(set(got)) and set(got) <= ids
    while (q := handles[0].take_queued("p", "late")) is not None:  # any left by a skipped lock
        got.append(q.queue_id)
    assert sorted(got) == sorted(ids)


def test_a_dead_workers_run_is_retaken_after_the_lease(open_journal: Callable[..., Journal]) -> None:
    """A run whose worker stops renewing goes to another worker, under a new run id."""
    one, two = open_journal(lease_seconds=0.3), open_journal(lease_seconds=0.3)
    qid = one.enqueue("p", "a", REQUEST)
    assert one.take_queued("p", "dies") is not None
    assert one.renew_queued(qid, "dies") and not one.renew_queued(qid, "someone-else")
    retaken: list[str] = []

    def take() -> bool:
        q = two.take_queued("p", "survivor")
        if q is not None:
            retaken.append(q.run_id)
        return q is not None

    wait_until(take, timeout=10)
    assert retaken[0].startswith(qid) and retaken[0] != qid
    assert not one.renew_queued(qid, "dies")


def test_only_a_waiting_run_can_be_cancelled(journal: Journal) -> None:
    """Cancelling withdraws a run nobody took; a taken run cannot be cancelled."""
    waiting, taken = journal.enqueue("p", "a", {}), journal.enqueue("p", "a", {})
    assert journal.cancel_queued(waiting)
    assert journal.take_queued("p", "w") is not None
    assert not journal.cancel_queued(taken)
    assert journal.take_queued("p", "w2") is None


def test_a_handed_back_run_is_taken_at_once_under_a_new_run_id(open_journal: Callable[..., Journal]) -> None:
    """Only its holder hands a run back; the next worker takes it at once, with a run id of its own."""
    one, two = open_journal(), open_journal()
    qid = one.enqueue("p", "a", REQUEST)
    first = one.take_queued("p", "stopping")
    assert first is not None and first.run_id == qid
    assert not two.hand_back_queued(qid, "someone-else")
    assert one.hand_back_queued(qid, "stopping", "handed back: 3 deferred")
    assert not one.renew_queued(qid, "stopping")
    again = two.take_queued("p", "next")
    assert again is not None and again.queue_id == qid and again.run_id.startswith(qid)
    assert again.run_id != qid and again.worker == "next"


def test_a_queued_runs_detail_is_stored_with_secrets_masked(open_journal: Callable[..., Journal]) -> None:
    """A worker's failure or hand-back detail may quote an error: stored masked, like run summaries."""
    from onboarding import redact

    secret = "sk-queue-detail-7f3a9c"
    redact.register_secret(secret)
    journal = open_journal()
    failed, handed = journal.enqueue("p", "a", REQUEST), journal.enqueue("p", "a", REQUEST)
    assert journal.take_queued("p", "w") is not None and journal.take_queued("p", "w") is not None
    journal.finish_queued(failed, "w", "failed", f"PortalError: bad key {secret}")
    assert journal.hand_back_queued(handed, "w", f"handed back: key {secret}")
    details = [q.detail for q in journal.queued("p")]
    assert all(secret not in d for d in details) and len(details) == 2, details
