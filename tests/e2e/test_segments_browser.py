"""Per-segment blueprints in Chromium: configured in Settings, the segment column in the upload review,
then each row's blueprint on the plan; the room-template picker's empty state."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from support.browser import ROOT, by_key, click_button, expect_metric, go_to, shot, upload, wait_for_app

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
    upload(page, SHEET)
    expect_metric(page, "With errors", "1")  # 'Gold' names no segment: the row's error in the review
    page.get_by_text("Sheet and columns").click()
    expect(by_key(page, "upload_map_segment")).to_contain_text("Segment")
    by_key(page, "upload_map_segment").scroll_into_view_if_needed()
    shot(page, "07b-upload-segment-mapping")
    go_to(page, "Onboard")
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    table.scroll_into_view_if_needed()
    shot(page, "08-onboard-plan-segments")


def test_the_room_template_picker_says_how_to_make_a_template(page: Page, own_server: str) -> None:
    """Settings → Blueprint → Room contents → "A room template" on a portal without templates."""
    page.goto(own_server)
    wait_for_app(page)
    go_to(page, "Settings")
    page.get_by_role("tab", name="Blueprint").click()
    by_key(page, "bp_contents_source").get_by_text("A room template").click()
    wait_for_app(page)
    expect(page.get_by_text("This portal has no room templates yet.")).to_be_visible()
    expect(by_key(page, "bp_folders")).to_have_count(0)
    by_key(page, "bp_contents_source").scroll_into_view_if_needed()
    shot(page, "07c-settings-room-template-empty-1400")
    page.set_viewport_size({"width": 1000, "height": 1300})
    shot(page, "07d-settings-room-template-empty-1000")
