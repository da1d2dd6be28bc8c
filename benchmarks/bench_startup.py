"""Start-up of the command line: what ``--help``, a ``plan`` and a ``run`` import, and their CPU.

Run on demand (never part of the test suite)::

    .venv/bin/python -m compileall -q onboarding   # PYTHONDONTWRITEBYTECODE: else compiling is timed
    .venv/bin/python benchmarks/bench_startup.py [--repeat 5]

Against the sandbox portal at 0 ms (its own process), on a CSV of 150 clients: the sum of
``-X importtime`` self times and the number of modules of ``--help`` and ``plan`` (one run each,
importtime adds its own overhead), and the CPU seconds (user + system, from ``wait4``) of ``--help``,
``plan`` and a fresh ``run`` of 150 new clients, median of ``--repeat``. CPU seconds, not wall
time, because the machine is shared; the load average is printed with the figures. To compare with
an older tree, run this script from a ``git archive`` of it (``python -m`` imports the tree it is
started in).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_batch import Portal, timed, write_clients

_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")


def importtime(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds of ``-X importtime`` self time, summed, and how many modules were imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], env=env, capture_output=True, text=True, check=False
    )
    found = [(int(m.group(1)), m.group(2)) for m in map(_LINE.match, done.stderr.splitlines()) if m]
    return sum(us for us, _ in found) / 1e6, len({name for _, name in found})


def cpu(args: list[str], env: dict[str, str]) -> float:
    result = timed([sys.executable, *args], env)
    assert result.code in (0, 1), f"{args[:3]} failed ({result.code}): {result.out[-500:]}"
    return result.cpu


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
    out: dict[str, float | int] = {}
    sb = Portal(0)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        env = {**os.environ, "DOCSPACE_API_KEY": sb.api_key, "DOCSPACE_DATA_DIR": str(tmp)}
        try:
            sheet = write_clients(tmp / "plan.csv", 150, "P")
            cli = ["-m", "onboarding.cli"]
            plan = [*cli, "plan", str(sheet), "--portal", sb.url, "--journal", str(tmp / "plan.sqlite3")]
            for name, command in (("help", [*cli, "--help"]), ("plan", plan)):
                out[f"{name}_importtime_s"], out[f"{name}_modules"] = importtime(command, env)
                out[f"{name}_cpu_s"] = statistics.median(cpu(command, env) for _ in range(args.repeat))
            runs = []
            for i in range(args.repeat):
                fresh = write_clients(tmp / f"run{i}.csv", 150, f"R{i}")
                journal = tmp / f"run{i}.sqlite3"
                runs.append(
                    cpu([*cli, "run", str(fresh), "--portal", sb.url, "--journal", str(journal)], env)
                )
            out["run150_cpu_s"] = statistics.median(runs)
        finally:
            sb.stop()
    out = {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}
    print(f"load after: {os.getloadavg()[0]:.2f}")
    print(json.dumps({"benchmark": "startup", **out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
