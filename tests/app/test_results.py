"""Results page: journal clients with links, filters, per-step outcomes, exports, charts."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest
from support.apptest import metric, table, texts, upload_sample
from support.waiting import wait_until

from onboarding.journal import Journal


def onboard_all(at: AppTest, journal: Journal) -> None:
    upload_sample(at)
    at.switch_page("pages/onboard.py").run()
    at.button(key="onboard_start_batch").click().run()
    wait_until(lambda: bool(journal.runs()) and all(r.status != "running" for r in journal.runs()))


def test_empty_journal_says_nothing_yet(app: AppTest, sandbox: object) -> None:
    """Before any run, the page says nothing is onboarded and links to Upload."""
    at = app.run()
    at.switch_page("pages/results.py").run()
    assert not at.exception
    assert "Nothing onboarded yet" in texts(at)


def test_results_list_rooms_links_and_exports(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """After a batch, every client is listed with its room link, and CSV/XLSX downloads are offered."""
    j = journal()
    onboard_all(app, j)
    at = app.switch_page("pages/results.py").run()
    assert not at.exception
    grid = table(at, "Room title")
    assert len(grid) == 13
    assert grid["Room"].str.startswith("http").all()
    assert grid["Client link"].notna().all()
    assert metric(at, "Onboarded") == "13"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download XLSX"]


def test_filters_by_status_and_manager(app: AppTest, sandbox: object, journal: Callable[[], Journal]) -> None:
    """Status and manager filters narrow the list (and the export)."""
    j = journal()
    onboard_all(app, j)
    at = app.switch_page("pages/results.py").run()
    at.multiselect(key="results_manager").set_value(["anna.manager@sandbox.example"]).run()
    assert not at.exception
    grid = table(at, "Room title")
    assert set(grid["Account manager"]) == {"anna.manager@sandbox.example"}
    assert metric(at, "Clients shown") == "3"
    at.multiselect(key="results_status").set_value(["onboarded"]).run()
    assert metric(at, "Clients shown") == "3"
    at.multiselect(key="results_manager").set_value([]).run()
    assert metric(at, "Clients shown") == "13"


def test_selecting_a_row_shows_each_steps_outcome(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """Selecting a client shows the outcome of each step of its run."""
    j = journal()
    onboard_all(app, j)
    at = app.switch_page("pages/results.py").run()
    at.session_state["results_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    steps = table(at, "Step")
    assert {"room", "folders", "files", "access", "link", "verify", "record"} <= set(steps["Step"])


def test_archived_clients_hide_their_link_and_count_as_archived(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """An archived client's row shows no client link, and the metrics count it as archived."""
    j = journal()
    onboard_all(app, j)
    first = j.clients()[0]
    j.upsert_client(first.portal, first.client_id, status="archived")
    at = app.switch_page("pages/results.py").run()
    assert not at.exception
    grid = table(at, "Room title")
    row = grid[grid["Client ID"] == first.client_id].iloc[0]
    assert row["Client link"] == "" and row["Room title"] == first.room_title
    assert metric(at, "Archived") == "1" and metric(at, "Onboarded") == "12"
    assert at.toggle(key="results_csv_excel").value is False


def test_results_come_in_client_id_order_whatever_was_touched_last(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """The table (and so its download) lists clients by id, not by the journal's last update."""
    j = journal()
    onboard_all(app, j)
    last = max(r.client_id for r in j.clients())
    first = min(r.client_id for r in j.clients())
    j.upsert_client(j.clients()[0].portal, first, name="Renamed Last")  # now the newest update
    at = app.switch_page("pages/results.py").run()
    ids = list(table(at, "Room title")["Client ID"])
    assert ids == sorted(ids) and ids[0] == first and ids[-1] == last
