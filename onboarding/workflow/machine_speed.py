"""How fast this machine runs our own per-request work now, for the time estimate.

At low latency a batch is bound by our own CPU (HTTP, JSON, journal, the steps), not by the
portal. A constant for that work is right on one machine only: the same run took 0.74-0.94 s
on one day's machine and 0.44-0.47 s on the next day's (docs/performance.md), and the estimate
made from a constant was off by +82 % to +90 % on the faster one. So the constant is kept for
the machine it was measured on, and scaled by a short probe timed here: the probe does what a
request costs us in the interpreter (encode a body, build a request head, decode an answer's
envelope and pick fields out of it), so it slows and speeds up with the interpreter, the CPU's
clock and the Python build together.

What the probe cannot see is other processes taking turns on the cores during a long batch;
the estimate's words say the time is measured on this machine, not that it is promised.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

REFERENCE_CPU_PER_REQUEST = 0.00042
"""Seconds of our own work per request on the reference machine: the engine's run at 0 ms
latency, 150 clients, 1,359 requests in 0.555-0.624 s, median 0.58 s (2 cores, Python 3.11.7,
2026-12-01 at 22:00; ``benchmarks/bench_batch.py headline``). Measure it again when a fresh
client's path changes: it was 0.00031 (0.44-0.47 s) before resumes re-checked earlier steps and
answers got a whole-answer deadline, and the 0 ms estimate had drifted to -22 %."""

REFERENCE_PROBE_SECONDS = 0.00038
"""What :func:`_probe_once` took on that machine in the same session (the fastest of 5 runs:
0.00038 at 2026-12-01 10:40 and again at 22:00, so the machine itself had not changed)."""

REFRESH_SECONDS = 60.0
"""A long-lived process (the dashboard) probes again after this long: the machine may change."""

_ANSWER = json.dumps(
    {
        "count": 1,
        "response": {
            "id": 41235,
            "title": "Client - Bench Client H00042",
            "roomType": 2,
            "rootFolderType": 14,
            "parentId": 41230,
            "createdBy": {"id": "6f1b7c1e-9b7d-4c55-9f0a-5d2c7a9e0b11", "displayName": "Anna Manager"},
            "created": "2026-12-01T10:41:12.0000000+00:00",
            "tags": ["onboarding:H-00042"],
            "security": {name: True for name in ("Read", "Create", "EditRoom", "Rename", "Move")},
        },
        "status": 0,
        "statusCode": 200,
    }
).encode()


def _probe_once() -> float:
    """Seconds for 50 requests' worth of our interpreter work (no I/O)."""
    started, size = time.perf_counter(), 0
    for i in range(50):
        body = json.dumps({"title": f"Client - Bench Client H{i:05d}", "roomType": 2}).encode()
        head = (
            f"POST /api/2.0/files/rooms HTTP/1.1\r\nHost: portal.example\r\n"
            f"Content-Length: {len(body)}\r\nContent-Type: application/json\r\n\r\n"
        ).encode("latin-1")
        answer = json.loads(_ANSWER)["response"]
        fields = {key.lower(): value for key, value in answer.items() if not isinstance(value, dict)}
        size += len(head) + len(fields)
    return time.perf_counter() - started


class MachineSpeed:
    """Our per-request CPU seconds on this machine, probed at most once a minute."""

    def __init__(
        self, probe: Callable[[], float] = _probe_once, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._probe = probe
        self._clock = clock
        self._lock = threading.Lock()
        self._value: float | None = None
        self._at = 0.0

    def cpu_per_request(self) -> float:
        now = self._clock()
        with self._lock:
            if self._value is not None and now - self._at < REFRESH_SECONDS:
                return self._value
        # The fastest of five: a run interrupted by the scheduler says nothing about the machine.
        fastest = min(self._probe() for _ in range(5))
        value = REFERENCE_CPU_PER_REQUEST * fastest / REFERENCE_PROBE_SECONDS
        with self._lock:
            self._value, self._at = value, now
        return value


machine_speed = MachineSpeed()
