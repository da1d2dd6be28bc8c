"""The whole flow in a browser, against the zero-configuration sandbox.

The tests share one server and run in order: upload and onboard one row, onboard the rest as a
batch (reloading the page in the middle), then read the results and download the CSV. Each page
is photographed into artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from support.browser import (
    ROOT,
    by_key,
    click_button,
    expect_metric,
    go_to,
    sandbox_control,
    sandbox_url,
    shot,
    toggle_first_row,
    upload,
    wait_for_app,
)

from ui.chrome import SANDBOX_BANNER
from ui.live import widget_id

pytestmark = pytest.mark.e2e

EXAMPLE = ROOT / "examples" / "clients.xlsx"
FINISH_TIMEOUT = 60_000


def test_home_and_settings_pages(app: Page) -> None:
    """Home and Settings render in zero-configuration mode, each saying it is the sandbox."""
    expect(page_banner(app)).to_be_visible()
    # An address in Markdown carries an invisible word joiner after its @ (display.md: no mailto link)
    expect(app.get_by_text(re.compile("owner@\u2060?sandbox\\.example")).first).to_be_visible()
    shot(app, "01-home")
    go_to(app, "Settings")
    expect(page_banner(app)).to_be_visible()
    click_button(app, "settings_test")
    expect(app.get_by_text("Connected: the key belongs to")).to_be_visible()
    shot(app, "05-settings-connection")
    app.get_by_role("tab", name="Blueprint").click()
    expect(app.get_by_text("Room title pattern")).to_be_visible()
    shot(app, "06-settings-blueprint")


def slow_down(sandbox: str, latency_ms: int) -> None:
    """Give every call to the (zero-configuration) sandbox portal a delay, via its control plane."""
    sandbox_control(sandbox, "faults", {"spec": f"latency_ms={latency_ms}" if latency_ms else "off"})


def page_banner(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stAlert").filter(has_text=SANDBOX_BANNER).first


def test_upload_select_and_onboard_one_row(app: Page) -> None:
    """Upload the example workbook, change the selection, and onboard one client by its row button."""
    go_to(app, "Upload")
    upload(app, EXAMPLE)
    expect_metric(app, "Valid", "13")
    expect_metric(app, "With errors", "2")
    expect_metric(app, "Selected", "13")
    toggle_first_row(app)
    expect_metric(app, "Selected", "12")
    click_button(app, "upload_select_all")
    expect_metric(app, "Selected", "13")
    shot(app, "02-upload")

    go_to(app, "Onboard")
    expect_metric(app, "To create", "13")
    shot(app, "03-onboard-plan")
    click_button(app, f"onboard_one_{widget_id('CL-1001')}")
    # A finished run folds into one line (its bar and table are under "Details").
    # (.first: while the page reruns, the line being replaced may briefly be on the page twice)
    expect(app.get_by_text(re.compile(r"Run \S+ — Finished: 1 onboarded")).first).to_be_visible(
        timeout=FINISH_TIMEOUT
    )
    wait_for_app(app)
    expect_metric(app, "Already done", "1")
    row = by_key(app, f"onboard_row_{widget_id('CL-1001')}")
    expect(row).to_contain_text("onboarded")
    row.scroll_into_view_if_needed()
    shot(app, "03a-onboard-rows")


def test_batch_survives_a_reload(app: Page) -> None:
    """ "Onboard N selected" runs on the server: a reload mid-batch shows it live, and it completes."""
    sandbox = sandbox_url(app)
    go_to(app, "Upload")
    upload(app, EXAMPLE)
    go_to(app, "Onboard")
    expect_metric(app, "To create", "12")
    # From here every portal call takes 1.5 s: a client needs several calls in a row, so the batch
    # outlasts the reload whatever the machine's speed (it is sped up again once seen live).
    slow_down(sandbox, latency_ms=1500)
    click_button(app, "onboard_start_batch")
    expect(app.get_by_text("Progress", exact=True)).to_be_visible()
    app.reload()
    # No wait for the whole page: the upload comes back from the draft and is planned again against
    # the slowed portal, while the live run is drawn before that plan (and may end meanwhile).
    expect(app.get_by_text(re.compile(r"Run \S+ — running"))).to_be_visible(timeout=15_000)
    expect(
        app.get_by_test_id("stProgress").filter(has_text=re.compile(r"\d+ of 13 clients finished"))
    ).to_be_visible()
    shot(app, "03b-onboard-progress-after-reload")
    slow_down(sandbox, latency_ms=0)
    finished = re.compile(r"Run \S+ — Finished: 12 onboarded, 1 already onboarded")
    expect(app.get_by_text(finished)).to_be_visible(timeout=FINISH_TIMEOUT)
    wait_for_app(app)
    shot(app, "03c-onboard-finished")


def test_results_list_rooms_and_the_csv_holds_them(app: Page) -> None:
    """Results list every room with a link; the downloaded CSV holds the same rooms."""
    go_to(app, "Results")
    expect_metric(app, "Onboarded", "13")
    expect(by_key(app, "results_table")).to_be_visible()
    expect(app.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    shot(app, "04-results")
    with app.expect_download() as info:
        by_key(app, "results_download_csv").get_by_role("button").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 13
    acme = next(r for r in rows if r["client_id"] == "CL-1001")
    assert acme["room_title"] == "Client - Acme Corporation"
    assert acme["room_url"].startswith("http")
    assert acme["client_link"].startswith("http")
    assert all(r["status"] == "onboarded" for r in rows)
