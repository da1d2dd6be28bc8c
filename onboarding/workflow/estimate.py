"""How long a batch takes, from a model of the portal rather than from one assumed rate.

The model has three parts, each measured or known, never guessed: the time one call takes
(measured on the run's first calls, the plan's look-ups), the portal's concurrency (15 writes
at once), and its request-rate limit when one is known (learned from a 429, remembered from an
earlier run, the vendor's cloud, or forced in the settings). A batch then takes the longest of:
its writes spread over the write slots, our own per-request work (one interpreter, timed on
this machine), and the rate windows it has to wait for — plus one client's chain of calls for
the last client.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from onboarding.workflow.machine_speed import REFERENCE_CPU_PER_REQUEST
from onboarding.workflow.pacing import ASSUMED, DOCSPACE_RPM, LEARNING, SAFETY


@dataclass(frozen=True)
class PortalModel:
    """What is known about the portal when the estimate is made."""

    latency: float
    """Seconds per call, as measured (0 when nothing was measured yet)."""
    samples: int
    writes_in_flight: int
    per_window: int | None
    """Requests we may send per rate window; None when no limiter is known (or pacing is off)."""
    window: float
    in_window: int = 0
    """Requests already in the current window (an earlier run's, remembered)."""
    pace: str = LEARNING
    cpu_per_request: float = REFERENCE_CPU_PER_REQUEST
    """Seconds of our own work per request that threads cannot overlap (HTTP, JSON, journal),
    as :mod:`~onboarding.workflow.machine_speed` measures this machine."""


@dataclass(frozen=True)
class Estimate:
    """A batch's expected duration, and the words that say what it rests on."""

    seconds: float
    if_limited: float | None
    """While no limiter has been seen: the duration if the portal runs DocSpace's default one."""
    basis: str


def batch_seconds(
    model: PortalModel,
    *,
    clients: int,
    writes: int,
    reads: int,
    per_window: int | None,
    serial: int = 0,
    serial_pause: float = 0.0,
) -> float:
    """Expected seconds for ``clients`` clients costing ``writes`` + ``reads`` calls in all, of
    which ``serial`` calls run one at a time for the whole portal (room-template jobs take turns),
    with ``serial_pause`` seconds of waiting between them in all (the pauses between status polls).

    Clients overlap: while one waits for an answer, others use the write slots. So a batch that
    fills the slots takes its writes over the slots (or our own work, or the template jobs' turns)
    plus two calls: the shared room look-up before the first write and the check after the last.
    A batch too small to fill them takes one client's chain of calls after that look-up. (Adding a
    whole chain to every batch, as this model did, overstated 10 clients at 50 ms by half.)"""
    calls = writes + reads
    latency = max(model.latency, 0.0)
    if clients <= 0 or calls <= 0:
        return 0.0
    chain = calls / clients * latency  # one client's calls, one after another
    by_writes, by_cpu = _by_writes_and_cpu(model, writes, reads)
    work = max(max(by_writes, by_cpu, serial * latency + serial_pause) + 2 * latency, chain + latency)
    if not per_window:
        return work
    free = max(0, per_window - model.in_window)
    if calls <= free:
        return work
    windows = math.ceil((calls - free) / per_window)
    last = calls - free - (windows - 1) * per_window
    return max(work, windows * model.window + work * last / calls)


def _by_writes_and_cpu(model: PortalModel, writes: int, reads: int) -> tuple[float, float]:
    """Seconds the writes take over the write slots, and seconds of our own work for every call."""
    by_writes = writes * max(model.latency, 0.0) / max(1, model.writes_in_flight)
    return by_writes, (writes + reads) * model.cpu_per_request


def estimate(
    model: PortalModel,
    *,
    clients: int,
    writes: int,
    reads: int,
    serial: int = 0,
    serial_pause: float = 0.0,
) -> Estimate:
    """The batch's expected duration under what is known of the portal."""
    cost = {"clients": clients, "writes": writes, "reads": reads, "serial": serial}
    seconds = batch_seconds(model, per_window=model.per_window, serial_pause=serial_pause, **cost)
    if_limited = None
    if model.pace == LEARNING:
        default = math.floor(DOCSPACE_RPM * SAFETY)
        limited = batch_seconds(model, per_window=default, serial_pause=serial_pause, **cost)
        if_limited = limited if limited > seconds * 1.05 else None
    measured = (
        f"{model.latency * 1000:.0f} ms per call (measured on {model.samples} calls)"
        if model.samples
        else "no call measured yet"
    )
    if model.per_window:
        how = (
            "DocSpace's default, assumed: the portal's limiter answered without its numbers"
            if model.pace == ASSUMED
            else model.pace
        )
        rate = f"{model.per_window:,} requests per {model.window:g} s window ({how})"
    elif model.pace == "off":
        rate = "rate pacing switched off"
    elif model.pace == LEARNING:
        rate = "no rate limit seen on this portal yet"
    else:
        rate = "the portal showed no rate limit"
    basis = f"{measured}, {model.writes_in_flight} writes at once, {rate}"
    by_writes, by_cpu = _by_writes_and_cpu(model, writes, reads)
    if by_cpu > by_writes:
        # At low latency our own work is the bound: say so, or the time looks unexplained.
        basis += f"; our own work, {model.cpu_per_request * 1000:.2f} ms per call on this machine"
    return Estimate(seconds, if_limited, basis)


def describe(est: Estimate) -> str:
    """One sentence for the plan: "about 12 s (…basis…); up to 1.2 min if the portal limits…"."""
    text = f"about {duration(est.seconds)} ({est.basis})"
    if est.if_limited is not None:
        text += (
            f"; up to {duration(est.if_limited)} if the portal runs DocSpace's rate limiter "
            f"({DOCSPACE_RPM:,} requests per minute)"
        )
    return text


def duration(seconds: float) -> str:
    """``0.8 s``, ``42 s``, ``3.5 min``, ``2.1 h``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class _Costed(Protocol):
    @property
    def writes(self) -> int: ...
    @property
    def reads(self) -> int: ...


class LiveCosts:
    """Writes and reads per client of each run going on in this process: the live ETA's half of
    the model (the throttle's :class:`PortalModel`, as the run has learned it, is the other)."""

    def __init__(self) -> None:
        self._costs: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def start(self, run_id: str, clients: Sequence[_Costed]) -> None:
        if clients:
            writes = sum(c.writes for c in clients) / len(clients)
            reads = sum(c.reads for c in clients) / len(clients)
            with self._lock:
                self._costs[run_id] = (writes, reads)

    def end(self, run_id: str) -> None:
        with self._lock:
            self._costs.pop(run_id, None)

    def eta(self, model: PortalModel, run_id: str, clients_left: float) -> float | None:
        """Seconds until the run ends, or None when it is not running in this process.

        ``clients_left`` may be fractional: clients under way count by the share of steps left.
        """
        with self._lock:
            cost = self._costs.get(run_id)
        if cost is None:
            return None
        left = max(0.0, clients_left)
        writes, reads = round(cost[0] * left), round(cost[1] * left)
        return estimate(model, clients=math.ceil(left), writes=writes, reads=reads).seconds


live_costs = LiveCosts()
