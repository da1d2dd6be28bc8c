"""Fixtures for the door's tests: an ``Onboarding`` bound to the sandbox portal (``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from docspace_sandbox.server import Sandbox
from onboarding import Onboarding, Settings


@pytest.fixture
def door(sandbox: Sandbox, tmp_path: Path) -> Iterator[Onboarding]:
    settings = Settings(
        portal_url=sandbox.url,
        api_key=sandbox.api_key,
        journal_path=tmp_path / "journal.sqlite3",
    )
    with Onboarding(settings, actor="test") as svc:
        yield svc
