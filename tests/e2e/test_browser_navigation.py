"""Navigation in a real browser: a page opened by its address on a fresh server is fully framed.

Streamlit treats an app with a ``pages/`` folder as a "version 1" multipage app until a run calls
``st.navigation``; the first request of a server process may name a page directly. That page must
still get the entry script's page config, sidebar and navigation (``ui/navigation.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _serve
from playwright.sync_api import Page, expect
from support.browser import HEADINGS, go_to, shot, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[str]:
    """A server process that has served no page yet."""
    yield from _serve(tmp_path)


def test_a_page_opened_first_by_its_address_has_the_apps_frame(page: Page, fresh_server: str) -> None:
    """``/settings`` as a new server's first request shows the page inside the app's navigation."""
    page.goto(f"{fresh_server}/settings")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    for title in HEADINGS:
        expect(nav.get_by_role("link", name=title)).to_be_visible()
    expect(nav.get_by_role("link", name="Settings")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("stSidebar").get_by_text("DocSpace Onboarding", exact=True)).to_be_visible()
    expect(page).to_have_title("DocSpace Onboarding")  # the entry script's page config
    shot(page, "10-direct-address-settings")
    go_to(page, "Upload")
    expect(page.get_by_role("heading", level=1, name=HEADINGS["Upload"])).to_have_count(1)
