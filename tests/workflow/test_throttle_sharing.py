"""The process-wide throttle of a portal takes shared limits from the journal of the engine at hand."""

from __future__ import annotations

from contextlib import AbstractContextManager

from support.engine import Harness, make_clients


class ClosedLimits:
    """Shared limits of a journal that was closed since (a PostgreSQL pool that is shut)."""

    def write_slot(self) -> AbstractContextManager[int]:
        raise RuntimeError("the pool is already closed")

    def take_request(self, per_window: int | None, window: float) -> float:
        raise RuntimeError("the pool is already closed")


def test_an_engine_on_another_journal_drops_the_first_journals_shared_limits(harness: Harness) -> None:
    """A second engine on the same portal, with another journal, runs without the first's limits."""
    first = harness.engine()
    first.throttle.shared, first.throttle.shared_source = ClosedLimits(), first.journal
    second = harness.engine()
    assert second.throttle is first.throttle  # one throttle per portal and process
    assert second.throttle.shared is None  # a file journal shares nothing
    result = second.run(make_clients(2))
    assert result.exit_code == 0, result.errors
