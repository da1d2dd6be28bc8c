"""How long the Clients and Results pages take to render with thousands of clients in the journal.

Run on demand::

    .venv/bin/python benchmarks/bench_clients_page.py [--rows 2000] [--runs 5] [--browser]

It fills a fresh journal with ``--rows`` onboarded clients of the built-in sandbox portal (as
``bench_dashboard.py --results-rows`` does), then renders each page with Streamlit's AppTest:
one first visit, then ``--runs`` re-runs (what every click, filter change or live-progress tick
costs), and prints the median against the 1 s target of issue 16 item 6, plus the same pages with
150 clients as a baseline measured in the same run (the ratio says how the cost grows with N).
With ``--browser`` it also starts the dashboard and times a click in Chromium's sidebar until the
page's table is drawn (needs /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_dashboard import go, seed_journal, seeded_page, wait_idle  # noqa: E402

TARGET_S = 1.0
PAGES = {"Clients": "pages/clients.py", "Results": "pages/results.py"}


def render_times(rows: int, runs: int) -> dict[str, dict[str, float]]:
    """Seconds per AppTest run of each page with ``rows`` clients: the first visit and the median re-run."""
    from streamlit.testing.v1 import AppTest

    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        seed_journal(Path(tmp), rows)
        for name in [k for k in os.environ if k.startswith("DOCSPACE_")]:
            del os.environ[name]
        os.environ["DOCSPACE_DATA_DIR"] = tmp
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
        at.run()  # Home: starts the sandbox portal and the service once
        for title, path in PAGES.items():
            started = time.perf_counter()
            at.switch_page(path).run()
            first = time.perf_counter() - started
            if at.exception:
                raise RuntimeError(f"{title} failed: {at.exception[0].value}")
            if len(at.dataframe[0].value) != rows:  # the page really drew every client
                raise RuntimeError(f"{title} drew {len(at.dataframe[0].value)} rows, not {rows}")
            again = []
            for _ in range(runs):
                started = time.perf_counter()
                at.run()
                again.append(time.perf_counter() - started)
            out[title] = {"first_s": round(first, 3), "rerun_median_s": round(statistics.median(again), 3)}
    return out


def browser_times(rows: int) -> dict[str, list[float]]:
    """Seconds from a sidebar click to the page's table in Chromium, and to the whole page drawn
    (the script finished: Results still draws its charts after the table), three visits each."""
    out: dict[str, list[float]] = {"Home (baseline: a light page)": []}
    with seeded_page(rows, width=1400) as page:
        for title in PAGES:
            times, whole = [], []
            for _ in range(3):
                started = time.perf_counter()
                go(page, title, title)
                # the grid of every client (glide counts the header row too), not a stale one
                grid = page.locator(f'[data-testid="stDataFrame"] [aria-rowcount="{rows + 1}"]')
                grid.first.wait_for(state="attached", timeout=60_000)
                times.append(round(time.perf_counter() - started, 2))
                wait_idle(page)
                whole.append(round(time.perf_counter() - started, 2))
                started = time.perf_counter()
                go(page, "Home", "DocSpace Onboarding")
                wait_idle(page)
                out["Home (baseline: a light page)"].append(round(time.perf_counter() - started, 2))
            out[title] = times
            out[f"{title} (whole page)"] = whole
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--baseline-rows", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also time sidebar clicks in Chromium")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "rows": args.rows,
        "apptest": render_times(args.rows, args.runs),
        "baseline_rows": args.baseline_rows,
        "baseline": render_times(args.baseline_rows, args.runs),
    }
    if args.browser:
        result["browser_click_to_table_s"] = browser_times(args.rows)
    for title in PAGES:
        big, small = result["apptest"][title], result["baseline"][title]
        verdict = "meets" if big["rerun_median_s"] < TARGET_S else "MISSES"
        print(
            f"{title}: {args.rows:,} clients re-render in {big['rerun_median_s']:.2f} s (first visit "
            f"{big['first_s']:.2f} s) — {verdict} the {TARGET_S:.0f} s target; "
            f"{args.baseline_rows} clients {small['rerun_median_s']:.2f} s "
            f"(×{big['rerun_median_s'] / max(small['rerun_median_s'], 1e-9):.1f} for "
            f"×{args.rows / args.baseline_rows:.1f} clients)"
        )
    print(json.dumps({"benchmark": "clients page", "results": result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
