"""The estimate's per-request CPU cost is scaled to this machine by a probe, at most once a minute."""

from __future__ import annotations

from onboarding.workflow.machine_speed import (
    REFERENCE_CPU_PER_REQUEST,
    REFERENCE_PROBE_SECONDS,
    MachineSpeed,
    _probe_once,
)


def test_a_machine_whose_probe_is_twice_as_slow_costs_twice_the_reference_per_request() -> None:
    """The fastest of the five probe runs scales the reference cost (a preempted run is ignored)."""
    runs = iter([REFERENCE_PROBE_SECONDS * 2] * 4 + [REFERENCE_PROBE_SECONDS * 9])
    speed = MachineSpeed(probe=lambda: next(runs), clock=lambda: 1000.0)
    assert abs(speed.cpu_per_request() - 2 * REFERENCE_CPU_PER_REQUEST) < 1e-12


def test_the_probe_runs_again_only_after_a_minute() -> None:
    """A dashboard asking for its ETA every second probes once a minute, and sees a changed machine."""
    calls: list[float] = []
    slowness = [1.0]

    def probe() -> float:
        calls.append(slowness[0])
        return REFERENCE_PROBE_SECONDS * slowness[0]

    now = [1000.0]
    speed = MachineSpeed(probe=probe, clock=lambda: now[0])
    first = speed.cpu_per_request()
    slowness[0] = 3.0
    now[0] += 59.0
    assert speed.cpu_per_request() == first and len(calls) == 5
    now[0] += 2.0
    assert abs(speed.cpu_per_request() - 3 * first) < 1e-12 and len(calls) == 10


def test_the_real_probe_does_interpreter_work_and_reports_its_seconds() -> None:
    """The probe itself runs without I/O and returns a positive duration (its size is checked in benchmarks)."""
    assert 0.0 < _probe_once() < 5.0
