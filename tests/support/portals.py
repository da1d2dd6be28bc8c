"""Helpers for tests on a particular kind of portal (key user, quotas, sharing settings)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from support.engine import Harness

PortalFactory = Callable[..., Harness]


def change_settings(h: Harness, **changes: Any) -> None:
    """``POST /__sandbox__/settings``: change the portal as its administrator would, over HTTP."""
    resp = requests.post(f"{h.sandbox.url}/__sandbox__/settings", json=changes, timeout=10)
    assert resp.status_code == 200, resp.text
