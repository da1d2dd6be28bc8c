"""Fixtures for the door's tests: a sandbox portal over HTTP and an ``Onboarding`` bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import docspace_sandbox
from onboarding import Onboarding, Settings


@pytest.fixture
def sandbox_portal() -> Iterator[docspace_sandbox.Sandbox]:
    sb = docspace_sandbox.start(port=0)
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def door(sandbox_portal: docspace_sandbox.Sandbox, tmp_path: Path) -> Iterator[Onboarding]:
    settings = Settings(
        portal_url=sandbox_portal.url,
        api_key=sandbox_portal.api_key,
        journal_path=tmp_path / "journal.sqlite3",
    )
    with Onboarding(settings, actor="test") as svc:
        yield svc
