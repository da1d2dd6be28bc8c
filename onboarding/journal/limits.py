"""The portal's limits shared through the journal, for runs on several machines with one key.

DocSpace counts its limits per user (15 writes in flight, a request budget per minute), so runs in
several processes with one key must share them, not each take the whole. A process-local throttle
cannot see the others; the shared journal can:

* **writes in flight**: a table of numbered slots per portal; a write takes a free slot
  (``FOR UPDATE SKIP LOCKED``) and frees it when answered. A slot left by a dead process is free
  again after its lease.
* **requests per window**: a token bucket per portal in one row, refilled from the database clock.
  With a capacity of a tenth of the budget and the rest as refill, no sliding window ever sees more
  than the budget.

Every call costs one short transaction; at loopback that is well under a millisecond, against a
portal round trip of tens of milliseconds.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from onboarding.journal.protocol import make_owner_id
from onboarding.journal.sql import SqlJournal

BUCKET_SHARE = 0.1
"""The bucket's capacity as a share of the window's budget (the burst a fresh window allows)."""
MAX_WAIT_STEP = 0.05
"""Longest pause between two looks at a full set of slots."""


class SharedPortalLimits:
    """Writes in flight and the request budget of one portal, shared by every process on a journal.

    Args:
        journal: the shared journal.
        portal: the portal's key in the journal.
        writes: the slots (the portal allows 15 writes in flight per user).
        slot_lease: seconds after which a slot whose holder never freed it (a dead process) is free.
    """

    def __init__(
        self, journal: SqlJournal, portal: str, *, writes: int = 15, slot_lease: float = 120.0
    ) -> None:
        self.journal = journal
        self.portal = portal
        self.writes = writes
        self.slot_lease = slot_lease
        self.owner = "limits:" + make_owner_id()
        self._takes = itertools.count()
        self._idle = threading.Event()  # never set: an interruptible pause
        with journal._tx() as sql:
            for slot in range(writes):
                sql(
                    "INSERT INTO write_slots (portal, slot) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (portal, slot),
                )

    @contextmanager
    def write_slot(self) -> Iterator[int]:
        """Hold one of the portal's write slots for the duration of a write.

        Each take has a holder of its own (this process's id and a number): a write whose slot's
        lease ran out, and was taken by another write of this process, must not free that one.
        """
        holder = f"{self.owner}:{next(self._takes)}"
        slot = self._take_slot(holder)
        try:
            yield slot
        finally:
            with self.journal._tx() as sql:
                sql(
                    "UPDATE write_slots SET holder = NULL, until = NULL WHERE portal = ? AND slot = ? AND holder = ?",
                    (self.portal, slot, holder),
                )

    def _take_slot(self, holder: str) -> int:
        pause = 0.002
        while True:
            with self.journal._tx() as sql:
                now = self.journal._now(sql)
                rows = sql(
                    "SELECT slot FROM write_slots WHERE portal = ? AND slot < ? AND (holder IS NULL OR until < ?)"
                    " ORDER BY slot LIMIT 1" + self.journal._skip_locked,
                    (self.portal, self.writes, now),
                )
                if rows:
                    slot = int(rows[0]["slot"])
                    sql(
                        "UPDATE write_slots SET holder = ?, until = ? WHERE portal = ? AND slot = ?",
                        (holder, now + self.slot_lease, self.portal, slot),
                    )
                    return slot
            self._idle.wait(pause)
            pause = min(MAX_WAIT_STEP, pause * 2)

    def take_request(
        self, per_window: int | None, window: float, *, on_wait: Callable[[float], None] | None = None
    ) -> float:
        """Wait for the budget to allow one more request; returns the seconds waited.

        ``per_window`` None means no limit is known (the portal showed no limiter): no wait.
        """
        if not per_window:
            return 0.0
        capacity = max(1.0, per_window * BUCKET_SHARE)
        rate = max(per_window - capacity, 1.0) / window
        waited = 0.0
        while True:
            with self.journal._tx() as sql:
                now = self.journal._now(sql)
                sql(
                    "INSERT INTO write_budget (portal, window_start, used) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (self.portal, now, 0),
                )
                row = sql(
                    "SELECT window_start, used FROM write_budget WHERE portal = ?" + self.journal._lock_rows,
                    (self.portal,),
                )[0]
                # ``used`` holds the tokens spent, scaled by 1000 (an integer column); refill since then.
                tokens = min(capacity, capacity - row["used"] / 1000 + (now - row["window_start"]) * rate)
                if tokens >= 1.0:
                    spent = round((capacity - (tokens - 1.0)) * 1000)
                    sql(
                        "UPDATE write_budget SET window_start = ?, used = ? WHERE portal = ?",
                        (now, spent, self.portal),
                    )
                    return waited
            pause = (1.0 - tokens) / rate
            if on_wait is not None:
                on_wait(pause)
            self._idle.wait(pause)
            waited += pause
