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
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from onboarding.workflow.machine_speed import REFERENCE_CPU_PER_REQUEST
from onboarding.workflow.pacing import ASSUMED, DOCSPACE_RPM, LEARNING, PROBE_ZONE, SAFETY


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
    window_frees: tuple[float, ...] | None = None
    """While paced: seconds until each request now in the window leaves it, soonest first."""
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


def send_seconds(calls: int, per_window: int, window: float, frees: Sequence[float]) -> float:
    """Seconds from now until the last of ``calls`` more requests may go out under a sliding
    window of ``per_window`` requests, the window now holding requests that leave it after
    ``frees`` seconds (soonest first).

    The k-th new request goes once all but ``per_window - 1`` of the requests before it have left
    the window: at first as the ones already there leave, then a window after the new request
    ``per_window`` places earlier (so ``t[k] = t[k mod P] + (k // P) · window``).
    """
    if calls <= 0 or per_window <= 0:
        return 0.0
    k = calls - 1
    first = k % per_window
    there = first + len(frees) - per_window  # which request already in the window must leave first
    start = frees[there] if there >= 0 else 0.0
    return max(0.0, start) + (k // per_window) * window


def probe_seconds(model: PortalModel, calls: int) -> float:
    """Seconds the next ``calls`` spend learning whether the portal has a limiter at all.

    While that is not known, the requests just before DocSpace's default limit go out one at a
    time, each after the calls in flight have answered (``RatePacer``'s probe zone), and the one
    past the limit proves there is none. Measured: 200 clients at 100 ms sent ~5 requests per
    0.5 s for 2 s there, and ran 13.8 s against an estimate of 11.0 s without this term.
    """
    if model.pace != LEARNING:
        return 0.0
    first, past = DOCSPACE_RPM - PROBE_ZONE, DOCSPACE_RPM + 2  # one more to drain the calls in flight
    if model.in_window + calls < first:
        return 0.0
    return max(0, past - max(first, model.in_window)) * max(model.latency, 0.0)


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
    seconds += probe_seconds(model, writes + reads)
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


class _Counted(Protocol):
    """A run's call counters (:class:`~onboarding.workflow.calls.CallStats`), counted as sent."""

    writes: int
    reads: int


@dataclass(frozen=True)
class _LiveRun:
    clients: int
    writes: int
    reads: int
    stats: _Counted
    serial: int
    serial_pause: float
    writes_before: int
    reads_before: int
    """What the counters held when the run began (the plan's look-ups)."""
    started: float


class LiveCosts:
    """The runs going on in this process, with what they have to send and what they have sent:
    the live ETA's half of the model (the throttle's :class:`PortalModel`, as the run has learned
    it, is the other).

    Why calls and not the journal's steps: 15 writes go at once, so clients move in waves and a
    step is journalled only when all its calls are answered (a client's folders are 3 calls).
    Counted in steps, a 10.6 s run at 300 ms stood at 5 % of its work after 3 s, when 25 % of its
    calls were answered, and the line said 1.3–2.9× the time really left. The counters grow with
    every call sent.
    """

    def __init__(self) -> None:
        self._runs: dict[str, _LiveRun] = {}
        self._lock = threading.Lock()

    def start(
        self,
        run_id: str,
        clients: Sequence[_Costed],
        stats: _Counted,
        *,
        serial: int = 0,
        serial_pause: float = 0.0,
        now: float | None = None,
    ) -> None:
        """Follow a run that has ``clients`` to onboard (``serial`` and ``serial_pause`` as in
        :func:`batch_seconds`), counting its calls on ``stats`` from now on."""
        if clients:
            run = _LiveRun(
                clients=len(clients),
                writes=sum(c.writes for c in clients),
                reads=sum(c.reads for c in clients),
                stats=stats,
                serial=serial,
                serial_pause=serial_pause,
                writes_before=stats.writes,
                reads_before=stats.reads,
                started=time.monotonic() if now is None else now,
            )
            with self._lock:
                self._runs[run_id] = run

    def end(self, run_id: str) -> None:
        with self._lock:
            self._runs.pop(run_id, None)

    def eta(self, model: PortalModel, run_id: str, *, now: float | None = None) -> float | None:
        """Seconds until the run ends, or None when it is not running in this process.

        The model's time for the calls left, weighed against the pace measured so far by the share
        of calls sent: at the start the model speaks, near the end the run's own rate. Writes
        measure the share when there are any (they hold the slots; reads are few and quick).
        While the run is paced by a known rate window, the window alone says when the calls left
        may go.
        """
        with self._lock:
            run = self._runs.get(run_id)
        if run is None:
            return None
        if run.writes:
            share = (run.stats.writes - run.writes_before) / run.writes
        elif run.reads:
            share = (run.stats.reads - run.reads_before) / run.reads
        else:
            share = 1.0
        share = min(1.0, max(0.0, share))
        left = 1.0 - share
        calls_left = {"writes": round(run.writes * left), "reads": round(run.reads * left)}
        paced = model.per_window is not None and model.window_frees is not None
        # Calls count as sent, not answered: once the last write is sent, it and the check after
        # it still take about two calls' time (0.6 s at 300 ms, where the line said 0.0).
        tail = 2 * max(model.latency, 0.0)
        model_left = batch_seconds(
            model,
            clients=math.ceil(run.clients * left),
            per_window=None if paced else model.per_window,
            serial=round(run.serial * left),
            serial_pause=run.serial_pause * left,
            **calls_left,
        )
        if paced:
            # The window sets the pace: a burst, then a wait for requests to leave it. The pace
            # measured so far says nothing of what is left (it grew the ETA all through a wait:
            # "56 s left" with 6 s to go), while the window's own record says when each call may go.
            assert model.per_window is not None and model.window_frees is not None
            sendable = send_seconds(
                sum(calls_left.values()), model.per_window, model.window, model.window_frees
            )
            return max(model_left, sendable + tail)
        # The probe for a limiter is a stall still ahead that the pace so far does not show.
        probe = probe_seconds(model, sum(calls_left.values()))
        elapsed = (time.monotonic() if now is None else now) - run.started
        if share <= 0 or elapsed <= 0:
            return model_left + probe
        measured = elapsed * left / share
        return max(share * measured + left * model_left, tail) + probe


live_costs = LiveCosts()
