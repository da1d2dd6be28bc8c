"""Fixtures for the command line's tests: the engine tests' sandbox harness."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.engine import Harness

from docspace_sandbox.server import Sandbox


@pytest.fixture
def harness(sandbox: Sandbox, tmp_path: Path) -> Harness:
    """A sandbox portal (the shared ``sandbox`` fixture) and a journal file for one test."""
    return Harness(sandbox, tmp_path / "journal.sqlite3", [], [])
