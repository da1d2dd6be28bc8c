"""Fixtures for engine tests: a sandbox portal over HTTP, a temporary journal, instant retries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.engine import Harness
from support.portals import PortalFactory

import docspace_sandbox


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    sb = docspace_sandbox.start(port=0)
    try:
        yield Harness(sb, tmp_path / "journal.sqlite3", [], [])
    finally:
        sb.stop()


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[PortalFactory]:
    """Starts a sandbox with ``start(...)`` keywords (``key_user="room-admin"``, …); stops it after."""
    started: list[docspace_sandbox.Sandbox] = []

    def make(**settings: Any) -> Harness:
        sb = docspace_sandbox.start(port=0, **settings)
        started.append(sb)
        return Harness(sb, tmp_path / "journal.sqlite3", [], [])

    try:
        yield make
    finally:
        for sb in started:
            sb.stop()
