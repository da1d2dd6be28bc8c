"""The API key never reaches the page: only its masked form is shown, errors are redacted.

Each test configures a real-looking key, uses every page (including a finished run, a failed
look-up and an error), and searches everything sent to the browser — every element's message,
every widget's value, every table's cells — for the key or its middle part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import rendered, texts, upload_sample
from support.waiting import wait_until

import docspace_sandbox
from onboarding.journal import Journal
from onboarding.settings import mask_secret

PAGES = ["pages/home.py", "pages/upload.py", "pages/onboard.py", "pages/results.py", "pages/settings.py"]
KEY = "sk-3f9a1c7e5b2d4068a9e1f3c5b7d9e0a2c4f6b8d0e2a4c6f8"
OTHER_KEY = "sk-7c1e9a3f5d2b4e6a8c0f1d3b5a7e9c2f4d6b8a0c2e4f6a8b"


def assert_hidden(at: AppTest, key: str, where: str) -> None:
    page = rendered(at)
    assert key not in page, f"the API key is on {where}"
    assert key[6:-4] not in page, f"part of the API key is on {where}"


def walk_pages(at: AppTest, key: str) -> None:
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
        assert_hidden(at, key, page)
    at.button(key="settings_test").click().run()  # "Test connection" names the account, not the key
    assert_hidden(at, key, "Settings after Test connection")
    at.session_state["results_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.switch_page("pages/results.py").run()
    assert_hidden(at, key, "Results with a client selected")


@pytest.fixture
def keyed_portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[docspace_sandbox.Sandbox]:
    """A portal whose key looks real, configured through the environment (writes allowed)."""
    box = docspace_sandbox.start(port=0, api_key=KEY)
    monkeypatch.setenv("DOCSPACE_URL", box.url)
    monkeypatch.setenv("DOCSPACE_API_KEY", KEY)
    monkeypatch.setenv("DOCSPACE_ALLOW_UNAUTHENTICATED", "true")
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def keyed_other_portal() -> Iterator[docspace_sandbox.Sandbox]:
    box = docspace_sandbox.start(port=0, api_key=OTHER_KEY)
    try:
        yield box
    finally:
        box.stop()


def onboard_batch(at: AppTest, journal: Journal) -> None:
    upload_sample(at, "clients.csv")
    at.switch_page("pages/onboard.py").run()
    at.button(key="onboard_start_batch").click().run()
    assert not at.exception
    wait_until(lambda: bool(journal.runs()) and all(r.status != "running" for r in journal.runs()))


def test_key_from_the_environment_never_reaches_any_page(
    app: AppTest, keyed_portal: object, journal: Callable[[], Journal]
) -> None:
    """With DOCSPACE_API_KEY set, no page (before and after a batch) shows the key; Settings shows it masked."""
    at = app.run()
    walk_pages(at, KEY)
    onboard_batch(at, journal())
    walk_pages(at, KEY)
    at.switch_page("pages/settings.py").run()
    assert mask_secret(KEY) in rendered(at)  # the search does see what the page shows…
    at.switch_page("pages/results.py").run()
    assert "Soylent" in rendered(at)  # …including the cells of tables


def test_session_key_never_reaches_any_page(
    app: AppTest, keyed_other_portal: docspace_sandbox.Sandbox, journal: Callable[[], Journal]
) -> None:
    """A key entered on Settings for the session — refused once, then accepted — is never shown."""
    at = app.run()  # zero configuration: the sandbox
    at.switch_page("pages/settings.py").run()
    wrong = OTHER_KEY[:-4] + "0000"
    at.text_input(key="settings_session_url").input(keyed_other_portal.url)
    at.text_input(key="settings_session_key").input(wrong)
    at.button(key="settings_session_submit").click().run()
    assert not at.exception
    assert at.error, "the refused key is explained"
    assert_hidden(at, wrong, "Settings after a refused key")

    at.text_input(key="settings_session_url").input(keyed_other_portal.url)
    at.text_input(key="settings_session_key").input(OTHER_KEY)
    at.button(key="settings_session_submit").click().run()
    assert any("Connected to" in s.value for s in at.success)
    assert_hidden(at, OTHER_KEY, "Settings after the key was accepted")
    walk_pages(at, OTHER_KEY)


ERROR_SCRIPT = """
import os
from ui import chrome
with chrome.guard():
    raise RuntimeError("upstream said: Authorization: Bearer " + os.environ["DOCSPACE_API_KEY"])
"""


def test_error_details_are_redacted(keyed_portal: object) -> None:
    """An exception whose text carries the key is shown with the key masked, in message and details."""
    at = AppTest.from_string(ERROR_SCRIPT, default_timeout=30).run()
    assert not at.exception
    assert at.error and at.expander
    assert_hidden(at, KEY, "an error message")
    assert "RuntimeError" in texts(at)
