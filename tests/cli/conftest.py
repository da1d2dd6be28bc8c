"""Fixtures for the command line's tests: the engine tests' sandbox harness."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crm.test_webhook import SECRET, Receiver
from support.engine import Harness

from docspace_sandbox.server import Sandbox


@pytest.fixture
def harness(sandbox: Sandbox, tmp_path: Path) -> Harness:
    """A sandbox portal (the shared ``sandbox`` fixture) and a journal file for one test."""
    return Harness(sandbox, tmp_path / "journal.sqlite3", [], [])


@pytest.fixture
def env(harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """CLI arguments for the harness's sandbox, with its key in the environment and a journal in tmp."""
    monkeypatch.setenv("DOCSPACE_API_KEY", harness.sandbox.api_key)
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DOCSPACE_URL", raising=False)
    return ["--portal", harness.sandbox.url, "--journal", str(tmp_path / "j.sqlite3")]


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A loopback CRM receiver that accepts at once, configured for the CLI."""
    r = Receiver(fail_first=0)
    monkeypatch.setenv("DOCSPACE_WEBHOOK_URL", r.url)
    monkeypatch.setenv("DOCSPACE_WEBHOOK_SECRET", SECRET)
    yield r
    r.stop()
