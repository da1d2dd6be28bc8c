"""Time on a run's progress: elapsed, time left, and why it waits — so a rate-limit wait never looks like a hang.

The portal's rate limit can hold every call for tens of seconds; without a word the bar simply
stops. This module words the run's timing for the progress line: how long it has run, how long it
should still take (the engine's ETA, or the rate measured from the journal for a run elsewhere),
and while calls wait for the rate window, why and until when.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onboarding import RunProgress
from ui import display

WAIT_MESSAGE = "Waiting for the portal's rate limit, resuming in {seconds:.0f} s"
WAIT_SET_MESSAGE = "Waiting for the request rate set in Settings, resuming in {seconds:.0f} s"


def time_left(p: RunProgress, now: float, live_eta: float | None) -> float | None:
    """Seconds left: the engine's own ETA when the run goes on in this process (the portal's model
    for the calls left, weighed against the pace of the calls sent: ``Onboarding.eta``), otherwise
    the rate measured from the journal's steps (a run of another process or machine).

    Steps, not finished clients: clients run side by side and finish in bursts, so "elapsed ÷
    finished × left" first stays blank, then says hours, then jumps to the end.
    """
    if live_eta is not None:
        return live_eta
    done = p.work_done
    elapsed = now - p.started_at if p.started_at else 0.0
    if done <= 0 or elapsed <= 0 or not p.total:
        return None
    return elapsed * (p.total - done) / done


def live_line(p: RunProgress, now: float, live_eta: float | None) -> str:
    """ "12 s elapsed · about 30 s left" for a run under way."""
    parts = []
    if p.started_at:
        parts.append(f"{display.duration(max(0.0, now - p.started_at))} elapsed")
    left = time_left(p, now, live_eta)
    if left is not None and p.finished < p.total:
        parts.append("under a second left" if left < 1 else f"about {display.duration(left)} left")
    return " · ".join(parts)


def wait_message(p: RunProgress, now: float) -> str:
    """The wait for the rate window in words while calls wait; empty otherwise."""
    seconds = p.waiting(now)
    if seconds is None:
        return ""
    said = WAIT_SET_MESSAGE if "request rate set" in p.wait_reason else WAIT_MESSAGE
    return said.format(seconds=max(1.0, seconds))


def waited_line(summary: Mapping[str, Any] | None, p: RunProgress) -> str:
    """How long a finished run waited for the portal's rate limit, from its recorded throttle counts."""
    throttle = (summary or {}).get("throttle") or {}
    waited = float(throttle.get("waited_s") or 0.0) or p.waited_s
    if waited < 0.5:
        return ""
    # Every 429 the run met: the window's own, and the concurrency limiter's that showed the window
    # was there (the run then paced at DocSpace's default instead of meeting the window's).
    met = int(throttle.get("rate_429s") or 0) + int(throttle.get("concurrency_429s") or 0)
    said = f"{display.duration(waited)} spent waiting for the portal's rate limit"
    return said + (f" ({met} × 429)" if met else "")
