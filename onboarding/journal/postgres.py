"""The shared journal: PostgreSQL, for several machines, dashboards and workers on one portal.

Everything that coordinates runs lives in the database, never in a process: lease expiry is
read from the database clock (``now()``), so machines with skewed clocks agree; claims lock the
client's row with ``FOR UPDATE SKIP LOCKED``; each step's write re-checks the lease under a row
lock in its own transaction (fencing); liveness is a heartbeat column, never a pid or ``/proc``.
Connections come from a pool sized to the run's worker count, and the address's password is
registered for redaction and never shown (:mod:`onboarding.journal.address`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from onboarding.errors import ConfigError
from onboarding.journal import address, schema
from onboarding.journal.base import Execute, Row
from onboarding.journal.protocol import LEASE_SECONDS, SharedLimits
from onboarding.journal.sql import SqlJournal

MIGRATION_LOCK = 7_310_562_013
"""Advisory-lock key held while the schema is upgraded, so two tools starting at once take turns."""


@functools.lru_cache(maxsize=512)
def _pg(sql: str) -> str:
    """Our portable ``?`` placeholders as psycopg's ``%s`` (no ``%`` or ``?`` literals in our SQL)."""
    return sql.replace("?", "%s")


class PostgresJournal(SqlJournal):
    """The journal in a PostgreSQL database (schema created and upgraded on first use).

    Args:
        url: ``postgresql://user:password@host:port/database`` (libpq parameters allowed).
        pool_size: the most connections held open (the run's worker threads, plus a few).
        lease_seconds: how long a claim lasts without a heartbeat.
        connect_timeout: seconds to wait for the server before giving up with a clear message.
    """

    _lock_rows = " FOR UPDATE"
    _skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 4,
        lease_seconds: float = LEASE_SECONDS,
        clock: Callable[[], float] = time.time,
        connect_timeout: float = 10.0,
    ) -> None:
        url = url.strip()  # libpq reads a leading space as a "key=value" string and quotes it whole
        self.url = url
        self._shown = address.protect(url)
        self._clock = clock
        self.lease_seconds = lease_seconds
        try:  # one plain connection first: a refused login fails in milliseconds with the server's
            # reason, where the pool would retry for ``connect_timeout`` and end in "incomplete"
            psycopg.connect(url, connect_timeout=max(1, round(connect_timeout))).close()
        except Exception as exc:
            raise ConfigError(f"cannot open the journal at {self._shown}: {_safe(exc, url)}") from None
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            kwargs={"autocommit": True},
            configure=_configure,
            open=False,
            name="docspace-journal",
        )
        try:
            self._pool.open(wait=True, timeout=connect_timeout)
            with self._tx() as sql:
                sql("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
                schema.upgrade(sql, schema.steps_for(schema.POSTGRES_TYPES), where=self._shown)
        except schema.SchemaTooNew:
            self._pool.close()
            raise
        except Exception as exc:
            self._pool.close()
            raise ConfigError(f"cannot open the journal at {self._shown}: {_safe(exc, url)}") from None

    def describe(self) -> str:
        return self._shown

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _tx(self) -> Iterator[Execute]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor(row_factory=dict_row) as cur:

            def execute(sql: str, args: Iterable[Any] = ()) -> list[Row]:
                cur.execute(_pg(sql), tuple(args))
                return list(cur.fetchall()) if cur.description else []

            yield execute

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[Row]:
        with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(_pg(sql), tuple(args))
            return list(cur.fetchall()) if cur.description else []

    def shared_limits(self, portal: str, *, writes: int) -> SharedLimits | None:
        """The portal's writes in flight and request budget, shared by every process on this journal."""
        from onboarding.journal.limits import SharedPortalLimits

        return SharedPortalLimits(self, portal, writes=writes, slot_lease=max(60.0, 2 * self.lease_seconds))

    def _now(self, sql: Execute) -> float:
        """The database's clock, shared by every machine that uses this journal."""
        return float(sql("SELECT EXTRACT(EPOCH FROM now()) AS now", ())[0]["now"])


def _configure(conn: psycopg.Connection[Any]) -> None:
    """Each pooled connection commits without waiting for the disk flush of its WAL record.

    The same durability as the SQLite journal's WAL mode with ``synchronous = NORMAL``: a crash of
    the database *machine* may lose the last fraction of a second of step records (never corrupt
    them), which the engine's find-before-create recovers from; a crash of any process loses
    nothing. It takes the flush (milliseconds on most disks) off every step's write.
    """
    conn.execute("SET synchronous_commit = off")


def _safe(exc: BaseException, url: str) -> str:
    """A driver error as one line, with the address, its password and any registered secret masked."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.Error) and exc.sqlstate:
        text = f"{text} (SQLSTATE {exc.sqlstate})"
    return address.scrub(text, url)
