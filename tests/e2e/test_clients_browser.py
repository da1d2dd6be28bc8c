"""The Clients table in a real browser: row actions, copying the link and the invitation, a failed
client retried, and a room archived and restored — on the zero-configuration sandbox.

The tests share one server of their own (so the other flows' clients do not show up here) and run
in order. Screenshots go to artifacts/screenshots/clients-*.png at 1400 and 1000 px.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _serve
from playwright.sync_api import Locator, Page, expect
from support.browser import (
    ROOT,
    by_key,
    click_button,
    click_grid_at,
    go_to,
    rerun_after,
    sandbox_control,
    sandbox_url,
    shot,
    upload,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

EXAMPLE = ROOT / "examples" / "clients.xlsx"
FINISH_TIMEOUT = 60_000
ROW_HEIGHT = 35


@pytest.fixture(scope="module")
def clients_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dashboard of its own; one attempt per call, so an injected failure fails the client at once."""
    yield from _serve(tmp_path_factory.mktemp("e2e-clients"), {"DOCSPACE_RETRY_ATTEMPTS": "1"})


@pytest.fixture
def app(page: Page, clients_server: str) -> Page:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=clients_server)
    page.goto(clients_server)
    wait_for_app(page)
    return page


def grid(page: Page) -> Locator:
    return page.get_by_test_id("stDataFrame").first


def cell(page: Page, column: int, row: int) -> Locator:
    """A cell of the Clients table (column 1 is the state, 2 the client id; 0 is the row's box)."""
    return grid(page).get_by_test_id(f"glide-cell-{column}-{row}")


def tick(page: Page, row: int) -> None:
    """Click the selection box of a row of the Clients table."""
    click_grid_at(grid(page), 18, ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
    wait_for_app(page)


def clipboard_after_copy(page: Page, code: Locator) -> str:
    """Click the copy button of a code block and read what it put on the clipboard."""
    code.hover()
    code.get_by_role("button", name="Copy to clipboard").click()
    return str(page.evaluate("navigator.clipboard.readText()"))


def sandbox_faults(page: Page, rules: list[dict[str, object]]) -> None:
    """Script the built-in sandbox portal's faults through its control plane (the URL on Home)."""
    go_to(page, "Home")
    sandbox_control(sandbox_url(page), "faults", {"rules": rules} if rules else {"spec": "off"})


def test_onboard_a_row_copy_its_link_and_invitation(app: Page) -> None:
    """The upload's rows are new; one row onboarded from the table turns onboarded in place, and its
    link and invitation e-mail copy to the clipboard."""
    go_to(app, "Upload")
    upload(app, EXAMPLE)
    go_to(app, "Clients")
    expect(cell(app, 1, 0)).to_have_text("○ new")
    expect(cell(app, 2, 0)).to_have_text("CL-1001")
    shot(app, "clients-01-new-1400")
    tick(app, 0)
    expect(by_key(app, "clients_onboard")).to_contain_text("Onboard 1")
    click_button(app, "clients_onboard")
    expect(cell(app, 1, 0)).to_have_text("✔ onboarded", timeout=FINISH_TIMEOUT)
    wait_for_app(app)
    drawer = by_key(app, "clients_drawer")
    expect(drawer).to_contain_text("Acme Corporation")
    link_block, mail_block = drawer.get_by_test_id("stCode").nth(0), drawer.get_by_test_id("stCode").nth(1)
    link = link_block.inner_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/s/\S+", link), link
    assert clipboard_after_copy(app, link_block) == link
    mail = clipboard_after_copy(app, mail_block)
    assert mail.startswith("To: contact@acme.example.com\nSubject: Your document room")
    assert link in mail
    drawer.scroll_into_view_if_needed()
    shot(app, "clients-02-drawer-1400")
    app.set_viewport_size({"width": 1000, "height": 1100})
    drawer.scroll_into_view_if_needed()
    shot(app, "clients-02-drawer-1000")


def test_a_failed_client_is_retried_from_the_table(app: Page) -> None:
    """A client whose link cannot be made shows failed with the error; Retry finishes the same room."""
    sandbox_faults(app, [{"fault": "error500", "path": "/links$", "method": "PUT", "times": None}])
    go_to(app, "Upload")
    upload(app, EXAMPLE)  # each test is a new browser session
    go_to(app, "Clients")
    expect(cell(app, 2, 1)).to_have_text("CL-1002")
    tick(app, 1)
    click_button(app, "clients_onboard")
    expect(cell(app, 1, 1)).to_have_text("✖ failed", timeout=FINISH_TIMEOUT)
    wait_for_app(app)
    expect(by_key(app, "clients_drawer").get_by_test_id("stAlert")).to_be_visible()
    expect(by_key(app, "clients_onboard")).to_contain_text("Retry 1")
    shot(app, "clients-03-failed-1400")
    sandbox_faults(app, [])
    go_to(app, "Clients")
    tick(app, 1)
    click_button(app, "clients_onboard")
    expect(cell(app, 1, 1)).to_have_text("✔ onboarded", timeout=FINISH_TIMEOUT)


def test_archive_then_restore_from_the_archive(app: Page) -> None:
    """Archive asks first (a secondary button); the row turns archived without a link; Restore
    brings the client back onboarded with a link."""
    go_to(app, "Clients")
    expect(cell(app, 2, 0)).to_have_text("CL-1001")
    tick(app, 0)
    by_key(app, "clients_archive_menu").get_by_role("button").first.click()
    confirm = by_key(app, "clients_archive_confirm").get_by_role("button")
    expect(confirm).to_have_attribute("data-testid", "stBaseButton-secondary")
    confirm.click()
    wait_for_app(app)
    expect(cell(app, 1, 0)).to_have_text("▣ archived", timeout=FINISH_TIMEOUT)
    expect(app.get_by_text("Moved to the Archive")).to_be_visible()
    expect(by_key(app, "clients_drawer")).to_contain_text("the client link is hidden")
    expect(by_key(app, "clients_drawer").get_by_test_id("stCode")).to_have_count(0)
    shot(app, "clients-04-archived-1400")
    app.set_viewport_size({"width": 1000, "height": 1100})
    shot(app, "clients-04-archived-1000")
    app.set_viewport_size({"width": 1400, "height": 1300})
    click_button(app, "clients_restore")
    expect(cell(app, 1, 0)).to_have_text("✔ onboarded", timeout=FINISH_TIMEOUT)
    expect(app.get_by_text(re.compile("Restored Acme Corporation"))).to_be_visible()
    expect(by_key(app, "clients_drawer").get_by_test_id("stCode").first).to_contain_text("/s/")
    shot(app, "clients-05-restored-1400")
    app.set_viewport_size({"width": 1000, "height": 1100})
    shot(app, "clients-05-restored-1000")


def test_bulk_onboard_with_one_failure_then_archive_one(app: Page) -> None:
    """Every row ticked at once onboards the new ones in one run (the done ones are left out); one
    that fails and one archived afterwards are counted as such. Its screenshot is the README's."""
    go_to(app, "Upload")
    upload(app, EXAMPLE)
    sandbox_faults(app, [{"fault": "error500", "path": "/links$", "method": "PUT", "times": 1}])
    go_to(app, "Clients")
    expect(app.get_by_text("13 of 13 clients shown: 11 new · 2 onboarded").first).to_be_visible()
    click_grid_at(grid(app), 18, ROW_HEIGHT / 2)  # the header's box: all rows
    wait_for_app(app)
    expect(by_key(app, "clients_onboard")).to_contain_text("Onboard 11")
    click_button(app, "clients_onboard")
    expect(app.get_by_text("13 of 13 clients shown: 12 onboarded · 1 failed").first).to_be_visible(
        timeout=FINISH_TIMEOUT
    )
    wait_for_app(app)
    nothing_selected = app.get_by_text("Select rows (the boxes at the left)")
    for _attempt in range(3):  # the page re-draws once more when the run ends: a click may land in it
        click_grid_at(grid(app), 18, ROW_HEIGHT / 2)  # clear the selection
        wait_for_app(app)
        try:
            expect(nothing_selected).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            continue
    expect(nothing_selected).to_be_visible()
    archive_one = app.locator(".st-key-clients_archive_menu", has_text="Archive 1")
    for _attempt in range(3):  # a click that lands while the page re-draws is lost: tick again
        tick(app, 0)
        try:
            expect(archive_one.first).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            expect(nothing_selected).to_be_visible()  # lost, not half-taken: nothing is selected
    expect(archive_one.first).to_be_visible()
    wait_for_app(app)
    by_key(app, "clients_archive_menu").get_by_role("button").first.click()
    by_key(app, "clients_archive_confirm").get_by_role("button").click()
    wait_for_app(app)
    expect(
        app.get_by_text("13 of 13 clients shown: 11 onboarded · 1 failed · 1 archived").first
    ).to_be_visible()
    tick(app, 0)
    tick(app, 2)
    expect(by_key(app, "clients_drawer")).to_contain_text("Initech Software")
    shot(app, "clients-06-table-1400")
    app.set_viewport_size({"width": 1000, "height": 1100})
    shot(app, "clients-06-table-1000")


def test_results_csv_for_excel_has_a_byte_order_mark_and_real_titles(app: Page) -> None:
    """Results' "CSV for Excel" download starts with the UTF-8 byte-order mark and carries each
    room's real title; the archived client counts as archived; the Clients table's own CSV of the
    clients shown has the mark too."""
    go_to(app, "Results")
    expect(app.get_by_test_id("stMetric").filter(has_text="Archived")).to_contain_text("1")
    # The toggle's rerun gives the download button a new id (a deferred download's id changes on
    # every run): clicking before that run is drawn would use the old one, which the run revoked.
    rerun_after(app, by_key(app, "results_csv_excel").get_by_text("CSV for Excel").click)
    with app.expect_download() as info:
        by_key(app, "results_download_csv").get_by_role("button").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Client - Initech Software" in text and "Müller & Söhne GmbH" in text
    shot(app, "clients-07-results-1400")
    go_to(app, "Clients")
    rerun_after(app, by_key(app, "clients_csv_excel").get_by_text("for Excel").click)
    with app.expect_download() as info:
        by_key(app, "clients_download_csv").get_by_role("button").click()
    shown = Path(info.value.path()).read_bytes()
    assert shown.startswith(b"\xef\xbb\xbf") and shown.decode("utf-8-sig").count("\r\n") == 14  # header + 13
