"""Batch onboarding benchmark: the engine against the seed's sequential algorithm and the portal's limits.

Run on demand (not part of the test suite)::

    .venv/bin/python benchmarks/bench_batch.py [--clients 200] [--latency-ms 50] [--window 6]

Every scenario runs against a fresh sandbox portal on loopback and prints one table row; a JSON
document with all figures follows the table. Figures per scenario: wall time, writes and reads
per client, 429s received, and efficiency = lower bound / wall time, where the lower bound is the
larger of (total requests / allowed rate) and (writes x latency / allowed concurrent writes).

The portal's real limits are 1,500 requests per 60-second sliding window and 15 concurrent writes.
With ``--window 6`` the window shrinks to 6 seconds while keeping 1,500 requests in it (so the
run takes seconds, not minutes); the engine's own limiter is scaled the same way. Say so when
quoting the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient, FileShare, Invitation, LinkRequest, LinkType, RoomType
from onboarding.journal import SqliteJournal
from onboarding.workflow.engine import Engine
from onboarding.workflow.throttle import Limits

PORTAL_WRITES = 15
PORTAL_RPM = 1500


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    email: str
    manager_email: str | None
    extra: dict[str, str]


def clients(n: int, prefix: str = "B") -> list[Client]:
    return [
        Client(f"{prefix}-{i:05d}", f"Bench Client {i:05d}", f"c{i:05d}@bench{i:05d}.example",
               "anna.manager@sandbox.example", {})
        for i in range(n)
    ]  # fmt: skip


class Portal:
    """The sandbox portal in its own process, like a real portal: it does not share our GIL."""

    def __init__(self, latency_ms: int, limits: str = "off") -> None:
        cmd = [sys.executable, "-m", "docspace_sandbox", "--port", "0", "--latency-ms", str(latency_ms),
               "--limits", limits]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        found = re.search(r"(http://\S+).*?(sk-[A-Za-z0-9_\-]+)", line)
        if not found:
            self.proc.kill()
            raise RuntimeError(f"sandbox did not start: {line!r}")
        self.url, self.api_key = found.group(1), found.group(2)

    def request_log(self) -> list[dict[str, Any]]:
        data = requests.get(f"{self.url}/__sandbox__/requests", timeout=30).json()
        return data["requests"] if isinstance(data, dict) else data

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def counts(sb: Portal) -> tuple[int, int, int]:
    log = sb.request_log()
    writes = sum(1 for r in log if r["method"] != "GET")
    reads = sum(1 for r in log if r["method"] == "GET")
    throttled = sum(1 for r in log if r["status"] == 429)
    return writes, reads, throttled


def baseline(sb: Portal, batch: list[Client]) -> None:
    """The seed's algorithm with its API mistakes corrected: sequential, no look-ups, no retries."""
    api = DocSpaceClient(sb.url, sb.api_key)
    my = {f.title: f.id for f in api.my_documents().files}
    manager = api.user_by_email("anna.manager@sandbox.example")
    for c in batch:
        room = api.create_room(f"Client - {c.name}", RoomType.COLLABORATION)
        api.create_folder(room.id, "Invoices")
        api.create_folder(room.id, "Contracts")
        deliverables = api.create_folder(room.id, "Deliverables")
        for title in ("Welcome to your client room.pdf", "How to use the client portal.pdf"):
            api.copy_file_as(my[title], deliverables.id, title)
        api.share_room(
            room.id,
            [
                Invitation(FileShare.ROOM_MANAGER, user_id=manager.id),
                Invitation(FileShare.READ, email=c.email),
            ],
        )
        api.set_room_link(room.id, LinkRequest(LinkType.INVITATION, FileShare.READ))
    api.close()


def engine_for(sb: Portal, journal: Path, limits: Limits) -> Engine:
    pool = limits.writes_in_flight + limits.reads_in_flight + 4
    api = DocSpaceClient(sb.url, sb.api_key, pool_size=pool)
    return Engine(api, SqliteJournal(journal), Blueprint(), portal_key="bench", actor="bench", limits=limits)


def lower_bound(requests: int, writes: int, latency: float, rate_per_s: float | None) -> float:
    by_rate = requests / rate_per_s if rate_per_s else 0.0
    by_writes = writes * latency / PORTAL_WRITES
    return max(by_rate, by_writes)


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    n, latency = args.clients, args.latency_ms / 1000
    window = args.window
    rows: list[dict[str, Any]] = []

    def record(name: str, sb: Portal, wall: float, rate: float | None, per: int = n) -> None:
        writes, reads, throttled = counts(sb)
        bound = lower_bound(writes + reads, writes, latency, rate)
        rows.append(
            {
                "scenario": name, "clients": per, "wall_s": round(wall, 2),
                "writes_per_client": round(writes / per, 2), "reads_per_client": round(reads / per, 3),
                "429s": throttled, "lower_bound_s": round(bound, 2),
                "efficiency": round(bound / wall, 3) if wall else None,
            }
        )  # fmt: skip
        print(_fmt(rows[-1]), flush=True)

    print(_header(), flush=True)
    batch = clients(n)
    with tempfile.TemporaryDirectory() as tmp:
        sb = Portal(args.latency_ms)
        t = time.perf_counter()
        baseline(sb, batch)
        base_wall = time.perf_counter() - t
        record("baseline (seed, sequential)", sb, base_wall, None)
        sb.stop()

        sb = Portal(args.latency_ms)
        engine = engine_for(sb, Path(tmp) / "off.db", Limits(writes_in_flight=15, reads_in_flight=50,
                                                             requests_per_minute=100_000))  # fmt: skip
        t = time.perf_counter()
        res = engine.run(batch)
        wall = time.perf_counter() - t
        assert res.exit_code == 0, res.errors
        record("engine, limits off", sb, wall, None)
        rows[-1]["speedup_vs_baseline"] = round(base_wall / wall, 1)
        log_before = len(sb.request_log())
        t = time.perf_counter()
        again = engine.run(batch)
        rerun_wall = time.perf_counter() - t
        assert again.exit_code == 0
        rerun_requests = len(sb.request_log()) - log_before
        rows.append({"scenario": "re-run of finished batch", "clients": n, "wall_s": round(rerun_wall, 2),
                     "requests": rerun_requests, "target_s": 5.0})  # fmt: skip
        print(_fmt(rows[-1]), flush=True)
        sb.stop()

        spec = f"rpm={PORTAL_RPM},writes={PORTAL_WRITES},reads=50,daily=100000,window={window}"
        sb = Portal(args.latency_ms, spec)
        ours = Limits(writes_in_flight=12, reads_in_flight=40, requests_per_minute=int(PORTAL_RPM * 0.97),
                      window_seconds=window)  # fmt: skip
        engine = engine_for(sb, Path(tmp) / "on.db", ours)
        t = time.perf_counter()
        res = engine.run(batch)
        wall = time.perf_counter() - t
        assert res.exit_code == 0, res.errors
        record(f"engine, limits on (window {window:g}s)", sb, wall, PORTAL_RPM / window)
        sb.stop()

        sb = Portal(args.latency_ms)
        engine = engine_for(sb, Path(tmp) / "half.db", Limits(writes_in_flight=15, reads_in_flight=50,
                                                              requests_per_minute=100_000))  # fmt: skip
        engine.run(batch[: n // 2])
        before = counts(sb)
        t = time.perf_counter()
        res = engine.run(batch)
        wall = time.perf_counter() - t
        after = counts(sb)
        rows.append({"scenario": "resume after half", "clients": n, "wall_s": round(wall, 2),
                     "writes": after[0] - before[0], "reads": after[1] - before[1]})  # fmt: skip
        print(_fmt(rows[-1]), flush=True)
        sb.stop()
    return rows


def _header() -> str:
    return f"{'scenario':38} {'wall s':>8} {'w/client':>9} {'r/client':>9} {'429s':>5} {'bound s':>8} {'eff.':>6}"


def _fmt(r: dict[str, Any]) -> str:
    def g(k: str) -> str:
        v = r.get(k)
        return "" if v is None else str(v)

    extra = {k: v for k, v in r.items() if k not in {"scenario", "clients", "wall_s", "writes_per_client",
                                                     "reads_per_client", "429s", "lower_bound_s", "efficiency"}}  # fmt: skip
    return (
        f"{r['scenario']:38} {g('wall_s'):>8} {g('writes_per_client'):>9} {g('reads_per_client'):>9} "
        f"{g('429s'):>5} {g('lower_bound_s'):>8} {g('efficiency'):>6} {json.dumps(extra) if extra else ''}"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--latency-ms", type=int, default=50)
    p.add_argument("--window", type=float, default=6.0, help="the portal's rate window in seconds (real: 60)")
    args = p.parse_args()
    rows = run(args)
    print(json.dumps({"benchmark": "batch", "args": vars(args), "results": rows}, indent=None))
    eff = [r["efficiency"] for r in rows if r.get("efficiency") is not None]
    if eff:
        print(f"median efficiency {statistics.median(eff):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
