"""The dashboard on a shared journal: it queues a batch for a worker instead of running it itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import postgres
from support.apptest import texts, upload_sample

import docspace_sandbox
from onboarding.docspace import PortalAddress
from onboarding.journal.postgres import PostgresJournal

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"


def q_portal(box: docspace_sandbox.Sandbox) -> str:
    """The portal's key in the journal (its base address)."""
    return PortalAddress.parse(box.url).base


@pytest.fixture
def dashboard(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[docspace_sandbox.Sandbox]:
    """The app's environment: a sandbox as its portal, the PostgreSQL journal, writes allowed."""
    for name in list(os.environ):
        if name.startswith("DOCSPACE_"):
            monkeypatch.delenv(name)
    box = docspace_sandbox.start(port=0)
    monkeypatch.setenv("DOCSPACE_URL", box.url)
    monkeypatch.setenv("DOCSPACE_API_KEY", box.api_key)
    monkeypatch.setenv("DOCSPACE_ALLOW_UNAUTHENTICATED", "true")
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DOCSPACE_JOURNAL_URL", pg_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield box
    finally:
        st.cache_resource.clear()
        box.stop()


def test_queueing_a_batch_leaves_it_to_a_worker(dashboard: docspace_sandbox.Sandbox, pg_url: str) -> None:
    """With "Queue for a worker" on, Onboard queues the batch: nothing is written to the portal here."""
    at = upload_sample(AppTest.from_file(str(APP), default_timeout=30))
    at.switch_page("pages/onboard.py").run()
    assert not at.exception
    at.toggle(key="onboard_queue_for_worker").set_value(True).run()
    at.button(key="onboard_start_batch").click().run()
    assert not at.exception
    assert any("Queued run" in s.value for s in at.success) or "Queued run" in texts(at)
    journal = PostgresJournal(pg_url)
    try:
        queued = journal.queued(q_portal(dashboard))
        assert [len(q.request["clients"]) for q in queued] == [13]
    finally:
        journal.close()
    assert dashboard.state()["rooms"] == []
    at.switch_page("pages/settings.py").run()
    shown = texts(at) + "".join(df.value.to_csv() for df in at.dataframe)
    assert ":***@127.0.0.1" in shown and postgres.PASSWORD not in shown
