"""Onboard page: a reused client id with another name is a conflict, shown side by side, resolved by choice."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest
from support.apptest import edit_cell, metric, onboard_row, table, texts, upload_sample
from support.waiting import wait_until

from onboarding.journal import Journal
from ui import live, session

ONBOARDED_AS = "Müller & Söhne GmbH"


def _conflict(app: AppTest, journal: Callable[[], Journal]) -> AppTest:
    """CL-1001 onboarded, then its journal record renamed: the upload's row is now someone else."""
    j = journal()
    at = onboard_row(upload_sample(app), j, "CL-1001")
    rec = next(r for r in j.clients() if r.client_id == "CL-1001")
    j.upsert_client(rec.portal, "CL-1001", name=ONBOARDED_AS)
    at.run()
    at.button(key="onboard_refresh_plan").click().run()
    assert not at.exception
    return at


def _choose(at: AppTest, choice: str) -> str:
    """Pick a choice for CL-1001's conflict (not yet applied); returns the row's widget id."""
    wid = live.widget_id("CL-1001")
    at.radio(key=f"conflict_choice_{wid}").set_value(choice).run()
    return wid


def test_conflict_is_shown_side_by_side_with_the_choices(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """The plan counts the conflict, its table says "conflict", and both names stand next to each other."""
    at = _conflict(app, journal)
    assert metric(at, "Conflicts") == "1"
    assert metric(at, "Already done") == "0"
    plan = table(at, "Action")
    assert plan[plan["Client ID"] == "CL-1001"].iloc[0]["Action"] == "⚠ conflict"
    both = table(at, "Onboarded (journal)")
    row_name = plan[plan["Client ID"] == "CL-1001"].iloc[0]["Client"]
    assert list(both.iloc[0]) == ["Name", ONBOARDED_AS, row_name]
    radio = at.radio(key=f"conflict_choice_{live.widget_id('CL-1001')}")
    assert radio.options == [
        "Skip this row",
        "Update the record to this row",
        "Onboard as a new client under a new id",
    ]
    assert at.button(key=f"onboard_one_{live.widget_id('CL-1001')}").disabled


def test_choosing_a_new_id_plans_the_row_as_a_new_client(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """ "Onboard as a new client" re-plans the row under CL-1001-2 (create); the journal's CL-1001 is
    untouched. The choice reads as what the next run does (nothing is written yet), then as done."""
    at = _conflict(app, journal)
    wid = _choose(at, "new")
    assert at.text_input(key=f"conflict_new_id_{wid}").value == "CL-1001-2"
    at.button(key=f"conflict_apply_{wid}").click().run()
    assert not at.exception
    plan = table(at, "Action")
    assert "CL-1001" not in set(plan["Client ID"])
    assert plan[plan["Client ID"] == "CL-1001-2"].iloc[0]["Action"] == "● create"
    assert metric(at, "Conflicts") == "0"
    shown = texts(at)
    assert (
        "Conflict choices — CL-1001: onboard as new client CL-1001-2. Carried out when you onboard it."
        in shown
    ), shown
    assert "onboarded as" not in shown and "resolved" not in shown
    rec = next(r for r in journal().clients() if r.client_id == "CL-1001")
    assert rec.name == ONBOARDED_AS
    j = journal()
    at.button(key="onboard_start_batch").click().run()
    wait_until(lambda: any(r.client_id == "CL-1001-2" and r.status == "onboarded" for r in j.clients()))
    wait_until(lambda: all(r.status != "running" for r in j.runs()))
    at.run()
    assert "Conflict choices — CL-1001: onboard as new client CL-1001-2. Carried out." in texts(at)


def test_upload_counts_conflicts_as_the_onboard_page_does_once_one_is_chosen(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """Upload and Onboard agree: before a choice both say 1 conflict; once the row is onboarded
    under a new id, both say 0 (Upload counts the row under its new id, already onboarded), and a
    skipped row is counted as skipped, not as a conflict."""
    j = journal()
    at = _conflict(app, journal)
    at.switch_page("pages/upload.py").run()
    assert metric(at, "Conflicts") == "1"
    at.switch_page("pages/onboard.py").run()
    wid = _choose(at, "new")
    at.button(key=f"conflict_apply_{wid}").click().run()
    at.button(key="onboard_start_batch").click().run()
    wait_until(lambda: any(r.client_id == "CL-1001-2" and r.status == "onboarded" for r in j.clients()))
    wait_until(lambda: all(r.status != "running" for r in j.runs()))
    at.run()
    at.button(key="onboard_refresh_plan").click().run()
    assert metric(at, "Conflicts") == "0"
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    assert metric(at, "Conflicts") == "0"
    onboarded = int(metric(at, "Already onboarded"))
    assert onboarded >= 2  # CL-1001-2 with the row that never conflicted
    session_choices = dict(at.session_state[session.CHOICES])
    at.session_state[session.CHOICES] = {**session_choices, "CL-1001": "skip"}
    at.run()
    assert metric(at, "Conflicts") == "0" and metric(at, "Skipped") == "1"
    assert int(metric(at, "Already onboarded")) == onboarded - 1


def test_skipping_leaves_the_row_out_and_undo_brings_it_back(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """ "Skip" removes the row from the plan; "Undo conflict choices" shows the conflict again."""
    at = _conflict(app, journal)
    wid = _choose(at, "skip")
    at.button(key=f"conflict_apply_{wid}").click().run()
    assert "CL-1001" not in set(table(at, "Action")["Client ID"])
    at.button(key="conflict_undo").click().run()
    assert metric(at, "Conflicts") == "1"


def test_a_changed_account_manager_is_handed_over_only_when_asked(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """A finished client whose row names another manager is listed under "Account manager
    changes" and stays done; "Hand over" re-plans it to resume, and onboarding it records the
    row's manager in the journal."""
    j = journal()
    at = onboard_row(upload_sample(app), j, "CL-1001")
    rec = next(r for r in j.clients() if r.client_id == "CL-1001")
    in_file = rec.manager_email
    j.upsert_client(rec.portal, "CL-1001", manager_email="ben.manager@sandbox.example")
    at.run()
    at.button(key="onboard_refresh_plan").click().run()
    assert not at.exception
    handover = table(at, "Manager now")
    assert list(handover.iloc[0]) == ["CL-1001", "ben.manager@sandbox.example", in_file]
    plan = table(at, "Action")
    assert plan[plan["Client ID"] == "CL-1001"].iloc[0]["Action"] == "✔ done"
    at.button(key="handover_all").click().run()
    assert not at.exception
    plan = table(at, "Action")
    assert plan[plan["Client ID"] == "CL-1001"].iloc[0]["Action"] == "↻ resume"
    assert f"Hand-over chosen — CL-1001 to {in_file}" in texts(at)
    assert [t.value for t in at.subheader].count(
        "Account manager changes"
    ) == 1  # the choice made, not the list
    assert at.button(key="handover_undo").label == "Undo hand-over"
    at.button(key=f"onboard_one_{live.widget_id('CL-1001')}").click().run()
    wait_until(lambda: any(r.client_id == "CL-1001" and r.manager_email == in_file for r in j.clients()))
    wait_until(lambda: all(r.status != "running" for r in j.runs()))
    assert next(r for r in j.clients() if r.client_id == "CL-1001").status == "onboarded"


ANNA, BEN = "anna.manager@sandbox.example", "ben.manager@sandbox.example"


def _manager_changed(
    at: AppTest, journal: Callable[[], Journal], row: int, client_id: str, to: str
) -> AppTest:
    """``client_id`` of the uploaded sample onboarded, then its row (spreadsheet row ``row``)
    edited to name account manager ``to``; the Onboard page open."""
    at = onboard_row(at, journal(), client_id)
    at.switch_page("pages/upload.py").run()
    edit_cell(at, row, "Account manager", to)
    return at.switch_page("pages/onboard.py").run()


def test_a_hand_over_chosen_while_a_conflict_is_pending_is_not_called_a_resolved_conflict(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """CL-1002 is handed over while CL-1001's identity conflict still waits for a choice: the
    hand-over is said under its own caption, nothing claims the conflicts are resolved, and
    undoing the hand-over leaves the conflict alone (and the other way round)."""
    j = journal()
    at = onboard_row(upload_sample(app), j, "CL-1001")
    at = _manager_changed(at, journal, 5, "CL-1002", ANNA)  # CL-1002's row named Ben
    rec = next(r for r in j.clients() if r.client_id == "CL-1001")
    j.upsert_client(rec.portal, "CL-1001", name=ONBOARDED_AS)
    at.button(key="onboard_refresh_plan").click().run()
    assert metric(at, "Conflicts") == "1"
    at.button(key="handover_all").click().run()
    assert not at.exception
    shown = texts(at)
    assert f"Hand-over chosen — CL-1002 to {ANNA}" in shown
    assert "resolved" not in shown and "Conflict choices" not in shown, shown
    assert metric(at, "Conflicts") == "1"
    assert not [b for b in at.button if b.key == "conflict_undo"]
    wid = _choose(at, "skip")
    at.button(key=f"conflict_apply_{wid}").click().run()
    assert "Conflict choices — CL-1001: skip the row." in texts(at)
    assert "CL-1002" not in next(c.value for c in at.caption if "Conflict choices" in c.value)
    at.button(key="conflict_undo").click().run()
    assert at.session_state[session.CHOICES] == {"CL-1002": "handover"}
    at.button(key="handover_undo").click().run()
    assert at.session_state[session.CHOICES] == {}
    assert metric(at, "Conflicts") == "1"


def test_a_finished_hand_over_is_reported_with_the_run_and_no_longer_offered(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """After the run that handed CL-1001 from Anna to Ben, the run's result says so, naming who
    was removed from the room; the "Hand-over chosen" caption and its Undo are gone, and the choice
    is forgotten (a later manager change is asked about again, not handed over unasked). The
    line is read once per finished run, not on every redraw."""
    j = journal()
    at = _manager_changed(upload_sample(app), journal, 4, "CL-1001", BEN)
    at.button(key="handover_all").click().run()
    assert f"Hand-over chosen — CL-1001 to {BEN}" in texts(at)
    at.button(key=f"onboard_one_{live.widget_id('CL-1001')}").click().run()
    wait_until(lambda: all(r.status != "running" for r in j.runs()))
    at.run()
    assert not at.exception
    shown = texts(at)
    assert f"CL-1001: handed over to {BEN}, {ANNA} removed" in shown, shown
    assert "Hand-over chosen" not in shown
    assert not [b for b in at.button if b.key in ("handover_undo", "handover_all")]
    assert "CL-1001" not in at.session_state[session.CHOICES]
    rec = next(r for r in j.clients() if r.client_id == "CL-1001")
    assert rec.manager_email == BEN
    # What the run changed is read once: a later edit of the journal does not rewrite it.
    j.upsert_client(rec.portal, "CL-1001", manager_email=ANNA)
    assert f"CL-1001: handed over to {BEN}, {ANNA} removed" in texts(at.run())
