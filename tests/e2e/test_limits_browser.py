"""The Settings page's limits in a real browser: a value out of range is named, not silently refused.

With the inputs' own min/max, Chromium only turned the field red and "Apply to this session"
then applied the old values to every field, marking all of them as this session's. The limits
live in the session only (nothing is written to disk), so the shared server is fine.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from support.browser import by_key, click_button, go_to, shot, wait_for_app

pytestmark = pytest.mark.e2e

SESSION = "from this session (Settings page)"


def limit_input(page: Page, name: str):  # type: ignore[no-untyped-def]
    return by_key(page, f"settings_limit_{name}").locator("input")


def test_a_limit_out_of_range_is_named_and_only_a_changed_limit_is_the_sessions(app: Page) -> None:
    """Writes in flight = 100: Apply says it must be between 1 and 15 and applies nothing; 3 then
    applies, and only that field reads "from this session"."""
    go_to(app, "Settings")
    app.get_by_role("tab", name="Limits").click()
    wait_for_app(app)
    field = limit_input(app, "writes_in_flight")
    field.fill("100")
    field.press("Enter")
    wait_for_app(app)
    click_button(app, "settings_limits_apply")
    alert = app.get_by_test_id("stAlert").filter(has_text="Writes in flight must be between 1 and 15")
    expect(alert).to_contain_text("(not 100). Nothing was applied.")
    expect(app.get_by_text(SESSION)).to_have_count(0)
    shot(app, "settings-limits-out-of-range")
    field = limit_input(app, "writes_in_flight")
    field.fill("3")
    field.press("Enter")
    wait_for_app(app)
    click_button(app, "settings_limits_apply")
    expect(app.get_by_text("In force for this session: Writes in flight 3.")).to_be_visible()
    expect(app.get_by_text(SESSION)).to_have_count(1)
    expect(by_key(app, "settings_limits_apply")).to_be_visible()
    shot(app, "settings-limits-applied")
