"""The "onboarded over time" chart as a browser draws it: axis and tooltip in 24-hour UTC, wherever
the person's computer is. Its spec once asked for UTC in a way Vega ignored: the axis said "08 PM"
and the tooltip "NaN", while a test of the spec alone passed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import _serve
from playwright.sync_api import Browser, Page, expect
from support.browser import wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chart_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("e2e-chart"), script="tests/e2e/apps/over_time_chart.py")


def _tooltips_of_the_points(page: Page) -> list[str]:
    """Hover each point of the line (Vega draws them as SVG symbols) and read its tooltip."""
    points = page.locator(".vega-embed svg .mark-symbol path")
    tooltip = page.locator("#vg-tooltip-element")
    texts = []
    for i in range(points.count()):
        points.nth(i).hover(force=True)
        expect(tooltip).to_be_visible()
        texts.append(tooltip.inner_text())
    return texts


def test_the_time_axis_and_tooltip_read_in_utc_in_new_york(browser: Browser, chart_server: str) -> None:
    """In a browser set to New York time, the axis labels are "30 Nov 19:15"-style UTC times (not
    "07:15"/"08 PM") and a point's tooltip gives its UTC time (not "NaN")."""
    context = browser.new_context(timezone_id="America/New_York", viewport={"width": 1000, "height": 600})
    page = context.new_page()
    try:
        page.goto(chart_server)
        wait_for_app(page)
        expect(page.locator(".vega-embed svg .mark-symbol path")).to_have_count(5)
        times = [re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", t) for t in _tooltips_of_the_points(page)]
        assert times == [[f"2025-11-30 {hm} UTC"] for hm in ("19:13", "19:28", "19:43", "19:58", "20:13")]
        labels = page.locator(".vega-embed svg .role-axis-label text").all_text_contents()
        assert "30 Nov 19:15" in labels and not any(re.search(r"AM|PM", t) for t in labels), labels
    finally:
        context.close()
