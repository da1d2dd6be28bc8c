"""Raw HTTP to the sandbox for its behaviour tests: an authenticated session and error bodies."""

from __future__ import annotations

from typing import Any

import requests

from docspace_sandbox.server import Sandbox
from support.waiting import wait_until


class Api:
    """A ``requests`` session bound to one sandbox, sending ``Bearer <key>``."""

    def __init__(self, sandbox: Sandbox, key: str | None = None) -> None:
        self.base = sandbox.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key or sandbox.api_key}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request to ``/api/2.0/<path>``."""
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, f"{self.base}/api/2.0/{path}", **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, **kwargs)

    def room(self, title: str = "Client - Acme", room_type: int = 2, **extra: Any) -> dict[str, Any]:
        """Create a room and return its FolderDto."""
        response = self.post("files/rooms", json={"title": title, "roomType": room_type, **extra})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["response"]
        return result

    def user_id(self, email: str) -> str:
        """The id of a seeded person."""
        response = self.get("people/email", params={"email": email})
        assert response.status_code == 200, response.text
        return str(response.json()["response"]["id"])

    def wait_operation(self, op_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Poll ``fileops?id=`` until the operation reports ``finished``."""
        found: dict[str, Any] = {}

        def finished() -> bool:
            items = self.get("files/fileops", params={"id": op_id}).json()["response"]
            if items:
                found.update(items[0])
            return bool(found.get("finished"))

        wait_until(finished, timeout, interval=0.01)
        return found


def error_message(response: requests.Response) -> str:
    """``error.message`` of an ErrorApiResponse body."""
    return str(response.json()["error"]["message"])
