"""The Results page's "Outcomes per run" chart at 1000 px (a laptop with the sidebar open): every
run is labelled, distinctly, and every outcome of the legend reads whole inside the chart's box.
With ``st.bar_chart`` the legend was cut to "blocked ▪ del" and every other run label dropped.
Screenshots: artifacts/screenshots/50-results-chart-{1000,1400}.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import _serve
from playwright.sync_api import Browser, Page, expect
from support.browser import ROOT, click_button, click_grid_at, go_to, shot, upload, wait_for_app

pytestmark = pytest.mark.e2e

EXAMPLE = ROOT / "examples" / "clients.xlsx"
CHART = ".vega-embed svg"
ROW_HEIGHT = 35


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("e2e-results-charts"))


def _two_runs(browser: Browser, url: str) -> None:
    """One client onboarded from the Clients table, then the whole example from Onboard (that
    client skipped there: already onboarded)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(url)
    wait_for_app(page)
    go_to(page, "Upload")
    upload(page, EXAMPLE)
    go_to(page, "Clients")
    table = page.get_by_test_id("stDataFrame").first
    expect(table.get_by_test_id("glide-cell-1-0")).to_have_text("○ new")
    click_grid_at(table, 18, ROW_HEIGHT * 1.5)
    wait_for_app(page)
    click_button(page, "clients_onboard")
    expect(table.get_by_test_id("glide-cell-1-0")).to_have_text("✔ onboarded", timeout=60_000)
    go_to(page, "Onboard")
    click_button(page, "onboard_start_batch")
    expect(page.get_by_text(re.compile(r"Run \S+ — Finished")).first).to_be_visible(timeout=60_000)
    page.close()


def _chart(page: Page, width: int) -> dict[str, object]:
    page.set_viewport_size({"width": width, "height": 1100})
    go_to(page, "Results")
    chart = page.locator(".stVegaLiteChart, [data-testid='stVegaLiteChart']").first
    chart.scroll_into_view_if_needed()
    expect(page.locator(f"{CHART} .role-legend-label text").first).to_be_visible(timeout=30_000)
    return page.evaluate(
        """() => {
        const svg = document.querySelector('.vega-embed svg');
        const box = svg.closest('.vega-embed').getBoundingClientRect();
        const texts = (sel) => [...svg.querySelectorAll(sel)].map((t) => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent, inside: r.left >= box.left - 1 && r.right <= box.right + 1};
        });
        return {runs: texts('.role-axis-label text'), legend: texts('.role-legend-label text')};
    }"""
    )


def test_outcomes_chart_labels_every_run_and_fits_its_legend_at_1000_px(
    browser: Browser, server: str
) -> None:
    _two_runs(browser, server)
    page = browser.new_page()
    page.goto(server)
    wait_for_app(page)
    for width in (1400, 1000):
        found = _chart(page, width)
        shot(page, f"50-results-chart-{width}")
        runs = [t["text"] for t in found["runs"] if str(t["text"]).startswith("#")]  # type: ignore[index]
        assert len(runs) == 2 and len(set(runs)) == 2, runs
        legend = found["legend"]
        words = {t["text"] for t in legend}  # type: ignore[union-attr,index]
        assert {"onboarded", "already onboarded"} <= words, words
        assert all(t["inside"] and "…" not in t["text"] for t in legend), legend  # type: ignore[union-attr,index]
    page.close()
