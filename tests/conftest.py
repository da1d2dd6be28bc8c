"""Shared pytest fixtures."""

# The lead will extend this file; for now it only provides the sandbox portal fixture.
# Imports name the submodule (not the package) so they work even when the editable install
# exposes ``docspace_sandbox`` as a namespace package (plain ``pytest`` without ``python -m``).

from __future__ import annotations

from collections.abc import Iterator

import pytest

from docspace_sandbox.server import Sandbox, start
from onboarding.workflow.throttle import forget_shared_throttles


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    """Each test's portals start with no learned pace or shrunken gate: the process keeps one
    throttle per portal address, and a later test's sandbox may get an earlier one's port."""
    yield
    forget_shared_throttles()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox portal on a free loopback port, stopped after the test."""
    portal = start(port=0)
    try:
        yield portal
    finally:
        portal.stop()
