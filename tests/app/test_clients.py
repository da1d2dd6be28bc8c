"""Clients page: one table of upload and journal, filters, the drawer and the row actions (AppTest)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import table, texts, upload_sample
from support.crm import Receiver, serve_receiver
from support.waiting import wait_until

from docspace_sandbox.faults import FaultPlan, FaultRule
from onboarding.journal import Journal
from ui.clients_table import TABLE_KEY

FIRST = "CL-1001"  # the sample's first row


def grid(at: AppTest) -> pd.DataFrame:
    return table(at, "State")


def row_of(at: AppTest, client_id: str) -> pd.Series:
    g = grid(at)
    return g[g["Client ID"] == client_id].iloc[0]


def select(at: AppTest, *client_ids: str) -> AppTest:
    """Tick the rows of these clients in the table (as a click on their boxes does)."""
    ids = list(grid(at)["Client ID"])
    rows = [ids.index(cid) for cid in client_ids]
    at.session_state[at.session_state[TABLE_KEY]] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return at.run()


def idle(j: Journal) -> None:
    wait_until(lambda: all(r.status != "running" for r in j.runs()), timeout=60)


def onboard_first(app: AppTest, j: Journal) -> AppTest:
    at = upload_sample(app).switch_page("pages/clients.py").run()
    select(at, FIRST)
    at.button(key="clients_onboard").click().run()
    wait_until(lambda: any(r.client_id == FIRST and r.status == "onboarded" for r in j.clients()))
    idle(j)
    return at.run()


def test_no_clients_says_so_and_links_to_upload(app: AppTest, sandbox: object) -> None:
    """With no upload and an empty journal the page says there are no clients yet."""
    at = app.switch_page("pages/clients.py").run()
    assert not at.exception
    assert "No clients yet" in texts(at)


def test_upload_rows_are_new_and_onboarding_one_row_updates_it_inline(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """The upload's rows are listed as new; onboarding one from the table shows it running, then
    onboarded with the room's real title and link, in the same table."""
    slow_writes = FaultRule("latency", method="POST", times=None, latency_ms=200)
    sandbox.set_faults(FaultPlan(rules=[slow_writes]))  # type: ignore[attr-defined]
    at = upload_sample(app).switch_page("pages/clients.py").run()
    assert not at.exception
    assert len(grid(at)) == 13 and set(grid(at)["State"]) == {"○ new"}
    select(at, FIRST)
    assert at.button(key="clients_onboard").label == "Onboard 1"
    at.button(key="clients_onboard").click().run()
    assert not at.exception
    assert row_of(at, FIRST)["State"] == "⟳ running"
    assert any("of 1 client finished" in bar.proto.text for bar in at.get("progress"))
    j = journal()
    idle(j)
    sandbox.set_faults(None)  # type: ignore[attr-defined]
    at.run()
    row = row_of(at, FIRST)
    record = next(r for r in j.clients() if r.client_id == FIRST)
    assert row["State"] == "✔ onboarded"
    assert row["Room"] == record.room_title and row["Client link"] == record.link_url
    assert (grid(at)["State"] == "○ new").sum() == 12


def test_filters_by_state_search_and_run(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """State, search and run filters narrow the table; each empty filter shows everyone."""
    j = journal()
    at = onboard_first(app, j)
    at.multiselect(key="clients_state").set_value(["onboarded"]).run()
    assert list(grid(at)["Client ID"]) == [FIRST]
    assert at.get("download_button")[0].proto.label == "CSV of 1"  # the shown clients the journal has
    at.multiselect(key="clients_state").set_value([]).run()
    name = row_of(at, "CL-1002")["Client"]
    at.text_input(key="clients_search").input(name.upper()).run()
    assert list(grid(at)["Client ID"]) == ["CL-1002"]
    at.text_input(key="clients_search").input("").run()
    at.selectbox(key="clients_run").set_value(j.runs()[0].run_id).run()
    assert list(grid(at)["Client ID"]) == [FIRST]
    assert not at.exception


def test_search_placeholder_is_short_and_its_help_names_every_field(app: AppTest, sandbox: object) -> None:
    """The search box's placeholder fits the box at 1000 px (it was cut mid-list); its help lists the fields."""
    at = upload_sample(app).switch_page("pages/clients.py").run()
    box = at.text_input(key="clients_search")
    assert len(box.placeholder) <= 24
    assert all(word in box.help for word in ("ID", "name", "e-mail", "account manager", "room title"))


def test_drawer_shows_room_link_invitation_steps_and_events(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """One selected onboarded client shows its room, its link and an invitation e-mail holding the
    link (both in copyable code blocks), its steps and its run's events."""
    j = journal()
    at = onboard_first(app, j)
    select(at, FIRST)
    record = next(r for r in j.clients() if r.client_id == FIRST)
    codes = [c.value for c in at.code]
    assert record.link_url in codes  # the copy-link block
    mail = next(c for c in codes if c.startswith("To: "))
    assert f"To: {record.email}" in mail and record.link_url in mail and record.room_title in mail
    assert at.get("link_button")[0].proto.url == record.room_url
    events = table(at, "Outcome")
    assert {"room", "link", "record"} <= set(events["Step"])
    assert "Steps:" in texts(at)


def test_invitation_promises_no_upload_to_a_read_only_client(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """The built-in blueprint lets the client only view: its invitation e-mail does not say it can upload."""
    j = journal()
    at = onboard_first(app, j)
    select(at, FIRST)
    mail = next(c.value for c in at.code if c.value.startswith("To: "))
    assert "You will find the documents we share with you there." in mail
    assert "upload" not in mail


def test_archive_hides_the_link_and_restore_brings_the_client_back(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """Archive (confirmed with a secondary button) makes the row archived without a link; Restore
    unarchives the same room and shows the client onboarded with a link again, and the run filter
    offers the restore (the client's last run) by name."""
    j = journal()
    at = onboard_first(app, j)
    room_id = next(r.room_id for r in j.clients() if r.client_id == FIRST)
    select(at, FIRST)
    shown = texts(at)  # one client: said in the singular
    assert "The client loses access and its link is hidden; Restore brings the room back." in shown
    assert "The clients lose access" not in shown
    confirm = at.button(key="clients_archive_confirm")
    assert confirm.proto.type == "secondary"
    confirm.click().run()
    assert not at.exception
    assert row_of(at, FIRST)["State"] == "▣ archived"
    assert row_of(at, FIRST)["Client link"] == ""
    assert "Moved to the Archive" in texts(at)
    select(at, FIRST)
    assert not any(c.value.startswith("To: ") for c in at.code)  # no invitation without a link
    at.button(key="clients_restore").click().run()
    assert not at.exception
    row = row_of(at, FIRST)
    record = next(r for r in j.clients() if r.client_id == FIRST)
    assert row["State"] == "✔ onboarded" and record.room_id == room_id
    assert row["Client link"] == record.link_url and record.link_url
    assert "Restored" in texts(at)
    # The restore's run is the client's last run: the run filter offers it, named for what it was.
    box = at.selectbox(key="clients_run")
    restore = next(r for r in j.runs() if r.run_id == record.run_id)
    assert restore.kind == "rerun"
    assert any(o.endswith(f"{restore.run_id} · repair or restore") for o in box.options), box.options
    box.set_value(record.run_id).run()
    assert list(grid(at)["Client ID"]) == [FIRST]


def test_failed_client_offers_retry_from_the_journal_without_the_upload(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """A failed client is listed from the journal (no upload) with its error, and Retry onboards it."""
    j = journal()
    onboard_first(app, j)
    record = next(r for r in j.clients() if r.client_id == FIRST)
    j.upsert_client(record.portal, FIRST, status="failed", error="the portal said no", step="link")
    # Without the upload: removed, so a new session does not restore it from the draft.
    app.switch_page("pages/upload.py").run()
    app.button(key="upload_remove").click().run()
    fresh = AppTest.from_file(app._script_path, default_timeout=30)
    at = fresh.switch_page("pages/clients.py").run()
    assert list(grid(at)["Client ID"]) == [FIRST]
    assert row_of(at, FIRST)["Error"] == "the portal said no"
    select(at, FIRST)
    assert at.button(key="clients_onboard").label == "Retry 1"
    at.button(key="clients_onboard").click().run()
    wait_until(lambda: any(r.client_id == FIRST and r.status == "onboarded" for r in j.clients()))
    idle(j)
    at.run()
    assert row_of(at, FIRST)["State"] == "✔ onboarded"
    assert len(sandbox.state()["rooms"]) == 1  # type: ignore[attr-defined]  # the same room, finished


def test_a_blocked_client_is_blocked_here_as_on_results_with_its_reason(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """A client the plan blocked (its manager is not a portal user) reads "blocked" on the Clients
    page as on Results and in the export, not "failed": a state of its own, filterable, with the
    reason in the drawer and Retry offered."""
    j = journal()
    at = onboard_first(app, j)
    record = next(r for r in j.clients() if r.client_id == FIRST)
    reason = "account manager ghost@example.org is not a user of this portal"
    j.upsert_client(record.portal, FIRST, status="blocked", error=reason)
    at.run()
    assert row_of(at, FIRST)["State"] == "■ blocked"
    assert row_of(at, FIRST)["Error"] == reason
    at.multiselect(key="clients_state").set_value(["blocked"]).run()
    assert list(grid(at)["Client ID"]) == [FIRST]
    assert "1 blocked" in texts(at)
    select(at, FIRST)
    assert reason in texts(at)
    assert at.button(key="clients_onboard").label == "Retry 1"
    results = at.switch_page("pages/results.py").run()
    shown = table(results, "Room title")
    assert shown[shown["Client ID"] == FIRST].iloc[0]["Status"] == "■ blocked"


def test_a_reused_id_with_another_name_is_a_conflict_row(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """An upload row whose id the journal onboarded under another name is a conflict, not onboarded,
    and cannot be onboarded from the table; the drawer shows both names and offers the choices
    (here: onboard it under a new id)."""
    j = journal()
    at = onboard_first(app, j)
    record = next(r for r in j.clients() if r.client_id == FIRST)
    j.upsert_client(record.portal, FIRST, name="Someone Else GmbH")
    at.run()
    assert row_of(at, FIRST)["State"] == "⚠ conflict"
    select(at, FIRST)
    assert at.button(key="clients_onboard").disabled
    assert "Someone Else GmbH" in texts(at)
    at.button(key="clients_conflict_new").click().run()
    assert not at.exception
    assert row_of(at, "CL-1001-2")["State"] == "○ new"  # the row, under its new id
    assert row_of(at, FIRST)["Client"] == "Someone Else GmbH"  # the journal's client, untouched


def test_onboard_plan_shows_a_done_rooms_real_title(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """On the Onboard page a done client's row shows its room's recorded title, not the pattern's."""
    j = journal()
    at = onboard_first(app, j)
    record = next(r for r in j.clients() if r.client_id == FIRST)
    j.upsert_client(record.portal, FIRST, room_title="Acme – renamed by a person")
    at.switch_page("pages/onboard.py").run()
    at.button(key="onboard_refresh_plan").click().run()
    plan = table(at, "Room title (as stored)")
    titles = dict(zip(plan["Client ID"], plan["Room title (as stored)"], strict=True))
    assert titles[FIRST] == "Acme – renamed by a person"
    assert titles["CL-1002"] == "Client - Globex Logistics"  # not created yet: the pattern's title


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    yield from serve_receiver(monkeypatch)


def test_resend_to_the_crm_delivers_the_selected_onboarded_clients_again(
    app: AppTest, sandbox: object, receiver: Receiver, journal: Callable[[], Journal]
) -> None:
    """With a webhook configured, "Re-send 1 to CRM" delivers the selected client once more, and
    the drawer says it was delivered."""
    j = journal()
    at = onboard_first(app, j)
    wait_until(lambda: receiver.clients() == [FIRST])  # the run's own delivery
    select(at, FIRST)
    assert at.button(key="clients_resend").label == "Re-send 1 to CRM"
    at.button(key="clients_resend").click().run()
    assert not at.exception
    assert receiver.clients() == [FIRST, FIRST]
    assert "Re-sent 1 to the CRM." in texts(at)
    select(at, FIRST)
    assert "CRM delivery: ✔ delivered" in texts(at)


def test_read_only_dashboard_disables_every_row_action(app: AppTest, real_portal: object) -> None:
    """On a real portal without sign-in the table is shown, but no action can be taken."""
    at = upload_sample(app).switch_page("pages/clients.py").run()
    assert not at.exception
    select(at, FIRST)
    for key in ("clients_onboard", "clients_restore"):
        assert at.button(key=key).disabled, key


def test_retry_under_a_failed_filter_lifts_the_filter(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """Retry with the table filtered to "failed": the state filter is lifted, so the client stays
    in the table as it runs instead of the table going empty (with no filter set, nothing
    changes: onboarding_one_row_updates_it_inline)."""
    j = journal()
    at = onboard_first(app, j)
    record = next(r for r in j.clients() if r.client_id == FIRST)
    j.upsert_client(record.portal, FIRST, status="failed", error="the portal said no", step="link")
    at.run()
    at.multiselect(key="clients_state").set_value(["failed"]).run()
    assert list(grid(at)["Client ID"]) == [FIRST]
    select(at, FIRST)
    at.button(key="clients_onboard").click().run()
    assert at.multiselect(key="clients_state").value == []
    assert FIRST in list(grid(at)["Client ID"])
    idle(j)
