"""Identity conflicts in a real browser: a second file reuses onboarded ids for other companies.

The first file onboards three clients; the second reuses their ids for three other companies.
The plan shows each conflict with both names side by side and writes nothing until a choice is
applied: one row is skipped, one updates the journal's record, one is onboarded under a new id.
The run then creates exactly one new room. The module has its own server, so the journal of the
dashboard flow (``test_dashboard_flow.py``) is not touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _serve
from playwright.sync_api import Page, expect
from support.browser import (
    by_key,
    click_button,
    expect_metric,
    go_to,
    rerun_after,
    sandbox_state,
    sandbox_url,
    shot,
    upload,
    wait_for_app,
)

from ui.live import widget_id

pytestmark = pytest.mark.e2e

HEADER = "Client ID,Company,E-mail address,Account manager\n"
FIRST = {
    "00001": ("Alpha Bau GmbH", "info@alpha-bau.example.com"),
    "00002": ("Müller & Söhne GmbH", "kontakt@mueller-soehne.example.com"),
    "00003": ("Gamma Logistik AG", "office@gamma.example.com"),
}
SECOND = {
    "00001": ("Firma 1 Holz KG", "post@firma1.example.com"),
    "00002": ("Firma 2 Ärzte & Co", "praxis@firma2.example.com"),
    "00003": ("Firma 3 Reisen OHG", "team@firma3.example.com"),
}
FINISH_TIMEOUT = 60_000
NEW_ID = "Onboard as a new client under a new id"


def _csv(path: Path, rows: dict[str, tuple[str, str]]) -> Path:
    body = "".join(
        f'{cid},"{name}",{email},anna.manager@sandbox.example\n' for cid, (name, email) in rows.items()
    )
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's own dashboard (zero-configuration sandbox, empty journal)."""
    yield from _serve(tmp_path_factory.mktemp("e2e-conflicts"))


def _choose(page: Page, client_id: str, label: str) -> None:
    """Pick a choice for one conflict and apply it."""
    wid = widget_id(client_id)
    rerun_after(page, by_key(page, f"conflict_choice_{wid}").get_by_text(label, exact=True).click)
    click_button(page, f"conflict_apply_{wid}")


def _finished(page: Page, outcome: str) -> None:
    """Wait until the run this session started last reports this outcome."""
    line = page.get_by_text(re.compile(rf"Run \S+ — Finished: {outcome}$"))
    expect(line.first).to_be_visible(timeout=FINISH_TIMEOUT)
    wait_for_app(page)


def test_a_reused_id_is_a_conflict_resolved_by_skip_update_or_new_id(
    page: Page, server: str, tmp_path: Path
) -> None:
    """Reused ids show both names; skip writes nothing, update renames the record, new id gets a room."""
    page.goto(server)
    wait_for_app(page)
    sandbox = sandbox_url(page)
    go_to(page, "Upload")
    upload(page, _csv(tmp_path / "first.csv", FIRST))
    go_to(page, "Onboard")
    expect_metric(page, "To create", "3")
    click_button(page, "onboard_start_batch")
    _finished(page, "3 onboarded")

    go_to(page, "Upload")
    upload(page, _csv(tmp_path / "second.csv", SECOND))
    go_to(page, "Onboard")
    expect_metric(page, "Conflicts", "3")
    expect_metric(page, "Already done", "0")
    expect_metric(page, "To create", "0")
    start = by_key(page, "onboard_start_batch").get_by_role("button")
    expect(start).to_be_disabled()
    mueller = by_key(page, f"conflict_{widget_id('00002')}")
    mueller.scroll_into_view_if_needed()
    # The side-by-side table is a canvas grid: its cells are read from the grid's accessible copy
    # (glide-cell-<column>-<row>; columns Field, Onboarded (journal), This file).
    expect(mueller.get_by_test_id("glide-cell-0-0")).to_have_text("Name")
    expect(mueller.get_by_test_id("glide-cell-1-0")).to_have_text("Müller & Söhne GmbH")
    expect(mueller.get_by_test_id("glide-cell-2-0")).to_have_text("Firma 2 Ärzte & Co")
    shot(page, "20-conflicts-side-by-side")

    _choose(page, "00001", "Skip this row")
    _choose(page, "00002", "Update the record to this row")
    wid = widget_id("00003")
    rerun_after(page, by_key(page, f"conflict_choice_{wid}").get_by_text(NEW_ID, exact=True).click)
    expect(by_key(page, f"conflict_new_id_{wid}").locator("input")).to_have_value("00003-2")
    click_button(page, f"conflict_apply_{wid}")

    expect_metric(page, "Conflicts", "0")
    expect_metric(page, "To create", "1")
    wait_for_app(page)  # the run's stale caption (before the last choice) is gone once it ends
    chosen = page.get_by_text(re.compile("Conflict choices"))  # to be carried out: nothing written yet
    expect(chosen).to_have_text(
        "Conflict choices — 00001: skip the row; 00002: update the record; "
        "00003: onboard as new client 00003-2. Carried out when you onboard them."
    )
    shot(page, "21-conflicts-resolved")

    click_button(page, "onboard_start_batch")
    _finished(page, "2 onboarded")
    expect(chosen).to_contain_text("00003-2. Carried out.")
    shot(page, "22-conflicts-outcome")

    titles = sorted(room["title"] for room in sandbox_state(sandbox)["rooms"])
    assert titles == sorted([f"Client - {FIRST[c][0]}" for c in FIRST] + ["Client - Firma 3 Reisen OHG"]), (
        titles
    )
