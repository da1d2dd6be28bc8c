"""Every page at 1000 px wide (a laptop with the sidebar open): no metric and no button is cut.

Streamlit ends a label that does not fit with an ellipsis; a cut figure or button reads wrong
("Already do…"). Each page is drawn with data (an upload, a finished run), photographed into
artifacts/screenshots/40-*-1000.png, and every metric label, metric value and button label is
checked to fit its box. The module has its own server, so other modules' journals are untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import _serve
from playwright.sync_api import Page, expect
from support.browser import ROOT, click_button, go_to, shot, upload, wait_for_app

pytestmark = pytest.mark.e2e

WIDTH = 1000
CUT = """() => {
    const boxes = document.querySelectorAll(
        '[data-testid="stMetricLabel"], [data-testid="stMetricValue"], [data-testid="stBaseButton-primary"],'
        + '[data-testid="stBaseButton-secondary"], [data-testid="stPageLink"]');
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
"""The text of each visible metric label/value, button or page link whose content overflows its box."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's own dashboard (zero-configuration sandbox, empty journal)."""
    yield from _serve(tmp_path_factory.mktemp("e2e-layout"))


def _check(page: Page, name: str) -> list[str]:
    wait_for_app(page)
    shot(page, f"40-{name}-{WIDTH}")
    cut: list[str] = page.evaluate(CUT)
    return [f"{name}: {text!r}" for text in cut]


def test_every_page_fits_1000_px(page: Page, server: str) -> None:
    """Home, Upload, Onboard, Clients, Results and Settings (each tab) show every metric and button whole."""
    page.set_viewport_size({"width": WIDTH, "height": 1100})
    page.goto(server)
    wait_for_app(page)
    go_to(page, "Upload")
    upload(page, ROOT / "examples" / "clients.xlsx")
    go_to(page, "Onboard")
    click_button(page, "onboard_start_batch")
    expect(page.get_by_text(re.compile(r"Run \S+ — Finished")).first).to_be_visible(timeout=60_000)

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
