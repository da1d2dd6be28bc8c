"""The portal's limits shared through the PostgreSQL journal: slots for writes, a request budget."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack

from support.waiting import wait_until

from onboarding.journal.postgres import PostgresJournal


def test_writes_in_flight_are_capped_across_processes(pg_url: str) -> None:
    """Two processes' handles together hold at most the portal's write slots; a freed slot is reused."""
    one, two = PostgresJournal(pg_url, pool_size=20), PostgresJournal(pg_url, pool_size=20)
    a, b = one.shared_limits("p", writes=4), two.shared_limits("p", writes=4)
    assert a is not None and b is not None
    got: list[int] = []
    freed = threading.Event()

    def fifth_write() -> None:
        with b.write_slot() as slot:
            got.append(slot)
            freed.wait(10)

    try:
        with ExitStack() as held:
            first = held.enter_context(a.write_slot())
            slots = [first] + [held.enter_context(lim.write_slot()) for lim in (a, b, b)]
            assert sorted(slots) == [0, 1, 2, 3]
            waiter = threading.Thread(target=fifth_write)
            waiter.start()
            waiter.join(0.3)
            assert waiter.is_alive() and got == []  # the fifth write waits for a free slot
        wait_until(lambda: len(got) == 1, timeout=10)  # all four freed: the waiter got one
        freed.set()
        waiter.join(10)
        assert got[0] in range(4)
    finally:
        freed.set()
        one.close()
        two.close()


def test_the_request_budget_holds_in_every_sliding_window(pg_url: str) -> None:
    """Three processes spending one budget of 10 per half second never exceed it in any half second."""
    handles = [PostgresJournal(pg_url) for _ in range(3)]
    limits = [h.shared_limits("p", writes=15) for h in handles]
    stamps: list[float] = []
    lock = threading.Lock()

    def spend(i: int) -> None:
        limit = limits[i]
        assert limit is not None
        for _ in range(10):
            limit.take_request(10, 0.5)
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for h in handles:
        h.close()
    stamps.sort()
    assert len(stamps) == 30
    # Stamps are taken after each grant returns, so scheduling can bunch them; a 0.4 s span leaves
    # 0.1 s for that and still fails if the bucket ever let more than its budget through.
    most = max(sum(1 for s in stamps if start <= s < start + 0.4) for start in stamps)
    assert most <= 10, most


def test_no_limit_known_means_no_wait(pg_url: str) -> None:
    """Without a known budget (the portal showed no limiter) requests are not held back."""
    j = PostgresJournal(pg_url)
    try:
        limits = j.shared_limits("p", writes=15)
        assert limits is not None and limits.take_request(None, 60.0) == 0.0
    finally:
        j.close()


def test_a_write_whose_slot_ran_out_leaves_the_slot_another_write_of_its_process_took(pg_url: str) -> None:
    """A slot re-taken after its lease ran out (by a write of the same process) stays held when the
    first write's answer finally comes: each take frees only its own slot."""
    from onboarding.journal.limits import SharedPortalLimits

    j = PostgresJournal(pg_url, pool_size=4)
    limits = SharedPortalLimits(j, "lease", writes=1, slot_lease=0.2)
    second_has_it, done = threading.Event(), threading.Event()

    def second_write() -> None:
        with limits.write_slot():  # waits until the first take's lease runs out
            second_has_it.set()
            done.wait(10)

    def holder() -> object:
        return j._query("SELECT holder FROM write_slots WHERE portal = ?", ["lease"])[0]["holder"]

    waiter = threading.Thread(target=second_write)
    try:
        with limits.write_slot():
            waiter.start()
            assert second_has_it.wait(10)  # the first write is still "in flight": its lease ran out
        assert holder() is not None  # the first write's end did not free the second's slot
        done.set()
        waiter.join(10)
        assert holder() is None
    finally:
        done.set()
        waiter.join(10)
        j.close()
