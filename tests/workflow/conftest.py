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
