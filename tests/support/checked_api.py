"""Raw HTTP to the sandbox where every exchange is also checked by the SDK contract oracle.

Used by the portal-mode tests, so each new behaviour (402 bodies, validation 400s, links created
internal …) is proven to parse into the official ``docspace-api-sdk`` models, not only to happen.
"""

from __future__ import annotations

from typing import Any

import requests
from contract import oracle

from docspace_sandbox.server import Sandbox
from support.sandbox_api import Api


class CheckedApi(Api):
    """An :class:`Api` whose every request body and answer goes through ``oracle.check_exchange``."""

    def __init__(self, sandbox: Sandbox, key: str | None = None) -> None:
        super().__init__(sandbox, key)
        self.sandbox = sandbox

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = super().call(method, path, **kwargs)
        payload = response.json() if response.content else None
        oracle.check_exchange(method, f"/api/2.0/{path}", kwargs.get("json"), payload, response.status_code)
        return response

    def settings(self, **changes: Any) -> dict[str, Any]:
        """``POST /__sandbox__/settings`` with ``changes`` (or GET when none); the new settings."""
        url = f"{self.base}/__sandbox__/settings"
        response = requests.post(url, json=changes, timeout=10) if changes else requests.get(url, timeout=10)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


def validation_errors(response: requests.Response) -> dict[str, list[str]]:
    """``errors`` of a ValidationProblemDetails answer (400 inside the success envelope)."""
    body = response.json()
    assert (body["status"], body["statusCode"]) == (1, 400), body
    errors: dict[str, list[str]] = body["response"]["errors"]
    return errors
