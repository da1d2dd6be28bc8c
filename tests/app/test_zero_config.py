"""Zero configuration: no secrets, no environment -> the in-process sandbox, said on every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import table, texts

from ui.chrome import SANDBOX_BANNER

PAGES = ["pages/home.py", "pages/upload.py", "pages/onboard.py", "pages/results.py", "pages/settings.py"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_sandbox(app: AppTest, page: str) -> None:
    """With nothing configured, each page opens with the sandbox banner and how to leave it."""
    at = app.run()
    at.switch_page(page).run()
    assert not at.exception
    banner = [i.value for i in at.info if SANDBOX_BANNER in i.value]
    assert banner, f"no sandbox banner on {page}"
    assert "DOCSPACE_URL" in banner[0] and "secrets.toml" in banner[0]


def test_sandbox_is_started_once_and_keeps_state_in_the_data_folder(
    app: AppTest, clean_app_state: Path
) -> None:
    """The sandbox is one per server process, and its state file lives in the data folder."""
    from ui import resources

    at = app.run()
    assert not at.exception
    first = resources.sandbox(str(clean_app_state))
    at.switch_page("pages/settings.py").run()
    assert resources.sandbox(str(clean_app_state)) is first
    assert "built-in sandbox" in set(table(at, "Source")["Source"])
    assert "owner@sandbox.example" in texts(at.switch_page("pages/home.py").run())


def test_sample_files_are_one_click_away(app: AppTest) -> None:
    """In sandbox mode the Upload page loads a sample spreadsheet with one button."""
    at = app.run()
    at.switch_page("pages/upload.py").run()
    at.button(key="upload_sample_csv").click().run()
    assert not at.exception
    assert "clients.csv" in texts(at)
