"""Waiting, locating and screenshots for the browser tests (streamlit e2e conventions)."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"


def wait_for_app(page: Page, timeout: float = 30_000) -> None:
    """Wait until the script run finished (Streamlit marks the app root ``notRunning``)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    # Skeletons stand in for elements still on their way; on a loaded machine that can take a while.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)
    # A run that ends in ``st.rerun()`` can show "notRunning" before the run it asked for has
    # drawn: the previous run's elements are then still on the page, marked stale, beside the new
    # ones (two copies of a moved widget, seen in CI at 1815f30). Streamlit drops them when a run
    # completes, so none left means the page is the last run's.
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=timeout)


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the visible page to artifacts/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def by_key(page: Page, key: str) -> Locator:
    """The element of the widget with this ``key`` (Streamlit adds the class ``st-key-<key>``)."""
    # Never a stale copy a rerun has not yet removed (see ``wait_for_app``).
    return page.locator(f'.st-key-{key}:not([data-stale="true"])')


_WATCH_RERUN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__rerunSeen = false;
    if (window.__rerunWatch) window.__rerunWatch.disconnect();
    window.__rerunWatch = new MutationObserver((records) => {
        for (const r of records) {
            if (r.oldValue === "running" || app.getAttribute("data-test-script-state") === "running") {
                window.__rerunSeen = true;
            }
        }
    });
    window.__rerunWatch.observe(app, {attributes: true, attributeOldValue: true,
                                      attributeFilter: ["data-test-script-state"]});
}"""
"""Records (in ``window.__rerunSeen``) that a script run started after this point, however short."""


RERUN_START_TIMEOUT = 5_000
"""How long a click's rerun may take to show as started (a loaded machine answers slowly)."""


def rerun_after(page: Page, action: Callable[[], None], timeout: float = 30_000) -> None:
    """Do ``action`` (a click, a key press) and wait until the script run it caused has finished.

    Waiting only for the ``notRunning`` state right after a click can return before the rerun has
    even started, and the next step then meets the previous run's (stale) elements. A mutation
    observer armed before the action sees the run start, however short it is.
    """
    page.evaluate(_WATCH_RERUN)
    action()
    # A run short enough to start and end within one render never shows "running": then the
    # page is simply waited for.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function("() => window.__rerunSeen === true", timeout=RERUN_START_TIMEOUT)
    wait_for_app(page, timeout)


def click_button(page: Page, key: str) -> None:
    """Click the button with this key and wait for the rerun it causes to finish."""
    rerun_after(page, by_key(page, key).get_by_role("button").click)


HEADINGS = {
    "Home": "DocSpace Onboarding",
    "Upload": "Upload clients",
    "Onboard": "Onboard clients",
    "Clients": "Clients",
    "Results": "Results",
    "Settings": "Settings",
}


NAVIGATION_ATTEMPTS = 3
"""A page switch is clicked again when the page it opens has not appeared after 10 s."""


def go_to(page: Page, title: str) -> None:
    """Open a page from the sidebar navigation and wait until it is drawn.

    A rerun the previous page still had queued (a file uploader's second run, say) carries that
    page's own address and can land after the switch: the browser then shows the old page again
    and the click is lost (seen under load: "Upload clients" still shown 5 s after a click on
    Home). Opening a page twice is harmless, so an unanswered click is clicked again.
    """
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
    # exact: "Clients" would otherwise match the Upload page's "Upload clients"
    heading = page.get_by_role("heading", level=1, name=HEADINGS[title], exact=True)
    for attempt in range(1, NAVIGATION_ATTEMPTS + 1):
        link.click()
        try:
            expect(heading).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            if attempt == NAVIGATION_ATTEMPTS:
                raise
            wait_for_app(page)
    wait_for_app(page)
    expect(link).to_have_attribute("aria-current", "page")


def metric_value(page: Page, label: str) -> Locator:
    """The value of the ``st.metric`` with this label."""
    box = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return box.get_by_test_id("stMetricValue")


def expect_metric(page: Page, label: str, value: str) -> None:
    """Wait until the metric with this label shows ``value``."""
    expect(metric_value(page, label)).to_have_text(value)


def upload(page: Page, path: Path) -> None:
    """Give the Upload page's file input this file and wait until it is the file in use."""
    by_key(page, "upload_file").locator('input[type="file"]').set_input_files(str(path))
    expect(page.get_by_text(f"In use: {path.name}")).to_be_visible()
    wait_for_app(page)


def sandbox_url(page: Page) -> str:
    """The built-in sandbox portal's address, as the Home page states it (zero-configuration mode)."""
    said = page.get_by_test_id("stMarkdown").filter(has_text="Sandbox portal:").locator("code")
    return said.inner_text()


def sandbox_control(url: str, name: str, body: dict[str, object]) -> dict[str, object]:
    """POST to the sandbox's loopback control plane (``/__sandbox__/<name>``); returns its answer."""
    data = json.dumps(body).encode()
    req = urllib.request.Request(f"{url}/__sandbox__/{name}", data=data, method="POST")
    with urllib.request.urlopen(req, timeout=5) as reply:
        assert reply.status == 200
        answer: dict[str, object] = json.loads(reply.read())
        return answer


def sandbox_state(url: str) -> dict[str, Any]:
    """The sandbox portal's rooms as its control plane lists them (``GET /__sandbox__/state``)."""
    with urllib.request.urlopen(f"{url}/__sandbox__/state", timeout=5) as reply:
        state: dict[str, Any] = json.loads(reply.read())
        return state


_SETTLED_FRAMES = """(el) => {
    if (!el.isConnected) return "replaced";
    const r = el.getBoundingClientRect();
    const size = `${r.x},${r.y},${r.width},${r.height}`;
    el.__settled = el.__size === size ? (el.__settled || 0) + 1 : 0;
    el.__size = size;
    return r.width > 0 && r.height > 0 && el.__settled >= 5;
}"""
"""True once the element kept the same non-empty box for five animation frames in a row;
"replaced" when a re-draw took it off the page."""


def wait_for_layout(locator: Locator, timeout: float = 30_000) -> None:
    """Wait until the element is laid out: drawn with a size that no longer changes.

    A canvas grid (``st.dataframe``) is sized after it is attached; a click that lands while it is
    still being laid out hits the wrong cell or none. Waiting for a settled box removes the race
    instead of retrying the click. A re-draw (the page's last rerun after a batch ends) may replace
    the element while it is watched: then the element now on the page is watched instead (before,
    the removed one was watched until the timeout, in CI at 9f1da12).
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        left = max(1_000.0, (deadline - time.monotonic()) * 1000)
        handle = locator.element_handle(timeout=left)
        settled = locator.page.wait_for_function(_SETTLED_FRAMES, arg=handle, polling="raf", timeout=left)
        if settled.json_value() is True:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{locator} kept being replaced for {timeout / 1000:.0f} s")


def click_grid_at(grid: Locator, x: float, y: float) -> None:
    """Click a canvas grid ``x``, ``y`` px from its top-left corner, once it is in the viewport and
    laid out: a mouse click outside the viewport goes nowhere, and one on a grid still being sized
    hits the wrong cell or none."""
    grid.scroll_into_view_if_needed()
    wait_for_layout(grid.get_by_test_id("data-grid-canvas"))
    box = grid.bounding_box()
    assert box is not None
    grid.page.mouse.click(box["x"] + x, box["y"] + y)


def toggle_first_row(page: Page) -> None:
    """Untick the first data row's "Onboard" checkbox in the canvas grid, once, when the grid is laid out."""
    wait_for_app(page)
    grid = page.get_by_test_id("stDataFrame").first
    cell = grid.get_by_test_id("glide-cell-0-0")
    expect(cell).to_have_text("true")
    # Select the cell beside its checkbox (a click on the box itself would toggle it too), then toggle
    # with the space bar, once the grid has taken the selection (a key pressed before goes nowhere).
    click_grid_at(grid, 72, 35 + 17)
    expect(cell).to_have_attribute("aria-selected", "true")
    # The grid's accessible copy of the cell is refreshed lazily (it may say "true" long after the
    # box is cleared), so the edit is awaited as the rerun it causes; callers check what it changed.
    rerun_after(page, lambda: page.keyboard.press(" "))
