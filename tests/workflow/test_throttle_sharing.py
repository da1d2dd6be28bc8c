"""The process-wide throttle of a portal takes shared limits from the journal of the engine at hand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from support.engine import Harness, make_clients

from onboarding.workflow.throttle import Throttle


class ClosedLimits:
    """Shared limits of a journal that was closed since (a PostgreSQL pool that is shut)."""

    def write_slot(self) -> AbstractContextManager[int]:
        raise RuntimeError("the pool is already closed")

    def take_request(self, per_window: int | None, window: float, *, on_wait: object = None) -> float:
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


class WaitingLimits:
    """A shared request budget that makes each request wait ``pause`` seconds (on a fake clock)."""

    def __init__(self, clock: list[float], pause: float) -> None:
        self.clock, self.pause = clock, pause

    def write_slot(self) -> AbstractContextManager[int]:
        return nullcontext(0)

    def take_request(self, per_window: int | None, window: float, *, on_wait: object = None) -> float:
        assert callable(on_wait)
        on_wait(self.pause)
        self.clock[0] += self.pause
        return self.pause


def test_waits_for_a_shared_budget_count_once_and_are_announced() -> None:
    """Requests held by the shared journal's request budget: the run's "waited" counts that time
    (it said 59 s for a 150 s run on two machines), side-by-side waits only once, and a long
    wait is announced to the listeners like the pacer's own."""
    clock = [100.0]
    throttle = Throttle(clock=lambda: clock[0], wall=lambda: clock[0])
    throttle.shared = WaitingLimits(clock, 20.0)  # type: ignore[assignment]
    heard: list[float] = []
    throttle.add_listener(heard.append)
    for _ in range(3):
        with throttle.read():
            pass
    assert throttle.pacer.counters()["waited_s"] == 60.0
    assert heard and heard[0] == 20.0
    throttle.pacer.waited_elsewhere(clock[0] - 10.0)  # overlaps the last wait: nothing new
    throttle.pacer.waited_elsewhere(clock[0] - 30.0)
    assert throttle.pacer.counters()["waited_s"] == 60.0


class OrderedLimits:
    """Shared limits that record the order of a write's budget wait and its write slot."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.holding = False

    @contextmanager
    def _slot(self) -> Iterator[int]:
        self.order.append("slot taken")
        self.holding = True
        try:
            yield 0
        finally:
            self.holding = False

    def write_slot(self) -> AbstractContextManager[int]:
        return self._slot()

    def take_request(self, per_window: int | None, window: float, *, on_wait: object = None) -> float:
        self.order.append("budget waited while holding a slot" if self.holding else "budget waited")
        return 0.0


def test_a_write_waits_for_the_shared_budget_before_it_takes_a_shared_write_slot() -> None:
    """The shared budget's wait (up to a window) comes before the write slot: the slot's lease covers
    the write alone, so a long wait cannot outlast it and let another machine take the slot."""
    throttle = Throttle()
    shared = OrderedLimits()
    throttle.shared = shared  # type: ignore[assignment]
    with throttle.write():
        assert shared.holding
    assert shared.order == ["budget waited", "slot taken"]
