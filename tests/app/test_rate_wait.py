"""A run waiting for the portal's rate limit reads as a wait, not a hang (issue 14, item 5).

The run is journalled the way a run in another process (the CLI, a worker) journals it: the page
knows it only from the journal, as after a reload. Six of 24 clients are done after 30 s, and the
engine's throttle has announced a 22-second wait; then the run finishes with the throttle's counts
in its summary.
"""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest
from support.apptest import journal_onboarded, journal_running_run, texts

import docspace_sandbox
from onboarding import RunStatus
from onboarding.journal import Journal
from onboarding.workflow.engine import RATE_WAIT
from onboarding.workflow.status import Outcome, Step

STARTED_AGO = 30.0
"""The run started this long before the page is drawn (6 clients in 30 s: about 90 s left for 18)."""


def _waiting_run(data: Path, box: docspace_sandbox.Sandbox) -> tuple[Journal, str, str]:
    """A running 24-client run: 6 onboarded, then the throttle's announced wait of 22 s."""
    j, run_id, portal = journal_running_run(data, box.url, total=24, started_ago=STARTED_AGO)
    journal_onboarded(j, run_id, portal, [f"C-{i:03}" for i in range(6)])
    j.add_event(run_id, portal, "*", Step.THROTTLE, Outcome.WAITING, RATE_WAIT.format(seconds=22))
    return j, run_id, portal


def test_live_progress_says_why_it_waits_how_long_and_how_long_is_left(
    app: AppTest, sandbox: docspace_sandbox.Sandbox, clean_app_state: Path
) -> None:
    """The bar says 6 of 24 with elapsed time and an ETA; a notice says it waits for the rate limit, resuming in N s."""
    _waiting_run(clean_app_state, sandbox)
    at = app.run()
    at.switch_page("pages/onboard.py").run()
    assert not at.exception
    shown = texts(at)
    assert re.search(r"Run \S+\*\* — running", shown), shown
    [bar] = [p for p in at.get("progress")]
    line = bar.proto.text
    # 30 s elapsed (a little more on a slow machine); 6 clients in ~30 s leaves 18 at ~5 s each: ~90 s.
    assert re.fullmatch(r"6 of 24 clients finished · 3\d s elapsed · about (9\d s|2 min) left", line), line
    wait = re.search(r"Waiting for the portal's rate limit, resuming in (\d+) s", shown)
    assert wait, shown
    assert 10 <= int(wait.group(1)) <= 22


def test_finished_run_says_how_long_it_waited_and_its_429s(
    app: AppTest, sandbox: docspace_sandbox.Sandbox, clean_app_state: Path
) -> None:
    """Once finished, the run's line adds the time spent waiting and the 429 count from its summary."""
    j, run_id, portal = _waiting_run(clean_app_state, sandbox)
    journal_onboarded(j, run_id, portal, [f"C-{i:03}" for i in range(6, 24)])
    throttle = {"requests": 140, "waits": 1, "waited_s": 22.4, "rate_429s": 1, "concurrency_429s": 0}
    j.finish_run(run_id, RunStatus.FINISHED, {"counts": {"onboarded": 24}, "throttle": throttle})
    at = app.run()
    at.switch_page("pages/onboard.py").run()
    assert not at.exception
    shown = texts(at)
    said = (
        f"Run {run_id}** — Finished: 24 onboarded · 22 s spent waiting for the portal's rate limit (1 × 429)"
    )
    assert said in shown, shown
    assert "resuming in" not in shown
