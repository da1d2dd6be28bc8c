"""The portal behaviour tests run against the sandbox always, and against a real portal on request.

``pytest -m live`` with ``DOCSPACE_URL`` and ``DOCSPACE_API_KEY`` set runs the same tests against
that portal too (never in CI), so anyone with a portal can check that the sandbox still tells the
truth. Everything a test creates there is archived and deleted afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.portal import Portal

from docspace_sandbox.server import start
from onboarding.docspace import DocSpaceClient


def _live_requested(config: pytest.Config) -> bool:
    return "live" in (config.option.markexpr or "")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "portal" in metafunc.fixturenames:
        params = [pytest.param("sandbox", id="sandbox")]
        params.append(pytest.param("live", id="live", marks=pytest.mark.live))
        metafunc.parametrize("portal", params, indirect=True)


@pytest.fixture
def portal(request: pytest.FixtureRequest) -> Iterator[Portal]:
    if request.param == "live":
        url, key = os.environ.get("DOCSPACE_URL"), os.environ.get("DOCSPACE_API_KEY")
        if os.environ.get("CI") or not _live_requested(request.config):
            pytest.skip("real-portal tests run only with -m live (and never in CI)")
        if not (url and key):
            pytest.skip("set DOCSPACE_URL and DOCSPACE_API_KEY to run the real-portal tests")
        p = Portal("live", DocSpaceClient(url, key, timeout=(10.0, 60.0)))
        try:
            yield p
        finally:
            p.cleanup()
            p.api.close()
        return
    sb = start(port=0)
    p = Portal("sandbox", DocSpaceClient(sb.url, sb.api_key))
    try:
        yield p
    finally:
        p.api.close()
        sb.stop()
