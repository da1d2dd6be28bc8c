"""Fixtures for engine tests: a sandbox portal over HTTP, a temporary journal, instant retries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.engine import Harness

import docspace_sandbox


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    sb = docspace_sandbox.start(port=0)
    try:
        yield Harness(sb, tmp_path / "journal.sqlite3", [], [])
    finally:
        sb.stop()


@pytest.fixture
def env(harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """CLI arguments for the harness's sandbox, with its key in the environment and a journal in tmp."""
    monkeypatch.setenv("DOCSPACE_API_KEY", harness.sandbox.api_key)
    monkeypatch.setenv("DOCSPACE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DOCSPACE_URL", raising=False)
    return ["--portal", harness.sandbox.url, "--journal", str(tmp_path / "j.sqlite3")]
