"""Rooms by client tag, looked up for many clients at once: one request serves every waiting worker.

Two runs with different journals (two people, two machines) can each create a room for the same
client: the portal has no uniqueness and no lock. They converge on the portal alone (see
:mod:`onboarding.workflow.converge`): each run looks up the rooms carrying the client's tag right
after creating one, and again at verification. Asked one client at a time, that would be two
reads per client; here a worker that needs a look-up *parks* its tag and gives up its worker slot,
and one request is made for all parked tags when

* the batch is full (100 tags, or the encoded query at the client's limit: the real server
  refuses request lines over 8 KB; see :func:`~onboarding.docspace.bodies.tag_chunks`), or
* every client still in the run is parked (nobody else could join the batch).

The pool has enough threads for the parked clients (see the engine), so parking never starves the
clients that have not started. On a fresh batch the look-ups cost about ``2 × clients / 100``
requests: under 0.02 reads per client.
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from onboarding.docspace import DocSpaceClient, Folder
from onboarding.docspace.bodies import TagQuery

BATCH_TAGS = 100
"""Most tags in one look-up (the server's page is 100 rooms; one room per tag)."""

Lookup = Callable[[list[str]], list[Folder]]
"""Reads the rooms (active and archived) carrying any of the tags (one request per call)."""


class Slots:
    """The run's working-client slots, given to clients that have not started before returning ones.

    A client coming back from a look-up waits while a new client wants a slot: the new ones reach
    their first look-up sooner, so their tags join the same batches as the others' second look-ups
    (about ``2 × clients / 100`` requests in all instead of one more round at the end).

    A freed slot is handed to exactly one waiter (its own lock is released), so a release wakes
    one thread: with 2,000 clients some 200 threads wait here, and waking them all on every
    release to let one through cost a third of the run's CPU.
    """

    def __init__(self, n: int) -> None:
        self._free = n
        self._lock = threading.Lock()
        self._new: deque[threading.Lock] = deque()
        self._returning: deque[threading.Lock] = deque()

    def acquire(self, *, new: bool = False) -> None:
        with self._lock:
            if self._free > 0:  # then nobody is queued: a freed slot goes to a waiter first
                self._free -= 1
                return
            baton = threading.Lock()
            baton.acquire()
            (self._new if new else self._returning).append(baton)
        baton.acquire()  # released by the release() that hands this waiter its slot

    def release(self) -> None:
        with self._lock:
            queue = self._new or self._returning
            if not queue:
                self._free += 1
                return
            baton = queue.popleft()
        baton.release()

    def __enter__(self) -> Slots:
        self.acquire(new=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def carries_tag(room: Folder, tag: str) -> bool:
    """True when ``room`` carries ``tag`` as written (a room whose tags were not listed counts).

    The portal's look-up by tag ignores letter case: a room found for ``client:cl-1`` may carry
    ``client:CL-1``, another client's tag. The steps keep only rooms with the exact tag, and the
    plan blocks a client whose tag only differs in case from a room's.
    """
    return not room.tags or tag in room.tags


@dataclass
class _Batch:
    query: TagQuery = field(default_factory=TagQuery)
    rooms: dict[str, list[Folder]] | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


class TagRooms:
    """A run's shared, coalescing look-up of rooms by tag (thread-safe).

    ``live`` is how many clients of the run may still ask; each client's job calls :meth:`leave`
    when it ends. ``slots`` is the engine's semaphore of working clients: a parked client releases
    its slot while it waits, so that the clients not yet started can run up to this point too.
    """

    def __init__(
        self,
        lookup: Lookup,
        *,
        live: int,
        slots: Slots | None = None,
        batch_tags: int = BATCH_TAGS,
    ) -> None:
        self._lookup = lookup
        self._live = live
        self._slots = slots
        self._batch_tags = batch_tags
        self._lock = threading.Lock()
        self._pending = _Batch()
        self.requests = 0
        """Look-up requests made (for tests and the run's counters)."""

    def rooms(self, tag: str) -> list[Folder]:
        """Every room (active or archived) carrying ``tag``, read after this call began."""
        key = tag.casefold()
        flush: list[_Batch] = []
        with self._lock:
            batch = self._pending
            if not self._fits(batch, tag):
                flush.append(self._take())
                batch = self._pending
            batch.query.add(tag)
            if len(batch.query.tags) >= self._batch_tags or len(batch.query.tags) >= self._live:
                flush.append(self._take())
        if self._slots is not None:
            self._slots.release()
        try:
            for full in flush:
                self._read(full)
            batch.done.wait()
        finally:
            if self._slots is not None:
                self._slots.acquire()
        if batch.error is not None:
            raise batch.error
        return list((batch.rooms or {}).get(key, []))

    def leave(self) -> None:
        """One client's job ended: it will not ask again (the rest may now be all that is left)."""
        with self._lock:
            self._live -= 1
            ready = bool(self._pending.query.tags) and len(self._pending.query.tags) >= self._live
            full = self._take() if ready else None
        if full is not None:
            self._read(full)

    def _fits(self, batch: _Batch, tag: str) -> bool:
        """Whether ``tag`` joins ``batch`` and keeps it one request (a first tag always does)."""
        tags = batch.query.tags
        return not tags or (len(tags) < self._batch_tags and batch.query.fits(tag))

    def _take(self) -> _Batch:
        """Detach the pending batch (under the lock) so that its read happens outside it."""
        full, self._pending = self._pending, _Batch()
        return full

    def _read(self, batch: _Batch) -> None:
        try:
            found: dict[str, list[Folder]] = {}
            rooms = self._lookup(list(dict.fromkeys(batch.query.tags)))
            wanted = {t.casefold() for t in batch.query.tags}
            for room in rooms:
                for tag in {t.casefold() for t in room.tags} & wanted:
                    found.setdefault(tag, []).append(room)
            batch.rooms = found
        except BaseException as exc:  # every waiter of the batch fails with the read
            batch.error = exc
        with self._lock:
            self.requests += 1
        batch.done.set()  # wakes this batch's waiters only


LOOKUP_THREADS = 4
"""Tag look-ups in flight at once while a run's context is read (the portal allows 50 reads)."""


def rooms_by_tags(
    client: DocSpaceClient,
    chunks: Sequence[list[str]],
    read: Callable[[Callable[[], list[Folder]]], list[Folder]],
) -> list[Folder]:
    """The rooms carrying any tag of ``chunks`` (each chunk one request), a few requests at a time.

    Each chunk is its own read, so the throttle counts and paces every request and a failure is
    retried for that chunk alone; a plan of 10,000 fresh clients makes 100 of them, which took
    about half a second one after another. A room carrying tags of two chunks is listed once.
    """
    if len(chunks) <= 1:
        return read(functools.partial(client.find_rooms_by_tags, chunks[0])) if chunks else []
    with ThreadPoolExecutor(min(LOOKUP_THREADS, len(chunks)), thread_name_prefix="tag-lookup") as pool:
        found = pool.map(lambda chunk: read(functools.partial(client.find_rooms_by_tags, chunk)), chunks)
        return list({room.id: room for rooms in found for room in rooms}.values())
