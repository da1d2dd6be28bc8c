"""Waiting, locating and screenshots for the browser tests (streamlit e2e conventions)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"


def wait_for_app(page: Page, timeout: float = 30_000) -> None:
    """Wait until the script run finished (Streamlit marks the app root ``notRunning``)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    # Skeletons stand in for elements still on their way; on a loaded machine that can take a while.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the visible page to artifacts/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def by_key(page: Page, key: str) -> Locator:
    """The element of the widget with this ``key`` (Streamlit adds the class ``st-key-<key>``)."""
    return page.locator(f".st-key-{key}")


def click_button(page: Page, key: str) -> None:
    """Click the button with this key and wait for the rerun to finish."""
    by_key(page, key).get_by_role("button").click()
    wait_for_app(page)


HEADINGS = {
    "Home": "DocSpace Onboarding",
    "Upload": "Upload clients",
    "Onboard": "Onboard clients",
    "Clients": "Clients",
    "Results": "Results",
    "Settings": "Settings",
}


def go_to(page: Page, title: str) -> None:
    """Open a page from the sidebar navigation and wait until it is drawn."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1, name=HEADINGS[title])).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)).to_have_attribute(
        "aria-current", "page"
    )
