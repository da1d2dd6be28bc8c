"""Trust in a real browser: hostile cells render as text, and the dashboard password sign-in.

Runs after the dashboard flow (file order); uploading here onboards nothing on the shared server, so
the flow's journal is untouched (the phishing-names test onboards on a server of its own). The
sign-in test has its own server with a dashboard password configured.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import E2E_PASSWORD
from playwright.sync_api import Locator, Page, expect
from support.browser import by_key, click_button, click_grid_at, go_to, shot, upload, wait_for_app

from ui.live import widget_id

pytestmark = pytest.mark.e2e

HOSTILE = {
    "CL-3001": "<script>alert(1)</script>",
    "CL-3002": "<img src=x onerror=alert(2)>",
    "CL-3003": "**bold**",
    "CL-3004": "[link](javascript:alert(3))",
    "CL-3005": "\u05e9\u05dc\u05d5\u05dd\u200f Evil Corp \U0001f680",  # RTL text and mark (overrides are refused at upload)
}


def test_hostile_cells_render_as_text(app: Page, tmp_path: Path) -> None:
    """Script, HTML, Markdown and javascript: links in client names show literally; nothing runs."""
    dialogs: list[str] = []
    app.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    path = tmp_path / "hostile.csv"
    rows = "".join(
        f'"{cid}","{name}",c{i}@client.example.com,anna.manager@sandbox.example\n'
        for i, (cid, name) in enumerate(HOSTILE.items())
    )
    path.write_text("Client ID,Company,E-mail address,Account manager\n" + rows, encoding="utf-8")
    go_to(app, "Upload")
    by_key(app, "upload_file").locator('input[type="file"]').set_input_files(str(path))
    expect(app.get_by_text("In use: hostile.csv")).to_be_visible()
    wait_for_app(app)
    go_to(app, "Onboard")
    for cid, name in HOSTILE.items():
        row = by_key(app, f"onboard_row_{widget_id(cid)}")
        expect(row).to_contain_text(name)
    main = app.get_by_test_id("stMain")
    expect(main.locator("strong").filter(has_text=re.compile(r"^bold$"))).to_have_count(0)
    expect(main.locator('a[href^="javascript"]')).to_have_count(0)
    expect(main.locator('img[src="x"]')).to_have_count(0)
    expect(app.locator("script").filter(has_text="alert(1)")).to_have_count(0)
    by_key(app, f"onboard_row_{widget_id('CL-3001')}").scroll_into_view_if_needed()
    shot(app, "07-hostile-cells-as-text")
    assert dialogs == []


PHISHING = {
    "CL-3101": "[Pay invoice](https://evil.example/pay) :red[URGENT] **bold**",
    "CL-3102": '=HYPERLINK("http://evil.example/x","Click me")',
    "CL-3103": "Visit www.evil.example today",
}
WORD_JOINER = "\u2060"
"""Invisible; the dashboard puts it where a bare address would otherwise become a link."""


def shown(locator: Locator) -> str:
    return locator.inner_text().replace(WORD_JOINER, "")


def expect_no_evil_markup(page: Page) -> None:
    """No link to the file's addresses (Markdown, autolink or e-mail), no bold, no red text."""
    expect(page.locator('a[href*="evil.example"]')).to_have_count(0)
    main = page.get_by_test_id("stMain")
    expect(main.locator("strong").filter(has_text=re.compile(r"^bold$"))).to_have_count(0)
    expect(main.get_by_text("URGENT", exact=True)).to_have_count(0)


def test_links_in_names_stay_text_on_onboard_and_clients(page: Page, own_server: str, tmp_path: Path) -> None:
    """A name with a Markdown link, a red directive and bold, one with a formula's bare URL and one
    with a www. address (with e-mails on the same domain) show as typed on the Onboard rows, in the
    toast and the note after a row's Onboard button, and in the Clients page's drawer: never a link."""
    page.goto(own_server)
    wait_for_app(page)
    path = tmp_path / "phishing.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Client ID", "Company", "E-mail address", "Account manager"])
        for i, (cid, name) in enumerate(PHISHING.items()):
            w.writerow([cid, name, f"billing{i}@evil.example", "anna.manager@sandbox.example"])
    go_to(page, "Upload")
    upload(page, path)
    go_to(page, "Onboard")
    for cid, name in PHISHING.items():
        row = by_key(page, f"onboard_row_{widget_id(cid)}")
        expect(row).to_contain_text(cid)
        assert name in shown(row), shown(row)
    expect_no_evil_markup(page)
    first = f"onboard_row_{widget_id('CL-3101')}"
    click_button(page, f"onboard_one_{widget_id('CL-3101')}")
    toast = page.get_by_test_id("stToast")
    expect(toast).to_be_visible()
    assert f"{PHISHING['CL-3101']}: run " in shown(toast), shown(toast)
    expect(toast.locator("a, strong")).to_have_count(0)
    expect(by_key(page, first).get_by_test_id("stAlert")).to_be_visible()  # the note under the row
    assert PHISHING["CL-3101"] in shown(by_key(page, first).get_by_test_id("stAlert"))
    expect_no_evil_markup(page)
    by_key(page, first).scroll_into_view_if_needed()
    shot(page, "07b-phishing-names-onboard")
    go_to(page, "Clients")
    table = page.get_by_test_id("stDataFrame").first
    ids = [table.get_by_test_id(f"glide-cell-2-{r}").inner_text() for r in range(len(PHISHING))]
    row_height = 35
    click_grid_at(table, 18, row_height * (ids.index("CL-3102") + 1) + row_height / 2)
    wait_for_app(page)
    drawer = by_key(page, "clients_drawer")
    expect(drawer).to_contain_text("CL-3102")
    expect(drawer).to_contain_text("E-mail:")  # its details are drawn after its heading
    assert PHISHING["CL-3102"] in shown(drawer) and "billing1@evil.example" in shown(drawer)
    expect_no_evil_markup(page)
    drawer.scroll_into_view_if_needed()
    shot(page, "07c-phishing-names-clients-drawer")


def test_password_sign_in(page: Page, protected_server: str) -> None:
    """With a dashboard password, only the sign-in form shows; a wrong password is refused; the right one opens it."""
    page.goto(protected_server)
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(page.get_by_text(re.compile(f"owner@{WORD_JOINER}?sandbox"))).to_have_count(0)
    shot(page, "08-sign-in")
    field = page.get_by_label("Dashboard password")
    field.fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    expect(page.get_by_text("Wrong password")).to_be_visible()
    page.wait_for_timeout(1100)  # the first failure's backoff
    field.fill(E2E_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1, name="DocSpace Onboarding")).to_be_visible()
    expect(page.get_by_text("Signed in as password user")).to_be_visible()
    expect(by_key(page, "auth_sign_out")).to_be_visible()
    expect(
        page.get_by_text("API key belongs to:")
    ).to_be_visible()  # Home's portal card, drawn once signed in
    wait_for_app(page)
    shot(page, "09-signed-in")
    by_key(page, "auth_sign_out").get_by_role("button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
