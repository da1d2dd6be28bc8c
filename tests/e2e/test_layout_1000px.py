"""Every page at 1000 px wide (a laptop with the sidebar open): no metric and no button is cut.

Streamlit ends a label that does not fit with an ellipsis; a cut figure or button reads wrong
("Already do…"). Each page is drawn with data (an upload, a finished run), photographed into
artifacts/screenshots/40-*-1000.png, and every metric label, metric value and button label is
checked to fit its box, and so is every toggle's label. The Upload grid's first screen reaches the e-mail column and a row's
problems fit on screen whole; the Results page's day filter label and its figures read at 1000
and 1400 px; the drift panel's table shows its three columns whole at 1000 px. The module has its
own server, so other modules' journals are untouched; the example list is onboarded on it once
(:func:`onboarded`); the drift panel has a server of its own on a sandbox the test can change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import _serve
from playwright.sync_api import Browser, Locator, Page, expect
from support.browser import (
    ROOT,
    by_key,
    click_button,
    click_grid_at,
    go_to,
    shot,
    upload,
    wait_for_app,
    wait_for_layout,
)

import docspace_sandbox
from onboarding.docspace import DocSpaceClient, FileShare, Invitation, LinkRequest, LinkType

pytestmark = pytest.mark.e2e

WIDTH = 1000
EXAMPLE = ROOT / "examples" / "clients.xlsx"
ROW_HEIGHT = 35
"""The canvas grid's header and row height (px)."""
MAX_STEPS = 8
"""Cells the keyboard moves right of the e-mail, at most, looking for the Problems column."""
CUT = """() => {
    const boxes = document.querySelectorAll(
        '[data-testid="stMetricLabel"], [data-testid="stMetricValue"], [data-testid="stBaseButton-primary"],'
        + '[data-testid="stBaseButton-secondary"], [data-testid="stPageLink"],'
        + '[data-testid="stCheckbox"] [data-testid="stWidgetLabel"]');
    const cut = [];
    for (const box of boxes) {
        if (box.closest('[data-stale="true"]') || !box.offsetParent) continue;
        for (const el of [box, ...box.querySelectorAll("*")]) {
            if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible") {
                cut.push(box.innerText.trim());
                break;
            }
        }
    }
    return cut;
}"""
"""The text of each visible metric label/value, button, page link or toggle label whose content
overflows its box (a toggle's own box holds a 1 px hidden input: only its label is measured)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's own dashboard (zero-configuration sandbox, empty journal)."""
    yield from _serve(tmp_path_factory.mktemp("e2e-layout"))


@pytest.fixture(scope="module")
def onboarded(browser: Browser, server: str) -> str:
    """The example list uploaded and onboarded once on this module's server (in a page of its own);
    yields the server's URL. The upload is the sandbox operator's draft, so every new page has it."""
    _onboard_example(browser, server)
    return server


def _onboard_example(browser: Browser, url: str) -> None:
    """The example list uploaded and onboarded on the dashboard at ``url``, in a page of its own."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 1100})
    page.goto(url)
    wait_for_app(page)
    go_to(page, "Upload")
    upload(page, EXAMPLE)
    go_to(page, "Onboard")
    click_button(page, "onboard_start_batch")
    expect(page.get_by_text(re.compile(r"Run \S+ — Finished")).first).to_be_visible(timeout=60_000)
    page.close()


def _check(page: Page, name: str) -> list[str]:
    wait_for_app(page)
    shot(page, f"40-{name}-{WIDTH}")
    cut: list[str] = page.evaluate(CUT)
    return [f"{name}: {text!r}" for text in cut]


def test_every_page_fits_1000_px(page: Page, onboarded: str) -> None:
    """Home, Upload, Onboard, Clients, Results and Settings (each tab) show every metric, button and
    toggle label whole."""
    page.set_viewport_size({"width": WIDTH, "height": 1100})
    page.goto(onboarded)
    wait_for_app(page)
    go_to(page, "Upload")
    upload(page, EXAMPLE)

    cut: list[str] = []
    go_to(page, "Home")
    cut += _check(page, "home")
    for title in ("Upload", "Onboard", "Clients", "Results"):
        go_to(page, title)
        cut += _check(page, title.lower())
    go_to(page, "Settings")
    cut += _check(page, "settings-connection")
    for tab in ("Blueprint", "Limits"):
        page.get_by_role("tab", name=tab).click()
        cut += _check(page, f"settings-{tab.lower()}")
    assert not cut, cut


def test_the_page_icon_is_served_by_the_dashboard(page: Page, server: str) -> None:
    """The favicon is the bundled file, served by the dashboard itself (nothing fetched from a font host)."""
    page.goto(server)
    wait_for_app(page)
    icon = page.locator('link[rel~="icon"]').first
    href = icon.get_attribute("href") or ""
    assert href and "://" not in href.replace(server, ""), href
    reply = page.request.get(href if "://" in href else f"{server}/{href.lstrip('./')}")
    assert reply.ok and reply.body()[:8] == b"\x89PNG\r\n\x1a\n"


def _rows_grid(page: Page) -> Locator:
    """The Upload page's Rows grid (the data editor keyed ``upload_rows_<n>``), scrolled into view and
    laid out. Found by its key: the grid draws only the cells on screen, so a cell may be gone."""
    grid = page.locator('[class*="st-key-upload_rows_"]').get_by_test_id("stDataFrame")
    grid.scroll_into_view_if_needed()
    wait_for_layout(grid.get_by_test_id("data-grid-canvas"))
    return grid


def _header(grid: Locator, name: str) -> Locator:
    """The header of the grid's column ``name``, present only while the column is drawn on screen.

    The canvas grid lists the columns it draws in a table for assistive technology; the table is
    never rendered itself (so role locators, which skip hidden elements, do not see it).
    """
    return grid.locator('th[role="columnheader"]').filter(has_text=re.compile(f"^{re.escape(name)}$"))


def _column(grid: Locator, header: str) -> str:
    """The grid's ``aria-colindex`` of the column with this header (the header must be drawn)."""
    index = _header(grid, header).get_attribute("aria-colindex")
    assert index is not None, header
    return index


def _click_near_the_right_edge(page: Page, url: str) -> Locator:
    """The Upload grid at 1000 px, clicked near its right edge on the first row; returns the grid."""
    page.set_viewport_size({"width": WIDTH, "height": 1100})
    page.goto(url)
    wait_for_app(page)
    go_to(page, "Upload")
    grid = _rows_grid(page)
    expect(_header(grid, "E-mail address")).to_have_count(1)
    box = grid.bounding_box()
    assert box is not None
    click_grid_at(grid, box["width"] - 40, ROW_HEIGHT * 1.5)
    return grid


def test_the_upload_grid_reaches_the_email_column_at_1000_px(page: Page, onboarded: str) -> None:
    """At 1000 px the Upload grid's first screen reaches the e-mail column: a click near its right edge lands in it."""
    grid = _click_near_the_right_edge(page, onboarded)
    email = _column(grid, "E-mail address")
    expect(grid.locator('td[aria-selected="true"]')).to_have_attribute("aria-colindex", email)
    shot(page, f"41-upload-grid-{WIDTH}")


def test_the_upload_grid_shows_a_rows_check_and_problems_together_at_1000_px(
    page: Page, onboarded: str
) -> None:
    """At 1000 px a Problems cell fits on screen whole: scrolled to with the keyboard, the grid still draws the Check before it."""
    grid = _click_near_the_right_edge(page, onboarded)
    selected = grid.locator('td[aria-selected="true"]')
    expect(selected).to_have_attribute("aria-colindex", _column(grid, "E-mail address"))
    # Move right a cell at a time (the grid scrolls each into view) until the Problems cell is selected.
    for _ in range(MAX_STEPS):
        before = selected.get_attribute("aria-colindex") or ""
        page.keyboard.press("ArrowRight")
        expect(selected).not_to_have_attribute("aria-colindex", before)
        at = selected.get_attribute("aria-colindex")
        if grid.locator(f'th[aria-colindex="{at}"]').inner_text() == "Problems":
            break
    else:
        raise AssertionError(f"no Problems column within {MAX_STEPS} cells right of the e-mail")
    expect(_header(grid, "Check")).to_have_count(1)
    shot(page, f"41-upload-problems-{WIDTH}")


LINES = """(el) => {
    const p = el.querySelector("p") || el;
    return el.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight);
}"""
"""How many text lines high an element is."""


def test_the_results_day_filter_label_takes_at_most_two_lines(page: Page, onboarded: str) -> None:
    """On Results, the "Not joined" filter's label is at most two lines high at 1000 and at 1400 px."""
    page.goto(onboarded)
    wait_for_app(page)
    go_to(page, "Results")
    label = by_key(page, "results_not_joined").get_by_test_id("stWidgetLabel")
    for width in (WIDTH, 1400):
        page.set_viewport_size({"width": width, "height": 1100})
        wait_for_app(page)
        wait_for_layout(label)
        lines = label.evaluate(LINES)
        assert lines < 2.5, f"{width} px: the label is {lines:.1f} lines high"
        shot(page, f"42-results-filters-{width}")


def test_the_results_figures_share_one_row(page: Page, onboarded: str) -> None:
    """On Results, the five figures (Clients shown … Other) stand on one row at 1000 and at 1400 px."""
    page.goto(onboarded)
    wait_for_app(page)
    go_to(page, "Results")
    metrics = page.get_by_test_id("stMetric")
    expect(metrics).to_have_count(5)
    for width in (WIDTH, 1400):
        page.set_viewport_size({"width": width, "height": 1100})
        wait_for_app(page)
        wait_for_layout(metrics.last)
        tops = {
            m.inner_text().splitlines()[0]: round((m.bounding_box() or {"y": -1})["y"]) for m in metrics.all()
        }
        assert len(set(tops.values())) == 1, f"{width} px: {tops}"


OUTSIDER = "eve.outsider.with.a.rather.long.name@example.org"
GRID_OVERFLOW = """(grid) => {
    const scroller = grid.querySelector(".dvn-scroller");
    return scroller ? scroller.scrollWidth - scroller.clientWidth : -1;
}"""
"""How many px of a canvas grid's columns lie beyond its right edge (-1: no grid drawn)."""


@pytest.fixture(scope="module")
def drifted(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dashboard on a sandbox of the test's own, the example list onboarded, then one room
    changed by hand: an outsider with a long address invited, the client link deleted."""
    box = docspace_sandbox.start(port=0)
    env = {"DOCSPACE_URL": box.url, "DOCSPACE_API_KEY": box.api_key, "DOCSPACE_ALLOW_UNAUTHENTICATED": "true"}
    try:
        for url in _serve(tmp_path_factory.mktemp("e2e-drift"), env):
            _onboard_example(browser, url)
            api = DocSpaceClient(box.url, box.api_key)
            room = box.state()["rooms"][0]
            api.share_room(room["id"], [Invitation(access=FileShare.READ, email=OUTSIDER)])
            (lk,) = api.room_links(room["id"])
            req = LinkRequest(
                link_type=LinkType(lk.link_type), access=FileShare.NONE, link_id=lk.shared_link.id
            )
            api.set_room_link(room["id"], req)
            yield url
    finally:
        box.stop()


def test_the_drift_table_shows_every_column_at_1000_px(page: Page, drifted: str) -> None:
    """After an audit at 1000 px, a client's differences (a long member address, a deleted link's
    address) fit the panel: no column of the table lies beyond its edge, "found" included."""
    page.set_viewport_size({"width": WIDTH, "height": 1100})
    page.goto(drifted)
    wait_for_app(page)
    go_to(page, "Results")
    click_button(page, "drift_audit")
    grid = page.locator('[class*="st-key-drift_client_"]').get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    wait_for_layout(grid.get_by_test_id("data-grid-canvas"))
    expect(grid.locator('th[role="columnheader"]').filter(has_text=re.compile("^found$"))).to_have_count(1)
    shot(page, f"43-results-drift-{WIDTH}")
    overflow = grid.evaluate(GRID_OVERFLOW)
    assert overflow == 0, f"{overflow} px of the drift table lie beyond its right edge"


@pytest.fixture(scope="module")
def with_webhook(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dashboard with a CRM webhook configured (so Re-send joins the action buttons), the
    example list onboarded."""
    env = {
        "DOCSPACE_WEBHOOK_URL": "http://127.0.0.1:9/hook",
        "DOCSPACE_WEBHOOK_SECRET": "0123456789abcdef0123",
    }
    for url in _serve(tmp_path_factory.mktemp("e2e-webhook"), env):
        _onboard_example(browser, url)
        yield url


def _boxes_meet(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("width", [1000, 1100, 1400])
def test_the_clients_grid_toolbar_never_covers_an_action_button(
    browser: Browser, with_webhook: str, width: int
) -> None:
    """Every client selected, the pointer on the grid: the grid's toolbar (which floats above it)
    covers none of Onboard, Archive, Restore, Re-send (at 1100 px Re-send sat under it)."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(with_webhook)
        wait_for_app(page)
        go_to(page, "Clients")
        grid = page.locator('[data-testid="stDataFrame"]').first
        click_grid_at(grid, 18, 18)  # the header's box: select all shown
        expect(by_key(page, "clients_resend").get_by_role("button")).to_contain_text("Re-send 13")
        box = grid.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 60)
        toolbar = page.locator('[data-testid="stElementToolbar"]').first
        expect(toolbar).to_be_visible()
        bar = toolbar.bounding_box()
        assert bar is not None
        for key in ("clients_onboard", "clients_restore", "clients_resend"):
            button = by_key(page, key).get_by_role("button").bounding_box()
            assert button is not None and not _boxes_meet(bar, button), (key, bar, button)
        shot(page, f"44-clients-toolbar-{width}")
    finally:
        page.close()
