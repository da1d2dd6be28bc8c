"""A rate-limit wait in a real browser: the run says it waits for the portal, why and for how long.

The built-in sandbox gets a small sliding-window limit (``POST /__sandbox__/limits``) just before a
batch starts. The batch needs more requests than the limit allows in a minute, so the portal
answers one of them 429 (``X-RateLimit-Limit``); the engine learns the limit and paces the rest,
which makes calls wait for the window for tens of seconds. The page must then say so while the bar
stands still, and the finished run must say how long it waited. Own server: the limit and the
learned pace never reach other modules' runs.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _serve
from playwright.sync_api import Page, expect
from support.browser import (
    by_key,
    expect_metric,
    go_to,
    sandbox_control,
    sandbox_url,
    shot,
    upload,
    wait_for_app,
)
from support.waiting import wait_until

from onboarding.workflow.status import Outcome, Step

pytestmark = pytest.mark.e2e

CLIENTS = 3
LIMIT = 20
"""Requests per minute the sandbox allows: fewer than the batch needs, more than half of it (so
the run waits for the window once, about a minute, and then finishes)."""
WAIT_SEEN_TIMEOUT = 90_000
FINISH_TIMEOUT = 180_000
WAITING = re.compile(r"Waiting for the portal's rate limit, resuming in \d+ s")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dashboard's data folder (its journal is read to know when the run is held)."""
    return tmp_path_factory.mktemp("e2e-rate")


@pytest.fixture(scope="module")
def server(data: Path) -> Iterator[str]:
    """This module's own dashboard (zero-configuration sandbox, empty journal)."""
    yield from _serve(data)


def _wait_until_held(data: Path) -> None:
    """Wait until the run has journalled a wait for the portal's rate limit.

    One read-only connection, polled a few times a second: opening the dashboard's journal as a
    writer again and again (WAL switch, schema check) from the test competes with the server's
    own connections and once ended in "disk I/O error" on its side.
    """
    db = sqlite3.connect(f"file:{data / 'journal.sqlite3'}?mode=ro", uri=True, timeout=30)
    query = "SELECT 1 FROM events WHERE step = ? AND outcome = ? LIMIT 1"
    try:
        wait_until(lambda: bool(db.execute(query, (Step.THROTTLE, Outcome.WAITING)).fetchall()), 60, 0.25)
    finally:
        db.close()


def _csv(path: Path) -> Path:
    rows = "".join(
        f"RL-{i:03},Ratelimit Client {i} GmbH,office{i}@rl-client.example.com,anna.manager@sandbox.example\n"
        for i in range(1, CLIENTS + 1)
    )
    path.write_text("Client ID,Company,E-mail address,Account manager\n" + rows, encoding="utf-8")
    return path


def test_a_rate_limit_wait_says_why_and_for_how_long(
    page: Page, server: str, data: Path, tmp_path: Path
) -> None:
    """While paced calls wait for the window the page says so with the seconds left; the summary says how long it waited."""
    page.goto(server)
    wait_for_app(page)
    sandbox = sandbox_url(page)
    go_to(page, "Upload")
    upload(page, _csv(tmp_path / "rate.csv"))
    go_to(page, "Onboard")
    expect_metric(page, "To create", str(CLIENTS))
    sandbox_control(sandbox, "limits", {"spec": f"rpm={LIMIT}"})
    # Not awaited as an idle page: right after a start this tab plans again, and its reads wait
    # for the portal's Retry-After like the run's. Once the run has journalled its wait, another
    # tab shows it (its progress is drawn before its own plan waits for the portal).
    by_key(page, "onboard_start_batch").get_by_role("button").click()
    _wait_until_held(data)
    page = page.context.new_page()
    page.goto(f"{server}/onboard")

    notice = page.get_by_test_id("stAlert").filter(has_text=WAITING)
    expect(notice).to_be_visible(timeout=WAIT_SEEN_TIMEOUT)
    bar = page.get_by_test_id("stProgress").filter(
        has_text=re.compile(rf"\d of {CLIENTS} clients finished · .+ elapsed")
    )
    expect(bar).to_be_visible()
    shot(page, "30-rate-limit-wait-1400")
    page.set_viewport_size({"width": 1000, "height": 1300})
    expect(notice).to_be_visible()
    shot(page, "30-rate-limit-wait-1000")

    # Meanwhile Home's "Last runs" line is live: running now, and it turns finished with every
    # client counted without a reload (columns: Started, Status, Clients, Onboarded, …).
    home = page.context.new_page()
    home.set_viewport_size({"width": 1000, "height": 1300})
    home.goto(server)
    runs = home.get_by_test_id("stDataFrame").last
    expect(runs.get_by_test_id("glide-cell-1-0")).to_have_text(re.compile("running"), timeout=30_000)
    shot(home, "32-rate-limit-home-running-1000")
    expect(runs.get_by_test_id("glide-cell-1-0")).to_have_text(re.compile("finished"), timeout=FINISH_TIMEOUT)
    expect(runs.get_by_test_id("glide-cell-3-0")).to_have_text(str(CLIENTS))
    shot(home, "33-rate-limit-home-finished-1000")

    finished = re.compile(
        rf"Run \S+ — Finished: {CLIENTS} onboarded · \d+ s spent waiting for the portal's rate limit \(\d+ × 429\)"
    )
    expect(page.get_by_text(finished)).to_be_visible(timeout=FINISH_TIMEOUT)
    shot(page, "31-rate-limit-finished-1000")
