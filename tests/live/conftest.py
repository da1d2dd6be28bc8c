"""The portal behaviour tests run against the sandbox always, and against a real portal on request.

``pytest -m live`` with ``DOCSPACE_URL`` and ``DOCSPACE_API_KEY`` set runs the same tests against
that portal too (never in CI), so anyone with a portal can check that the sandbox still tells the
truth. Everything a test creates there is archived and deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.portal import Portal, live_portal, sandbox_portal


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "portal" in metafunc.fixturenames:
        params = [pytest.param("sandbox", id="sandbox")]
        params.append(pytest.param("live", id="live", marks=pytest.mark.live))
        metafunc.parametrize("portal", params, indirect=True)


@pytest.fixture
def portal(request: pytest.FixtureRequest) -> Iterator[Portal]:
    if request.param == "live":
        yield from live_portal(request.config)
    else:
        yield from sandbox_portal()
