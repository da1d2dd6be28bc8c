"""Home page: portal, the key's account and role, limits, last runs, next step."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from support.apptest import journal_onboarded, journal_running_run, table, texts, unescape, upload_sample

import docspace_sandbox


def test_home_names_portal_account_and_limits(app: AppTest, sandbox: object) -> None:
    """Home shows the portal address, whom the key belongs to with its role, and the limits."""
    at = app.run()
    assert not at.exception
    page = texts(at)
    assert sandbox.url in page  # type: ignore[attr-defined]
    assert "owner@sandbox.example" in page
    assert "Owner" in page
    assert "Up to 10,000 changes a day on this portal" in page
    assert "Settings → Limits" in page
    assert "No runs yet" in page


def test_home_speaks_no_ops_jargon(app: AppTest, sandbox: object) -> None:
    """Concurrency figures ("writes in flight") are on Settings → Limits, not on Home."""
    at = app.run()
    assert not at.exception
    assert "in flight" not in texts(at).lower()
    assert not [m for m in at.metric if "flight" in m.label.lower()]


def test_home_next_step_follows_the_upload(app: AppTest, sandbox: object) -> None:
    """Before an upload the next step is uploading; after it, reviewing the plan."""
    at = app.run()
    assert "Upload a client list" in next(link.label for link in at.get("page_link"))
    upload_sample(at)
    at.switch_page("pages/home.py").run()
    assert not at.exception
    assert any("Review the plan for 13 clients" in link.label for link in at.get("page_link"))


def test_unreachable_portal_gives_advice_not_a_traceback(app: AppTest, monkeypatch: object) -> None:
    """A portal that cannot be reached yields a plain message and what to do."""
    monkeypatch.setenv("DOCSPACE_URL", "http://127.0.0.1:9")  # type: ignore[attr-defined]
    monkeypatch.setenv("DOCSPACE_API_KEY", "sk-secret-never-shown-42")  # type: ignore[attr-defined]
    at = app.run()
    assert not at.exception
    assert any("could not be reached" in e.value for e in at.error)
    assert "sk-secret-never-shown-42" not in texts(at)


def test_half_configured_portal_says_what_is_missing(app: AppTest, monkeypatch: object) -> None:
    """A portal address without a key is reported, naming the missing variable."""
    monkeypatch.setenv("DOCSPACE_URL", "https://portal.example.com")  # type: ignore[attr-defined]
    at = app.run()
    assert not at.exception
    assert any("DOCSPACE_API_KEY is missing" in unescape(e.value) for e in at.error)


def test_last_runs_counts_move_while_a_run_goes_on(
    app: AppTest, sandbox: docspace_sandbox.Sandbox, clean_app_state: Path
) -> None:
    """A running run's line counts its clients as they finish (from its events), not 0 until it ends."""
    j, run_id, portal = journal_running_run(clean_app_state, sandbox.url, total=10)
    journal_onboarded(j, run_id, portal, ["A-1", "A-2"])
    at = app.run()
    assert not at.exception
    runs = table(at, "Onboarded")
    line = runs[runs["Run"] == run_id].iloc[0]
    assert (line["Status"], line["Clients"], line["Onboarded"]) == ("⟳ running", 10, 2)
    journal_onboarded(j, run_id, portal, ["A-3", "A-4", "A-5"])
    at.run()
    runs = table(at, "Onboarded")
    assert runs[runs["Run"] == run_id].iloc[0]["Onboarded"] == 5
