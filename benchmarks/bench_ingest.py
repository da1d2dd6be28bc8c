"""Benchmark: parse + validate a 10,000-row XLSX and a 100,000-row CSV.

Run: ``.venv/bin/python benchmarks/bench_ingest.py``. Not a test: timings depend on the machine.
Files are generated in a temporary directory. Each measurement runs in a fresh subprocess so
peak RSS (``ru_maxrss``) belongs to that file alone; time is the best of 3 runs of
``load_clients`` (e-mail cache cleared before each), and a separate traced run reports the
tracemalloc peak (Python allocations only; calamine's Rust buffers are in RSS).
Target: the 10,000-row XLSX under 2 s.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

TARGET_XLSX_SECONDS = 2.0
HEADER = [
    "Client ID",
    "Company",
    "E-mail address",
    "Account manager",
    "Industry",
    "Country",
    "Phone",
    "Since",
]
INDUSTRIES = ["Manufacturing", "Logistics", "Software", "Healthcare", "Energy", "Retail", "Finance"]
MANAGERS = ["anna.manager@sandbox.example", "ben.manager@sandbox.example", ""]


def _rows(n: int) -> list[list[str]]:
    rng = random.Random(42)
    return [
        [
            f"{i:07d}",
            f"Company {i} {rng.choice(['Ltd', 'GmbH', 'Inc', 'SARL'])}",
            f"client{i}@example.com",
            rng.choice(MANAGERS),
            rng.choice(INDUSTRIES),
            rng.choice(["DE", "FR", "US", "UK", "SE"]),
            f"+49 30 {rng.randrange(10**6):06d}",
            f"20{rng.randrange(10, 26)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
        ]
        for i in range(n)
    ]


def make_xlsx(path: Path, n: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Clients")
    ws.append(["Client list export"])
    ws.append([])
    ws.append(HEADER)
    for row in _rows(n):
        ws.append(row)
    wb.save(path)


def make_csv(path: Path, n: int) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(_rows(n))


def measure(path: Path) -> dict[str, object]:
    """Run in a child process: time read + validate, then trace memory once."""
    from onboarding.ingest import IngestLimits, IngestSettings, read_table, validate
    from onboarding.ingest.rows import clear_email_cache

    settings = IngestSettings(limits=IngestLimits(max_rows=200_000, max_file_bytes=100 * 1024 * 1024))
    data = path.read_bytes()
    best_total = best_read = best_validate = float("inf")
    clients = issues = 0
    for _ in range(3):
        clear_email_cache()
        t0 = time.perf_counter()
        raw = read_table(data, path.name, limits=settings.limits)
        t1 = time.perf_counter()
        batch = validate(raw, None, settings)
        t2 = time.perf_counter()
        best_read, best_validate = min(best_read, t1 - t0), min(best_validate, t2 - t1)
        best_total = min(best_total, t2 - t0)
        clients, issues = len(batch.clients), len(batch.issues)
        del raw, batch
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    clear_email_cache()
    tracemalloc.start()
    validate(read_table(data, path.name, limits=settings.limits), None, settings)
    traced_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return {
        "file": path.name,
        "bytes": len(data),
        "clients": clients,
        "issues": issues,
        "read_s": round(best_read, 3),
        "validate_s": round(best_validate, 3),
        "total_s": round(best_total, 3),
        "peak_rss_mb": round(rss_mb, 1),
        "tracemalloc_peak_mb": round(traced_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--xlsx-rows", type=int, default=10_000)
    parser.add_argument("--csv-rows", type=int, default=100_000)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        xlsx, csv_path = (
            Path(tmp) / f"clients_{args.xlsx_rows}.xlsx",
            Path(tmp) / f"clients_{args.csv_rows}.csv",
        )
        make_xlsx(xlsx, args.xlsx_rows)
        make_csv(csv_path, args.csv_rows)
        for path in (xlsx, csv_path):
            out = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)], check=True, capture_output=True, text=True
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))

    cols = [
        "file",
        "bytes",
        "clients",
        "read_s",
        "validate_s",
        "total_s",
        "peak_rss_mb",
        "tracemalloc_peak_mb",
    ]
    print(" | ".join(f"{c:>20}" for c in cols))
    for r in results:
        print(" | ".join(f"{r[c]!s:>20}" for c in cols))
    xlsx_total = float(results[0]["total_s"])
    print(
        f"XLSX {args.xlsx_rows:,} rows: {xlsx_total:.3f} s = {xlsx_total / TARGET_XLSX_SECONDS:.2f} x the "
        f"{TARGET_XLSX_SECONDS:.0f} s target ({'met' if xlsx_total < TARGET_XLSX_SECONDS else 'MISSED'})"
    )
    print(json.dumps({"bench": "ingest", "target_xlsx_s": TARGET_XLSX_SECONDS, "results": results}))


if __name__ == "__main__":
    main()
