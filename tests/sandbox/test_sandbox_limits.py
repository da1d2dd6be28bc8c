"""Rate limits: concurrency without a queue, the per-minute sliding window and the daily cap."""

from __future__ import annotations

import threading

import requests
from support.sandbox_api import Api
from support.waiting import wait_until

from docspace_sandbox.server import Sandbox


def test_limits_are_off_by_default(sandbox: Sandbox) -> None:
    """Like a self-hosted portal, no limiter runs unless asked for."""
    api = Api(sandbox)
    assert all(api.get("people/@self").status_code == 200 for _ in range(30))


def test_concurrent_writes_over_15_are_rejected_at_once(sandbox: Sandbox) -> None:
    """With 20 writes in flight, 15 run and 5 get a bare 429 at once (no rate-limit headers)."""
    sandbox.set_limits("default")
    sandbox.pause()
    results: list[requests.Response] = []
    lock = threading.Lock()

    def create(i: int) -> None:
        response = Api(sandbox).post("files/rooms", json={"title": f"Room {i}", "roomType": 2})
        with lock:
            results.append(response)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    wait_until(lambda: sandbox.in_flight() == 15 and len(results) == 5)
    rejected = list(results)
    assert all(r.status_code == 429 and r.content == b"" for r in rejected)
    assert all("Retry-After" not in r.headers for r in rejected)
    assert all("X-RateLimit-Limit" not in r.headers for r in rejected)
    sandbox.resume()
    for t in threads:
        t.join(10)
    assert sorted(r.status_code for r in results).count(200) == 15


def test_rpm_window_gives_429_with_retry_after(sandbox: Sandbox) -> None:
    """Past ``rpm`` requests in the window → empty 429 with ``Retry-After`` in whole seconds."""
    sandbox.set_limits("rpm=3,window=30")
    api = Api(sandbox)
    assert [api.get("people/@self").status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get("people/@self")
    assert (limited.status_code, limited.content) == (429, b"")
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    assert limited.headers["X-RateLimit-Remaining"] == "0"


def test_daily_limit_counts_post_and_put_only(sandbox: Sandbox) -> None:
    """The daily window caps POST+PUT; GETs keep working after it is spent."""
    sandbox.set_limits("daily=2")
    api = Api(sandbox)
    room = api.room()
    assert api.put(f"files/rooms/{room['id']}/tags", json={"names": ["a"]}).status_code == 200
    third = api.post("files/rooms", json={"title": "Third", "roomType": 2})
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 3600
    assert api.get("people/@self").status_code == 200


def test_limits_can_be_set_over_http(sandbox: Sandbox) -> None:
    """``POST /__sandbox__/limits`` switches limits on and off."""
    on = requests.post(f"{sandbox.url}/__sandbox__/limits", json={"spec": "rpm=1"}, timeout=5).json()
    assert on["rpm"] == 1
    api = Api(sandbox)
    assert [api.get("people/@self").status_code for _ in range(2)] == [200, 429]
    requests.post(f"{sandbox.url}/__sandbox__/limits", json={"spec": "off"}, timeout=5)
    assert api.get("people/@self").status_code == 200
