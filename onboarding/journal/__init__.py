"""The journal: every run, every client and every step's remote ids, in SQLite or PostgreSQL.

:func:`open_journal` picks the store from one string: a path (or nothing: the per-user default)
keeps the embedded SQLite file; a ``postgresql://`` address opens the shared PostgreSQL journal
that several machines, dashboards and workers can use at once.
"""

from __future__ import annotations

from pathlib import Path

from onboarding.journal.protocol import LEASE_SECONDS, Journal, LeaseLost, make_owner_id
from onboarding.journal.records import (
    ARCHIVED,
    BLOCKED,
    DEFERRED,
    DONE,
    FAILED,
    PENDING,
    RUNNING,
    ClientRecord,
    EventRecord,
    RunRecord,
)
from onboarding.journal.sqlite import SqliteJournal

__all__ = [
    "ARCHIVED",
    "BLOCKED",
    "DEFERRED",
    "DONE",
    "FAILED",
    "LEASE_SECONDS",
    "PENDING",
    "RUNNING",
    "ClientRecord",
    "EventRecord",
    "Journal",
    "LeaseLost",
    "RunRecord",
    "SqliteJournal",
    "is_database_url",
    "make_owner_id",
    "open_journal",
]

_PG_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(value: str | Path | None) -> bool:
    """True when ``value`` names a PostgreSQL journal rather than a file."""
    return isinstance(value, str) and value.strip().lower().startswith(_PG_SCHEMES)


def open_journal(
    url_or_path: str | Path | None = None, *, pool_size: int = 4, lease_seconds: float = LEASE_SECONDS
) -> Journal:
    """The journal named by a path or a ``postgresql://`` address (nothing: the default file).

    Args:
        url_or_path: a file path, a ``postgresql://user@host:port/db`` address, or None.
        pool_size: connections to keep open to PostgreSQL (the run's worker count).
        lease_seconds: how long a claim outlives its owner's last heartbeat.
    """
    if is_database_url(url_or_path):
        from onboarding.journal.postgres import PostgresJournal  # psycopg only when asked for

        return PostgresJournal(str(url_or_path), pool_size=pool_size, lease_seconds=lease_seconds)
    if url_or_path is None or str(url_or_path) == "":
        from onboarding.settings import default_data_dir

        url_or_path = default_data_dir() / "journal.sqlite3"
    return SqliteJournal(url_or_path, lease_seconds=lease_seconds)
