"""Fixtures for AppTest: a sandbox portal over HTTP, a temporary data folder, clean caches.

The app reads the portal from ``DOCSPACE_URL``/``DOCSPACE_API_KEY`` (a real-portal configuration
pointed at the sandbox) unless a test asks for zero-configuration mode. Every test gets its own
sandbox and journal, so no test sees another's rooms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import docspace_sandbox
from onboarding.journal import Journal, SqliteJournal
from ui import resources

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"
EXAMPLES = ROOT / "examples"


def _stop_runs() -> None:
    """Let background batches of the test end before the next test (and its sandbox) starts."""
    registry = resources.registry()
    for handle in registry.active():
        handle.stop()
        handle.join(timeout=20)


@pytest.fixture(autouse=True)
def clean_app_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Own data folder, no portal settings from the outer environment, empty Streamlit caches."""
    import os

    for name in list(os.environ):
        if name.startswith("DOCSPACE_"):
            monkeypatch.delenv(name)
    data = tmp_path / "data"
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(data))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield data
    _stop_runs()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def real_portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[docspace_sandbox.Sandbox]:
    """A sandbox portal on a free port, given to the app as if it were a real portal (no sign-in
    configured, so the dashboard is read-only until a test configures access)."""
    box = docspace_sandbox.start(port=0)
    monkeypatch.setenv("DOCSPACE_URL", box.url)
    monkeypatch.setenv("DOCSPACE_API_KEY", box.api_key)
    try:
        yield box
    finally:
        _stop_runs()
        box.stop()


@pytest.fixture
def sandbox(
    real_portal: docspace_sandbox.Sandbox, monkeypatch: pytest.MonkeyPatch
) -> docspace_sandbox.Sandbox:
    """:func:`real_portal` with unauthenticated writes allowed (tests of everything but access)."""
    monkeypatch.setenv("DOCSPACE_ALLOW_UNAUTHENTICATED", "true")
    return real_portal


@pytest.fixture
def app() -> AppTest:
    """The dashboard, not yet run (set secrets or session state first, then ``.run()``)."""
    return AppTest.from_file(str(APP), default_timeout=30)


@pytest.fixture
def journal(clean_app_state: Path) -> Callable[[], Journal]:
    """Opens the app's journal (in the test's data folder)."""
    return lambda: SqliteJournal(clean_app_state / "journal.sqlite3")


@pytest.fixture
def other_portal() -> Iterator[docspace_sandbox.Sandbox]:
    """A sandbox portal the app is *not* configured for (to enter as a session key)."""
    box = docspace_sandbox.start(port=0)
    try:
        yield box
    finally:
        _stop_runs()
        box.stop()
