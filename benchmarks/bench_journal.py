"""Shared-journal benchmark: PostgreSQL against SQLite, and 1, 2 and 4 workers on one portal.

Run on demand (never part of the test suite)::

    .venv/bin/python benchmarks/bench_journal.py overhead   # ms per step write, PG vs SQLite
    .venv/bin/python benchmarks/bench_journal.py batch      # a whole CLI run on each journal
    .venv/bin/python benchmarks/bench_journal.py workers    # 1/2/4 workers under the portal's limits

PostgreSQL is started for the run (``initdb`` + ``pg_ctl`` on loopback, ``fsync`` and
``synchronous_commit`` on, as a real server would run) by the test suite's helper; the sandbox
portal runs in its own process (see ``bench_batch.py``).

* ``overhead``: what the journal costs a client: one claim, one fenced write per step (seven),
  one release, timed alone and with 15 threads at once (a run's concurrency). Target: at most
  2 ms per step write on PostgreSQL at loopback.
* ``batch``: ``docspace-onboard run`` of the same clients with each journal; the difference per
  client is the journal's share of a real run.
* ``workers``: four queued runs carried out by 1, 2 and 4 ``docspace-onboard worker`` processes
  on one portal whose limiter is on (15 writes in flight, a request budget). The workers share
  the portal's limits through the journal, so more workers must not mean more throughput than
  the portal allows, nor any 429 of our own making.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_batch import Portal, write_clients  # noqa: E402
from support import postgres  # noqa: E402

from onboarding.journal import Journal, SqliteJournal  # noqa: E402
from onboarding.journal.postgres import PostgresJournal  # noqa: E402

STEPS = ("room", "folders", "files", "access", "link", "verify", "record")


def one_client(j: Journal, cid: str, owner: str) -> None:
    """A client's journal traffic in a run: claim, one fenced write per step, release."""
    assert j.claim("bench", cid, owner)
    progress: dict[str, Any] = {}
    for step in STEPS:
        progress[step] = {"id": 1000, "done": True}
        j.upsert_client("bench", cid, fence=owner, progress=progress, step=step, status="running")
    j.release("bench", cid, owner)


def per_step_ms(make: Callable[[], Journal], clients: int, threads: int) -> float:
    """Milliseconds of wall time per step write with ``threads`` clients at once."""
    j = make()
    ids = [f"C-{i:05d}" for i in range(clients)]
    chunks = [ids[i::threads] for i in range(threads)]
    started = time.perf_counter()

    def work(part: list[str], n: int) -> None:
        for cid in part:
            one_client(j, cid, f"bench:{n}")

    workers = [threading.Thread(target=work, args=(part, n)) for n, part in enumerate(chunks)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    j.close()
    return elapsed * 1000 / (clients * len(STEPS))


def overhead(tmp: Path, server: postgres.PostgresServer, clients: int) -> None:
    print(f"journal overhead: {clients} clients x {len(STEPS)} fenced step writes (+ claim and release)")
    for threads in (1, 15):

        def on_sqlite() -> Journal:
            return SqliteJournal(tmp / f"j{time.monotonic_ns()}.sqlite3")

        def on_postgres(pool: int = threads + 2) -> Journal:
            return PostgresJournal(server.database(), pool_size=pool)

        sqlite = statistics.median(per_step_ms(on_sqlite, clients, threads) for _ in range(3))
        pg = statistics.median(per_step_ms(on_postgres, clients, threads) for _ in range(3))
        print(
            f"  {threads:>2} thread(s): SQLite {sqlite:.3f} ms/step, PostgreSQL {pg:.3f} ms/step,"
            f" ratio PG/SQLite {pg / sqlite:.2f}; per client {pg * len(STEPS):.1f} ms vs {sqlite * len(STEPS):.1f} ms"
        )


def cli(portal: Portal, tmp: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    full = {**os.environ, "DOCSPACE_API_KEY": portal.api_key, "DOCSPACE_DATA_DIR": str(tmp), **env}
    cmd = [sys.executable, "-m", "onboarding.cli", *args, "--portal", portal.url]
    return subprocess.Popen(cmd, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def batch(tmp: Path, server: postgres.PostgresServer, clients: int, latency_ms: int) -> None:
    print(f"batch: docspace-onboard run, {clients} clients, sandbox latency {latency_ms} ms")
    times = {}
    for name, journal in (("SQLite", str(tmp / "batch.sqlite3")), ("PostgreSQL", server.database())):
        portal = Portal(latency_ms)
        try:
            sheet = write_clients(tmp / f"{name}.csv", clients, "B")
            started = time.perf_counter()
            proc = cli(portal, tmp, "run", str(sheet), "--journal", journal)
            out = proc.communicate(timeout=900)[0]
            times[name] = time.perf_counter() - started
            assert proc.returncode == 0, out[-2000:]
        finally:
            portal.stop()
        print(f"  {name}: {times[name]:.2f} s")
    diff = (times["PostgreSQL"] - times["SQLite"]) * 1000 / clients
    print(
        f"  ratio PG/SQLite {times['PostgreSQL'] / times['SQLite']:.2f}; difference {diff:+.1f} ms per client"
    )


def workers(tmp: Path, server: postgres.PostgresServer, clients: int, latency_ms: int, rpm: int) -> None:
    from onboarding import Onboarding, Settings
    from onboarding.docspace import PortalAddress

    runs = 4
    print(
        f"workers: {runs} queued runs of {clients // runs} clients, portal limiter writes=15, {rpm} requests"
        f" per minute, latency {latency_ms} ms; every worker forces --rpm {rpm}"
    )
    base = None
    for count in (1, 2, 4):
        portal = Portal(latency_ms, limits=f"writes=15,rpm={rpm}")
        url = server.database()
        try:
            settings = Settings(
                portal_url=portal.url, api_key=portal.api_key, journal_url=url, journal_path=tmp / "x"
            )
            with Onboarding(settings, actor="bench") as door:
                for r in range(runs):
                    sheet = write_clients(tmp / f"w{count}-{r}.csv", clients // runs, f"W{r}")
                    from onboarding.ingest import load_clients

                    door.queue(load_clients(sheet.read_bytes(), sheet.name).clients)
            started = time.perf_counter()
            procs = [
                cli(
                    portal,
                    tmp,
                    "worker",
                    "--until-idle",
                    "--poll",
                    "0.2",
                    "--rpm",
                    str(rpm),
                    "--journal",
                    url,
                )
                for _ in range(count)
            ]
            outs = [p.communicate(timeout=1800)[0] for p in procs]
            elapsed = time.perf_counter() - started
            assert all(p.returncode == 0 for p in procs), outs[0][-2000:]
            counts = portal.counts()
        finally:
            portal.stop()
        done = _done(url, PortalAddress.parse(portal.url).base)
        per_min = (counts["writes"] + counts["reads"]) * 60 / elapsed
        base = base or elapsed
        print(
            f"  {count} worker(s): {elapsed:6.1f} s, {done} clients onboarded, {per_min:5.0f} requests/min"
            f" (budget {rpm}), 429s {counts['429s']} (the portal refuses a 16th write in flight with one),"
            f" time ratio to 1 worker {elapsed / base:.2f}"
        )


def _done(url: str, portal_key: str) -> int:
    j = PostgresJournal(url)
    try:
        return sum(1 for r in j.clients(portal_key) if r.status == "onboarded")
    finally:
        j.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["overhead", "batch", "workers", "all"])
    parser.add_argument("--clients", type=int, default=0)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--rpm", type=int, default=900)
    args = parser.parse_args()
    reason = postgres.missing()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    server = postgres.start(fsync=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if args.what in ("overhead", "all"):
                overhead(Path(tmp), server, args.clients or 300)
            if args.what in ("batch", "all"):
                batch(Path(tmp), server, args.clients or 150, args.latency_ms)
            if args.what in ("workers", "all"):
                workers(Path(tmp), server, args.clients or 80, args.latency_ms, args.rpm)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
