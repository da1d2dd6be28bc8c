"""Per-segment blueprints in Chromium: configured in Settings, then each row's blueprint on the plan."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from support.browser import ROOT, by_key, click_button, go_to, shot, wait_for_app

pytestmark = pytest.mark.e2e

SHEET = ROOT / "examples" / "clients-segments.csv"


def test_segments_are_set_in_settings_and_shown_on_the_plan(page: Page, own_server: str) -> None:
    """Add an Enterprise segment (data room, 30-day link), save, upload, and read each row's blueprint."""
    page.goto(own_server)
    wait_for_app(page)
    go_to(page, "Settings")
    page.get_by_role("tab", name="Blueprint").click()
    by_key(page, "bp_segments_on").locator("label").click()
    wait_for_app(page)
    area = by_key(page, "bp_segments_toml").locator("textarea")
    area.fill("[SMB]\n")
    area.blur()
    wait_for_app(page)
    by_key(page, "bp_segments_new_name").locator("input").fill("Enterprise")
    by_key(page, "bp_segments_new_expires").locator("input").fill("30")
    by_key(page, "bp_segments_new_expires").locator("input").press("Enter")
    wait_for_app(page)
    click_button(page, "bp_segments_add")
    expect(area).to_contain_text("[Enterprise]")
    preview = page.get_by_text("What each value of the column")
    expect(preview).to_be_visible()
    preview.scroll_into_view_if_needed()
    page.mouse.wheel(0, 400)  # the table of what each blueprint gives, below the caption
    shot(page, "07-settings-segments-1400")
    page.set_viewport_size({"width": 1000, "height": 1300})
    by_key(page, "bp_segments_add").scroll_into_view_if_needed()
    shot(page, "07a-settings-segments-1000")
    page.set_viewport_size({"width": 1400, "height": 1300})
    click_button(page, "bp_save_button")
    expect(page.get_by_text("Blueprint saved to")).to_be_visible()

    go_to(page, "Upload")
    by_key(page, "upload_file").locator('input[type="file"]').set_input_files(str(SHEET))
    expect(page.get_by_text(f"In use: {SHEET.name}")).to_be_visible()
    wait_for_app(page)
    go_to(page, "Onboard")
    expect(page.get_by_text("segment 'Gold' in column 'Segment'").first).to_be_visible()
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    table.scroll_into_view_if_needed()
    shot(page, "08-onboard-plan-segments")
