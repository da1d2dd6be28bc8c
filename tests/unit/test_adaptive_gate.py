"""The write gate: never more slots in use than its size, freed slots handed to waiters in order."""

from __future__ import annotations

import threading

from support.waiting import wait_until

from onboarding.workflow.throttle import AdaptiveGate


def _holder(gate: AdaptiveGate, name: str, order: list[str], release: threading.Event) -> threading.Thread:
    def hold() -> None:
        with gate.slot():
            order.append(name)
            release.wait(10)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    return thread


def test_waiters_get_freed_slots_in_arrival_order_and_never_exceed_the_size() -> None:
    """Two slots, four callers: two run, the others wait; each release lets exactly the next one in."""
    gate = AdaptiveGate(2)
    order: list[str] = []
    releases = {name: threading.Event() for name in "abcd"}
    threads = {}
    for name, running, waiting in (("a", 1, 0), ("b", 2, 0), ("c", 2, 1), ("d", 2, 2)):
        threads[name] = _holder(gate, name, order, releases[name])
        wait_until(lambda r=running, w=waiting: len(order) == r and len(gate._waiting) == w)
    assert order == ["a", "b"]
    releases["b"].set()
    wait_until(lambda: len(order) == 3)
    assert order == ["a", "b", "c"] and gate._in_use == 2
    releases["a"].set()
    wait_until(lambda: len(order) == 4)
    assert order[-1] == "d" and gate._in_use == 2
    for event in releases.values():
        event.set()
    for thread in threads.values():
        thread.join(10)
    assert gate._in_use == 0


def test_a_halved_gate_admits_fewer_and_grows_back_with_successes() -> None:
    """After a concurrency 429 the gate holds callers back until successes grow it to its cap again."""
    gate = AdaptiveGate(4)
    gate.on_throttled()
    assert gate.size == 2
    order: list[str] = []
    releases = {name: threading.Event() for name in "abc"}
    threads = [_holder(gate, name, order, releases[name]) for name in "abc"]
    wait_until(lambda: len(order) == 2 and len(gate._waiting) == 1)
    while gate.size < 3:
        gate.on_success()
    wait_until(lambda: len(order) == 3)  # growing the gate let the waiter in
    for event in releases.values():
        event.set()
    for thread in threads:
        thread.join(10)
    while gate.size < 4:
        gate.on_success()
    assert gate.size == 4 and gate._in_use == 0
