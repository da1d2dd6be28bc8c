"""Shared helpers for the ingestion tests: the committed corpus and small in-memory files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "data" / "ingest"


@pytest.fixture
def corpus() -> Callable[[str], bytes]:
    """Read one file of tests/data/ingest by name."""

    def read(name: str) -> bytes:
        return (CORPUS / name).read_bytes()

    return read
