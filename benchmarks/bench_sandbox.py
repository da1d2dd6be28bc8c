"""Sandbox scale benchmark: the sandbox portal's own cost per client as the portal fills up.

Run on demand (not part of the test suite)::

    .venv/bin/python benchmarks/bench_sandbox.py [--clients 200 2000] [--sample 100]

For each portal size N it onboards N clients with the calls the engine makes per client (tag
look-up, room, three folders, a template copy, an e-mail invitation, an invitation link, and the
verification reads) straight over HTTP, and reports the process CPU time per client over the
last ``--sample`` clients (CPU time, not wall time, so a busy shared machine does not skew it).
A flat figure across N means no per-request cost grows with the portal (issue #16 item 6).
"""

from __future__ import annotations

import argparse
import json
import time

import requests

from docspace_sandbox.server import Sandbox, start


def _client(session: requests.Session, base: str, i: int) -> None:
    tag = f"crm:C-{i:05d}"
    session.get(base + "files/rooms", params={"tags": json.dumps([tag]), "searchArea": "2"})
    room = session.post(base + "files/rooms", json={"title": f"Client {i}", "roomType": 2, "tags": [tag]})
    room_id = room.json()["response"]["id"]
    for title in ("Contracts", "Invoices", "Reports"):
        session.post(base + f"files/folder/{room_id}", json={"title": title})
    session.post(base + "files/file/101/copyas", json={"destFolderId": room_id, "destTitle": "Welcome.pdf"})
    invite = {"invitations": [{"email": f"client{i}@example.com", "access": 2}]}
    session.put(base + f"files/rooms/{room_id}/share", json=invite)
    session.put(base + f"files/rooms/{room_id}/links", json={"linkType": 0, "access": 2, "title": "Join"})
    session.get(base + f"files/{room_id}")
    session.get(base + f"files/rooms/{room_id}/share")


def measure(clients: int, sample: int) -> float:
    """CPU milliseconds per client over the last ``sample`` of ``clients`` onboarded."""
    sandbox: Sandbox = start(port=0)
    try:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {sandbox.api_key}"
        base = f"{sandbox.url}/api/2.0/"
        for i in range(clients - sample):
            _client(session, base, i)
        began = time.process_time()
        for i in range(clients - sample, clients):
            _client(session, base, i)
        return (time.process_time() - began) / sample * 1000
    finally:
        sandbox.stop()


def main() -> None:
    """Print one line per portal size and the ratio between the largest and the smallest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--sample", type=int, default=100)
    args = parser.parse_args()
    figures = {n: measure(n, min(args.sample, n)) for n in args.clients}
    for n, ms in figures.items():
        print(f"{n:>6} clients: {ms:6.1f} ms CPU per client (last {min(args.sample, n)})")
    sizes = sorted(figures)
    print(f"ratio {sizes[-1]} / {sizes[0]}: {figures[sizes[-1]] / figures[sizes[0]]:.2f}")


if __name__ == "__main__":
    main()
