"""Onboard page: blueprint in brief, plan, per-row actions, background batch with progress."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import metric, onboard_row, table, texts, unescape, upload_sample
from support.waiting import wait_until

from docspace_sandbox.faults import FaultPlan, FaultRule
from onboarding import Onboarding
from onboarding.journal import Journal
from ui import live


def statuses(journal: Journal) -> dict[str, str]:
    return {r.client_id: r.status for r in journal.clients()}


def test_without_a_selection_it_points_to_upload(app: AppTest, sandbox: object) -> None:
    """With nothing uploaded the page says so and links to the Upload page."""
    at = app.run()
    at.switch_page("pages/onboard.py").run()
    assert not at.exception
    assert "No clients selected" in texts(at)


def test_plan_shows_actions_titles_and_manager_eligibility(app: AppTest, sandbox: object) -> None:
    """The plan lists every selected client with its action, stored title and manager access, the
    manager's columns before the wide notes."""
    at = upload_sample(app)
    at.switch_page("pages/onboard.py").run()
    assert not at.exception
    assert metric(at, "To create") == "13"
    assert metric(at, "Blocked") == "0"
    plan = table(at, "Action")
    assert len(plan) == 13
    soylent = plan[plan["Client ID"] == "CL-1011"].iloc[0]
    assert soylent["Room title (as stored)"] == "Client - Soylent_ Food Systems"
    wayne = plan[plan["Client ID"] == "CL-1006"].iloc[0]  # carl.user is a plain user
    assert wayne["Manager access"] != "Room manager"
    assert "Room manager" in plan[plan["Client ID"] == "CL-1001"].iloc[0]["Manager access"]
    assert "Folders" in texts(at)  # the blueprint in brief
    # The manager's columns come before the wide notes, which are last (at 1000 px they were off screen).
    columns = list(plan.columns)
    assert columns[-1] == "Reasons and warnings"
    assert columns.index("Account manager") + 1 == columns.index("Manager access")


def test_clients_blocked_for_one_reason_are_summed_up_above_the_plan(app: AppTest, sandbox: object) -> None:
    """Seven rows naming an account manager who is not a portal user and one unknown elsewhere: the
    plan says each reason once with its count and some ids, the most common first, above the table."""
    rows = ["Client ID,Company,Email,Account manager"]
    rows += [f"B-{i},Blocked {i} Ltd,b{i}@client.example,nobody@ourfirm.example" for i in range(7)]
    rows += ["O-1,Other Ltd,o@client.example,ghost@ourfirm.example", "G-1,Good Ltd,g@client.example,"]
    at = app.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_file_0").upload("c.csv", "\n".join(rows).encode(), "text/csv").run()
    at.switch_page("pages/onboard.py").run()
    assert not at.exception
    assert metric(at, "Blocked") == "8"
    (summary,) = [unescape(w.value) for w in at.warning if "blocked:" in unescape(w.value)]
    first, second = summary.split("\n\n")
    assert first.startswith("**7 clients** are blocked: account manager nobody@ourfirm.example")
    assert first.endswith("(B-0, B-1, B-2, …)")
    assert second.startswith("**1 client** is blocked: account manager ghost@ourfirm.example")


def test_row_button_onboards_one_client(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """A row's Onboard button onboards that client alone, in the background."""
    at = upload_sample(app)
    at.switch_page("pages/onboard.py").run()
    at.button(key=f"onboard_one_{live.widget_id('CL-1001')}").click().run()
    assert not at.exception
    j = journal()
    wait_until(lambda: statuses(j).get("CL-1001") == "onboarded")
    at.run()
    assert statuses(j) == {"CL-1001": "onboarded"}
    assert metric(at, "Already done") == "1"
    assert metric(at, "To create") == "12"


def test_the_start_banner_counts_whom_the_run_onboards_and_names_the_rest(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """With one of the 13 selected clients onboarded, the button says "Onboard 12 remaining" and the
    banner after it counts the same 12, naming the one left out (not "for 13 selected clients")."""
    j = journal()
    at = onboard_row(upload_sample(app), j, "CL-1001")
    start = at.button(key="onboard_start_batch")
    assert start.label == "Onboard 12 remaining"
    start.click().run()
    assert not at.exception
    said = [unescape(s.value) for s in at.success if "Started run" in s.value]
    assert said and "for 12 of the 13 selected clients (1 already done)." in said[0], said
    wait_until(lambda: all(r.status != "running" for r in j.runs()), timeout=60)


def test_a_client_being_onboarded_is_counted_in_the_singular(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """While one row's run is live the page says "1 of these clients is being onboarded right now"."""
    slow_writes = FaultRule("latency", method="POST", times=None, latency_ms=1000)
    sandbox.set_faults(FaultPlan(rules=[slow_writes]))  # type: ignore[attr-defined]
    at = upload_sample(app)
    at.switch_page("pages/onboard.py").run()
    at.button(key=f"onboard_one_{live.widget_id('CL-1001')}").click().run()
    assert not at.exception
    assert "1 of these clients is being onboarded right now." in texts(at)
    j = journal()
    at.button(key=f"onboard_stop_{j.runs()[0].run_id}").click().run()  # no need to wait for it all
    wait_until(lambda: all(r.status != "running" for r in j.runs()), timeout=60)
    sandbox.set_faults(None)  # type: ignore[attr-defined]


def test_batch_runs_in_background_and_reports_progress(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """ "Onboard N selected" starts a background run; the page shows its progress and outcome."""
    at = upload_sample(app)
    at.switch_page("pages/onboard.py").run()
    at.button(key="onboard_start_batch").click().run()
    assert not at.exception
    j = journal()
    wait_until(lambda: list(statuses(j).values()).count("onboarded") == 13)
    wait_until(lambda: all(r.status != "running" for r in j.runs()))
    at.run()
    assert not at.exception
    assert any("Started run" in s.value for s in at.success) or "Run " in texts(at)
    bars = at.get("progress")
    assert bars and bars[0].proto.value == 100
    assert metric(at, "Already done") == "13"
    assert at.button(key="onboard_start_batch").disabled


def test_starting_the_same_clients_twice_joins_the_running_batch(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """A second tab starting clients a live batch covers is refused or joins it: one run, no doubled rooms."""
    # Slow writes keep the first batch running; reads stay fast, so the second tab plans at once.
    slow_writes = FaultRule("latency", method="POST", times=None, latency_ms=300)
    sandbox.set_faults(FaultPlan(rules=[slow_writes]))  # type: ignore[attr-defined]
    second = AppTest.from_file(app._script_path, default_timeout=30)
    first = upload_sample(app)
    first.switch_page("pages/onboard.py").run()
    upload_sample(second).switch_page("pages/onboard.py").run()
    first.button(key="onboard_start_batch").click().run()
    second.button(key="onboard_start_batch").click().run()
    assert not first.exception and not second.exception
    joined = any("is already onboarding" in i.value for i in second.info)
    refused = second.button(key="onboard_start_batch").disabled and "being onboarded right now" in texts(
        second
    )
    assert joined or refused
    assert "Progress" in texts(second)  # the second tab shows the first tab's batch live
    j = journal()
    wait_until(lambda: bool(j.runs()) and all(r.status != "running" for r in j.runs()), timeout=60)
    sandbox.set_faults(None)  # type: ignore[attr-defined]
    assert len([r for r in j.runs() if r.kind == "run"]) == 1
    rooms = sandbox.state()["rooms"]  # type: ignore[attr-defined]
    assert len(rooms) == 13


def test_a_page_drawn_mid_batch_shows_the_runs_plan_without_planning_again(
    app: AppTest, sandbox: object, journal: Callable[[], Journal], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reload or new tab while a batch runs shows the plan the run carries out and reads no new
    plan from the portal (on a slow portal that re-plan took longer than the batch)."""
    # Slow writes keep the batch running while the second session is drawn.
    slow_writes = FaultRule("latency", method="POST", times=None, latency_ms=2000)
    sandbox.set_faults(FaultPlan(rules=[slow_writes]))  # type: ignore[attr-defined]
    first = upload_sample(app)
    first.switch_page("pages/onboard.py").run()
    first.button(key="onboard_start_batch").click().run()
    assert not first.exception
    plans: list[int] = []
    planned = Onboarding.plan
    monkeypatch.setattr(Onboarding, "plan", lambda svc, *a, **kw: plans.append(1) or planned(svc, *a, **kw))
    second = upload_sample(AppTest.from_file(app._script_path, default_timeout=30))
    second.switch_page("pages/onboard.py").run()
    j = journal()
    live_during_draw = any(r.status == "running" for r in j.runs())
    sandbox.set_faults(None)  # type: ignore[attr-defined]
    assert live_during_draw, "the batch ended before the second page was drawn"
    assert not second.exception
    assert plans == []
    assert metric(second, "To create") == "13"
    assert "The plan run " in texts(second)
    wait_until(lambda: all(r.status != "running" for r in j.runs()), timeout=60)


def test_stopping_a_batch_defers_the_rest_and_resume_needs_no_upload(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """Stop reads "Stopping…" at once; a stopped run reports deferred clients as a notice, not as
    errors or as finished; "Resume" starts them again from the journal, without the file."""
    # Slow writes keep the batch running until the Stop click; reads stay fast, so the page's own
    # runs (the click's rerun) do not eat into that time. (Latency on every call raced: under load
    # the batch could end before the Stop button was drawn.)
    slow_writes = FaultRule("latency", method="POST", times=None, latency_ms=1000)
    sandbox.set_faults(FaultPlan(rules=[slow_writes]))  # type: ignore[attr-defined]
    at = upload_sample(app)
    at.switch_page("pages/onboard.py").run()
    at.button(key="onboard_start_batch").click().run()
    j = journal()
    run_id = j.runs()[0].run_id
    at.button(key=f"onboard_stop_{run_id}").click().run()
    assert not at.exception
    stop = at.button(key=f"onboard_stop_{run_id}")
    assert stop.disabled and stop.label == "Stopping…"
    wait_until(lambda: all(r.status != "running" for r in j.runs()), timeout=60)
    sandbox.set_faults(None)  # type: ignore[attr-defined]
    at.run()
    assert not at.exception
    deferred = [cid for cid, s in statuses(j).items() if s == "deferred"]
    assert deferred, "the stop came too late to defer anyone"
    shown = texts(at)
    assert f"Run {run_id}** — Stopped:" in shown or f"Run {run_id} — Stopped:" in shown
    assert f"{len(deferred)} deferred" in shown
    assert "13 of 13 clients finished" not in shown
    assert not at.error, [e.value for e in at.error]
    assert any("deferred" in i.value for i in at.info)

    # The file is gone: the deferred clients come back from the journal.
    at.switch_page("pages/upload.py").run()
    at.button(key="upload_remove").click().run()
    at.switch_page("pages/onboard.py").run()
    assert "No clients selected" in texts(at)
    at.button(key=f"onboard_resume_{run_id}").click().run()
    assert not at.exception
    wait_until(lambda: all(s == "onboarded" for s in statuses(j).values()), timeout=60)
    wait_until(lambda: all(r.status != "running" for r in j.runs()))
    assert len(sandbox.state()["rooms"]) == 13  # type: ignore[attr-defined]

    # A finished run collapses to a line that can be dismissed for this session.
    at.run()
    resumed = at.session_state["onboard_session_runs"][-1]
    assert resumed != run_id
    at.button(key=f"onboard_dismiss_{resumed}").click().run()
    assert not at.exception
    assert f"onboard_dismiss_{resumed}" not in [b.key for b in at.button]


def test_archive_confirm_is_not_styled_as_the_primary_action(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """The destructive "Archive the room" confirmation is a secondary button (issue 14, item 7)."""
    at = onboard_row(upload_sample(app), journal(), "CL-1001")
    confirm = at.button(key=f"onboard_archive_{live.widget_id('CL-1001')}")
    assert confirm.proto.type == "secondary"
