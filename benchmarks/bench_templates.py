"""Room-template blueprint vs the step-by-step blueprint: writes per client, wall time, clients per day.

Run on demand (never part of the test suite)::

    .venv/bin/python benchmarks/bench_templates.py                  # 150 clients at 50 ms
    .venv/bin/python benchmarks/bench_templates.py --clients 50 --latency-ms 20

Both runs are ``docspace-onboard run clients.csv`` with default options (plus ``--portal``,
``--journal`` and, for the template run, ``--blueprint`` naming the template), each a whole process
against a fresh sandbox portal in its own process with the given latency on every call. The
template is made on that portal from a room holding exactly what the default blueprint makes
(Invoices, Contracts, Deliverables with the two welcome files), so both runs give every client the
same room. Writes and reads are counted from the sandbox's request log of the run alone. Clients
per day = the portal's 10,000 POST+PUT a day (DocSpace's default fixed window) / writes per client.

The sandbox's template job ends on its second status poll or 100 ms after it started, whichever
is first (a real portal's job takes as long as copying the template's files does).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from bench_batch import Portal, cli, write_clients

DAILY_WRITES = 10_000
"""``RateLimiterSettings``: the fixed window of POST+PUT per day (DocSpace-server 3.7.2)."""


def make_template(sb: Portal) -> int:
    """A template holding the default blueprint's folders and files, made over the API."""
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {sb.api_key}"
    api = f"{sb.url}/api/2.0"

    def ok(resp: requests.Response) -> Any:
        assert resp.status_code == 200, resp.text
        return resp.json().get("response")

    room = ok(s.post(f"{api}/files/rooms", json={"title": "Template source", "roomType": 2}))
    folders = {name: ok(s.post(f"{api}/files/folder/{room['id']}", json={"title": name}))
               for name in ("Invoices", "Contracts", "Deliverables")}  # fmt: skip
    for entry in ok(s.get(f"{api}/files/@my"))["files"]:
        if entry["title"] in ("Welcome to your client room.pdf", "How to use the client portal.pdf"):
            body = {"destFolderId": folders["Deliverables"]["id"], "destTitle": entry["title"]}
            ok(s.post(f"{api}/files/file/{entry['id']}/copyas", json=body))
    ok(s.post(f"{api}/files/roomtemplate", json={"roomId": room["id"], "title": "Client room"}))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = ok(s.get(f"{api}/files/roomtemplate/status"))
        if status and status["isCompleted"]:
            assert not status["error"], status
            return int(status["templateId"])
        time.sleep(0.05)
    raise RuntimeError("the template job did not finish")


def one(tmp: Path, name: str, n: int, latency_ms: int, *, template: bool) -> dict[str, Any]:
    sb = Portal(latency_ms)
    try:
        extra: list[str] = []
        if template:
            blueprint = tmp / f"{name}.toml"
            blueprint.write_text(f'room_template = "{make_template(sb)}"\n', encoding="utf-8")
            extra = ["--blueprint", str(blueprint)]
        sheet, journal = write_clients(tmp / f"{name}.csv", n, name.upper()[:1]), tmp / name / "j.sqlite3"
        journal.parent.mkdir()
        est = float(
            json.loads(cli(sb, "plan", sheet, journal, "--json", *extra).out)["summary"]["estimate_s"]
        )
        sb.clear_log()
        run = cli(sb, "run", sheet, journal, *extra)
        counts = sb.counts()
    finally:
        sb.stop()
    writes = counts["writes"] / n
    return {
        "blueprint": "room template" if template else "folders and files (default)",
        "clients": n, "latency_ms": latency_ms, "cli_s": round(run.wall, 2), "run_s": run.summary["elapsed"],
        "estimate_s": est, "estimate_error": round(est / run.summary["elapsed"] - 1, 2),
        "writes_per_client": round(writes, 3), "reads_per_client": round(counts["reads"] / n, 3),
        "clients_per_10k_writes_day": int(DAILY_WRITES // writes), "429s": counts["429s"],
    }  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=150)
    p.add_argument("--latency-ms", type=int, default=50)
    args = p.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for name, template in (("steps", False), ("template", True)):
            rows.append(one(tmp, name, args.clients, args.latency_ms, template=template))
            print(json.dumps(rows[-1]), flush=True)
    steps, tpl = rows
    ratios = {
        "writes_ratio": round(tpl["writes_per_client"] / steps["writes_per_client"], 3),
        "clients_per_day_ratio": round(
            tpl["clients_per_10k_writes_day"] / steps["clients_per_10k_writes_day"], 2
        ),
        "wall_ratio": round(tpl["cli_s"] / steps["cli_s"], 2),
    }
    print(f"load after: {os.getloadavg()[0]:.2f}")
    print(json.dumps({"benchmark": "templates", "results": rows, "template_vs_steps": ratios}))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
