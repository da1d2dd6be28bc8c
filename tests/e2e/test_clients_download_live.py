"""The Clients table's CSV download while a run is live, over a slow link.

While a run goes on the Clients table is re-drawn every second. A deferred download's file id
(Streamlit) changes whenever its button is drawn, and a click still holding the previous id fails
with "Deferred file … not found". On a link whose answers arrive later than the next re-draw, that
was every click. The browser here is given such a link: the server's messages are held back (a page
script) until the table has been drawn again twice on the server, and the click is made with the
button as the page still shows it: deterministic rather than a matter of luck.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _serve
from playwright.sync_api import Page, expect
from support import browser

pytestmark = pytest.mark.e2e

EXAMPLE = browser.ROOT / "examples" / "clients.xlsx"
PORTAL_LATENCY_MS = 3_000
"""Every portal call's delay: a client needs several in a row, so the run outlives the test."""

SLOW_LINK = """() => {
    // While ``window.__holding``, messages of the app's WebSocket are held back (their text kept in
    // ``window.__heldBack``); ``window.__release()`` hands them on in order and stops holding.
    const add = WebSocket.prototype.addEventListener;
    const queue = [];
    window.__holding = false;
    window.__heldBack = [];
    window.__release = () => {
        window.__holding = false;
        while (queue.length) {
            const [listener, socket, event] = queue.shift();
            listener.call(socket, event);
        }
    };
    WebSocket.prototype.addEventListener = function (type, listener, options) {
        if (type !== "message") return add.call(this, type, listener, options);
        const held = (event) => {
            if (!window.__holding) return listener.call(this, event);
            window.__heldBack.push(new TextDecoder().decode(event.data));
            queue.push([listener, this, event]);
        };
        return add.call(this, type, held, options);
    };
}"""


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dashboard of its own: its run is left going (slowly) when the test ends."""
    yield from _serve(tmp_path_factory.mktemp("e2e-download-live"))


def test_csv_download_clicked_during_a_run_over_a_slow_link(page: Page, live_server: str) -> None:
    """A click on the Clients table's CSV download during a run, with the button as drawn before
    the table's latest re-draw, gets the file (no "Deferred file … not found")."""
    page.add_init_script(f"({SLOW_LINK})()")
    page.goto(live_server)
    browser.wait_for_app(page)
    sandbox = browser.sandbox_url(page)
    browser.go_to(page, "Upload")
    browser.upload(page, EXAMPLE)
    browser.go_to(page, "Onboard")
    browser.sandbox_control(sandbox, "faults", {"spec": f"latency_ms={PORTAL_LATENCY_MS}"})
    browser.click_button(page, "onboard_start_batch")
    browser.go_to(page, "Clients")
    button = browser.by_key(page, "clients_download_csv").get_by_role("button")
    expect(button).to_have_text(re.compile("CSV so far"))  # live: no count to go stale
    expect(page.get_by_test_id("stProgress").filter(has_text=re.compile(r"Run \S+"))).to_be_visible()
    browser.shot(page, "clients-08-live-download-1400")

    page.evaluate("window.__holding = true")
    # Two re-draws of the table sent and not yet shown: the first one has ended on the server.
    page.wait_for_function(
        "window.__heldBack.filter((m) => m.includes('clients shown:')).length >= 2", timeout=15_000
    )
    with page.expect_download(timeout=30_000) as info:
        button.click()  # with the button as the page still shows it
        page.evaluate("window.__release()")
    csv = Path(info.value.path()).read_text(encoding="utf-8")
    assert csv.splitlines()[0].startswith("client_id") and "CL-1001" in csv
    expect(
        browser.by_key(page, "clients_download_csv").get_by_test_id("stDownloadButtonError")
    ).to_have_count(0)
