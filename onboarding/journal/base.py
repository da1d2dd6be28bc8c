"""What every SQL store gives the portable journal code: a transaction, a read and two clocks.

The statements in :mod:`onboarding.journal.sql` and :mod:`onboarding.journal.queue` use ``?``
placeholders and only syntax that SQLite and PostgreSQL share; a store subclasses
:class:`SqlStore` and supplies the connection handling and, where it has one, a shared clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

T = TypeVar("T")

Row = dict[str, Any]
Execute = Callable[[str, Sequence[Any]], list[Row]]
"""Runs one statement inside the current transaction; returns its rows (none for writes)."""


class SqlStore:
    """The hooks a store implements; everything else is portable SQL built on them."""

    _clock: Callable[[], float]
    lease_seconds: float
    _lock_rows = ""
    """Appended to a SELECT that must lock its rows (SQLite's IMMEDIATE transaction already does)."""
    _skip_locked = ""
    """Appended to a claiming SELECT: lock the rows, passing over rows another claim is taking."""

    def _tx(self) -> AbstractContextManager[Execute]:
        """One transaction, committed when the block ends and rolled back if it raises."""
        raise NotImplementedError

    def _write(self, work: Callable[[Execute], T]) -> T:
        """``work`` in a transaction: committed before this returns, nothing of it kept if it raises.

        A store may commit the writes of several threads together (see the SQLite store); each
        stays all-or-nothing on its own. The hot writes (a step's progress, a claim, a release,
        an event) come through here.
        """
        with self._tx() as sql:
            return work(sql)

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[Row]:
        """One read outside any transaction."""
        raise NotImplementedError

    def _now(self, sql: Execute) -> float:
        """The lease clock: this process's clock, unless the store has a shared one (a database's)."""
        return self._clock()
