"""The shared look-up of rooms by tag: many clients per request, and requests that fit the URL budget."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from support.engine import Harness, make_clients

from onboarding.docspace import Folder
from onboarding.workflow.tag_rooms import Slots, TagRooms


def _room(rid: int, tag: str) -> Folder:
    return Folder.model_validate({"id": rid, "title": f"room {rid}", "tags": [tag]})


def test_waiting_clients_share_requests_of_at_most_a_hundred_tags() -> None:
    """250 clients each looking up once: 3 requests (100, 100, 50), and each client gets only its rooms."""
    calls: list[list[str]] = []
    lock = threading.Lock()

    def lookup(tags: list[str]) -> list[Folder]:
        with lock:
            calls.append(tags)
        return [_room(int(t.split(":")[1]), t.casefold()) for t in tags]

    n = 250
    slots = Slots(8)
    shared = TagRooms(lookup, live=n, slots=slots)

    def client(i: int) -> list[int]:
        with slots:
            try:
                return [r.id for r in shared.rooms(f"CLIENT:{i}")]
            finally:
                shared.leave()

    with ThreadPoolExecutor(max_workers=n) as pool:
        answers = list(pool.map(client, range(n)))
    assert answers == [[i] for i in range(n)]
    assert sorted(len(c) for c in calls) == [50, 100, 100] and shared.requests == 3


def test_a_failed_look_up_fails_each_client_waiting_for_it() -> None:
    """The read's error reaches every waiter of that batch (each client fails, none hangs)."""

    def lookup(tags: list[str]) -> list[Folder]:
        raise RuntimeError("portal down")

    shared = TagRooms(lookup, live=1)
    try:
        shared.rooms("client:1")
    except RuntimeError as exc:
        assert str(exc) == "portal down"
    else:
        raise AssertionError("the look-up's error was swallowed")


def test_a_fresh_batch_spends_at_most_two_shared_look_ups_per_hundred_clients(harness: Harness) -> None:
    """From the sandbox's log: 150 fresh clients, the run's look-ups of rooms by tag are at most 3 (0.02/client)."""
    engine = harness.engine()
    plan = engine.plan(make_clients(150))
    harness.sandbox.clear_log()
    assert engine.run(plan).exit_code == 0
    log = harness.sandbox.request_log()
    assert sum(r["method"] == "GET" and r["path"].endswith("/files/rooms") for r in log) <= 3


def test_a_context_reads_each_tag_chunk_on_its_own_a_few_at_a_time() -> None:
    """rooms_by_tags: one read per chunk (all of them), up to LOOKUP_THREADS at once, a room in two chunks listed once."""
    from onboarding.workflow.tag_rooms import LOOKUP_THREADS, rooms_by_tags

    class Portal:
        def __init__(self) -> None:
            self.asked: list[list[str]] = []
            self.in_flight = self.most = 0
            self.lock = threading.Lock()
            self.together = threading.Barrier(LOOKUP_THREADS, timeout=10)

        def find_rooms_by_tags(self, tags: list[str]) -> list[Folder]:
            with self.lock:
                self.asked.append(tags)
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
            self.together.wait()  # passes only when LOOKUP_THREADS requests are in flight together
            with self.lock:
                self.in_flight -= 1
            return [_room(7, "shared")] + [_room(int(t.split(":")[1]), t) for t in tags]

    portal = Portal()
    reads: list[int] = []
    chunks = [[f"c:{i}" for i in range(start, start + 100)] for start in range(100, 900, 100)]

    def read(fn):  # type: ignore[no-untyped-def]
        reads.append(1)
        return fn()

    rooms = rooms_by_tags(portal, chunks, read)  # type: ignore[arg-type]
    assert sorted(map(sorted, portal.asked)) == sorted(map(sorted, chunks)) and len(reads) == len(chunks)
    assert portal.most == LOOKUP_THREADS
    assert sorted(r.id for r in rooms) == [7, *range(100, 900)]
