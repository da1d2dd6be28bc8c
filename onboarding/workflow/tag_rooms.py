"""Rooms by client tag, looked up for many clients at once: one request serves every waiting worker.

Two runs with different journals (two people, two machines) can each create a room for the same
client: the portal has no uniqueness and no lock. They converge on the portal alone (see
:mod:`onboarding.workflow.converge`): each run looks up the rooms carrying the client's tag right
after creating one, and again at verification. Asked one client at a time, that would be two
reads per client; here a worker that needs a look-up *parks* its tag and gives up its worker slot,
and one request is made for all parked tags when

* the batch is full (100 tags, or the encoded query at the client's limit: the real server
  refuses request lines over 8 KB; see :func:`~onboarding.docspace.client.tag_chunks`), or
* every client still in the run is parked (nobody else could join the batch).

The pool has enough threads for the parked clients (see the engine), so parking never starves the
clients that have not started. On a fresh batch the look-ups cost about ``2 × clients / 100``
requests: under 0.02 reads per client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from onboarding.docspace import Folder
from onboarding.docspace.bodies import tag_chunks

BATCH_TAGS = 100
"""Most tags in one look-up (the server's page is 100 rooms; one room per tag)."""

Lookup = Callable[[list[str]], list[Folder]]
"""Reads the rooms (active and archived) carrying any of the tags (one request per call)."""


class Slots:
    """The run's working-client slots, given to clients that have not started before returning ones.

    A client coming back from a look-up waits while a new client wants a slot: the new ones reach
    their first look-up sooner, so their tags join the same batches as the others' second look-ups
    (about ``2 × clients / 100`` requests in all instead of one more round at the end).
    """

    def __init__(self, n: int) -> None:
        self._free = n
        self._new_waiting = 0
        self._cond = threading.Condition()

    def acquire(self, *, new: bool = False) -> None:
        with self._cond:
            if new:
                self._new_waiting += 1
                self._cond.wait_for(lambda: self._free > 0)
                self._new_waiting -= 1
            else:
                self._cond.wait_for(lambda: self._free > 0 and not self._new_waiting)
            self._free -= 1

    def release(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify_all()

    def __enter__(self) -> Slots:
        self.acquire(new=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass
class _Batch:
    tags: list[str] = field(default_factory=list)
    rooms: dict[str, list[Folder]] | None = None
    error: BaseException | None = None
    done: bool = False


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
        self._cond = threading.Condition()
        self._pending = _Batch()
        self.requests = 0
        """Look-up requests made (for tests and the run's counters)."""

    def rooms(self, tag: str) -> list[Folder]:
        """Every room (active or archived) carrying ``tag``, read after this call began."""
        key = tag.casefold()
        flush: list[_Batch] = []
        with self._cond:
            batch = self._pending
            if batch.tags and not self._fits([*batch.tags, tag]):
                flush.append(self._take())
                batch = self._pending
            batch.tags.append(tag)
            if len(batch.tags) >= self._batch_tags or len(batch.tags) >= self._live:
                flush.append(self._take())
        if self._slots is not None:
            self._slots.release()
        try:
            for full in flush:
                self._read(full)
            with self._cond:
                self._cond.wait_for(lambda: batch.done)
        finally:
            if self._slots is not None:
                self._slots.acquire()
        if batch.error is not None:
            raise batch.error
        return list((batch.rooms or {}).get(key, []))

    def leave(self) -> None:
        """One client's job ended: it will not ask again (the rest may now be all that is left)."""
        with self._cond:
            self._live -= 1
            ready = bool(self._pending.tags) and len(self._pending.tags) >= self._live
            full = self._take() if ready else None
        if full is not None:
            self._read(full)

    def _fits(self, tags: Sequence[str]) -> bool:
        return len(tags) <= self._batch_tags and len(tag_chunks(tags)) == 1

    def _take(self) -> _Batch:
        """Detach the pending batch (under the lock) so that its read happens outside it."""
        full, self._pending = self._pending, _Batch()
        return full

    def _read(self, batch: _Batch) -> None:
        try:
            found: dict[str, list[Folder]] = {}
            rooms = self._lookup(list(dict.fromkeys(batch.tags)))
            wanted = {t.casefold() for t in batch.tags}
            for room in rooms:
                for tag in {t.casefold() for t in room.tags} & wanted:
                    found.setdefault(tag, []).append(room)
            batch.rooms = found
        except BaseException as exc:  # every waiter of the batch fails with the read
            batch.error = exc
        with self._cond:
            self.requests += 1
            batch.done = True
            self._cond.notify_all()
