"""A CRM stand-in for tests: a real HTTP receiver on loopback that records every webhook delivery.

It verifies each delivery's signature and can be told to refuse (``status``); the app is given
its address through DOCSPACE_WEBHOOK_URL and DOCSPACE_WEBHOOK_SECRET.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from onboarding import webhook

SECRET = "whsec-test-0123456789abcdef"


@dataclass
class Receiver:
    url: str
    status: int = 200
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def clients(self) -> list[str]:
        return [
            d["body"]["client"]["client_id"]
            for d in self.deliveries
            if d["body"]["type"] == "client.onboarded"
        ]


def serve_receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A CRM stand-in on a free loopback port that records what it is sent (and verifies signatures)."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = webhook.verify(
                SECRET, self.headers[webhook.TIMESTAMP_HEADER], body, self.headers[webhook.SIGNATURE_HEADER]
            )
            state.deliveries.append({"body": json.loads(body), "signed": ok, "status": state.status})
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/crm/hook"
    monkeypatch.setenv("DOCSPACE_WEBHOOK_URL", state.url)
    monkeypatch.setenv("DOCSPACE_WEBHOOK_SECRET", SECRET)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
