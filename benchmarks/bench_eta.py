"""The live "time left" against the time a run really had left.

Run on demand (never part of the test suite)::

    .venv/bin/python benchmarks/bench_eta.py                        # 60 clients at 300 ms
    .venv/bin/python benchmarks/bench_eta.py --clients 150 --latency-ms 1500
    .venv/bin/python benchmarks/bench_eta.py --clients 300 --latency-ms 50 --limits default

A sandbox portal runs in its own process with the given latency on every call; a batch is started
in the background through the door (``Onboarding.start``), as the dashboard does, and every half
second the progress is read from the journal and the time left computed as the pages compute it
(``Onboarding.eta`` for the model, ``ui.timing.time_left`` for the line). When the run has ended,
each sample is printed next to the time that was really left, with the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the pages' ``ui`` package sits beside ``onboarding``, not installed

from bench_batch import Portal, write_clients  # noqa: E402

from onboarding import Onboarding, Settings  # noqa: E402
from onboarding.ingest import load_clients  # noqa: E402
from ui import timing  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=60)
    p.add_argument("--latency-ms", type=int, default=300)
    p.add_argument("--limits", default="off", help="the sandbox's limiter: off (default) or default")
    args = p.parse_args()
    sb = Portal(args.latency_ms, args.limits)
    try:
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            sheet = write_clients(tmp / "c.csv", args.clients, "E")
            batch = load_clients(sheet.read_bytes(), sheet.name)
            settings = Settings(portal_url=sb.url, api_key=sb.api_key, journal_path=tmp / "j.sqlite3")
            with Onboarding(settings, actor="bench") as svc:
                plan = svc.plan(batch.clients)
                planned = svc.estimate(plan).seconds  # what the plan says, before the run learns more
                run_id = svc.start(plan).run_id
                samples: list[tuple[float, int, float, float | None, float | None]] = []
                while True:
                    time.sleep(0.5)
                    progress = svc.progress(run_id)
                    if not progress.running:
                        break
                    now = time.time()
                    model = svc.eta(progress)
                    samples.append(
                        (
                            now,
                            progress.finished,
                            progress.work_done,
                            model,
                            timing.time_left(progress, now, model),
                        )
                    )
                ended = time.time()
                print(f"plan estimate {planned:.1f} s; run {ended - progress.started_at:.1f} s")
                for now, finished, work, model, shown in samples[:: max(1, len(samples) // 20)]:
                    really = ended - now
                    ratio = f"{shown / really:.2f}" if shown is not None and really > 0 else "-"
                    print(
                        f"t={now - progress.started_at:6.1f} s  finished {finished:4d}  work {work:7.1f}  "
                        f"model {model if model is None else round(model, 1)}  shown "
                        f"{shown if shown is None else round(shown, 1)}  left {really:6.1f}  ratio {ratio}"
                    )
    finally:
        sb.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
