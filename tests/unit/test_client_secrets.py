"""The API key stays in the Authorization header of the portal's own host, and nowhere else."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from docspace_sandbox.server import Sandbox, start
from onboarding.docspace import DocSpaceClient
from onboarding.errors import DocSpaceError, TransportError, UnexpectedResponse

KEY = "sk-" + "a1b2c3d4" * 6


class _Recorder:
    """A loopback server that answers every request with a fixed status and remembers the headers."""

    def __init__(self, status: int, location: str = "") -> None:
        self.auth_headers: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.auth_headers.append(self.headers.get("Authorization"))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def keyed_sandbox() -> Iterator[Sandbox]:
    sb = start(port=0, api_key=KEY)
    yield sb
    sb.stop()


def test_redirect_to_another_host_is_not_followed(keyed_sandbox: Sandbox) -> None:
    """A portal answer that redirects elsewhere is an error; the other host never sees the key."""
    other = _Recorder(200)
    portal = _Recorder(302, location=f"{other.url.replace('127.0.0.1', 'localhost')}/api/2.0/people/@self")
    try:
        with DocSpaceClient(portal.url, KEY) as api, pytest.raises(UnexpectedResponse, match="redirected"):
            api.me()
        assert portal.auth_headers == [f"Bearer {KEY}"]
        assert other.auth_headers == []
    finally:
        portal.stop()
        other.stop()


def test_key_is_absent_from_errors_and_repr(keyed_sandbox: Sandbox) -> None:
    """Error messages and the client's repr never contain the key."""
    api = DocSpaceClient(keyed_sandbox.url, KEY)
    assert KEY not in repr(api)
    failures: list[DocSpaceError] = []
    for call in (lambda: api.get_room(999999), lambda: api.user_by_email("x@nowhere.example")):
        try:
            call()
        except DocSpaceError as exc:
            failures.append(exc)
    with DocSpaceClient("http://127.0.0.1:9", KEY, timeout=(0.5, 0.5)) as dead:
        with pytest.raises(TransportError) as info:
            dead.me()
        failures.append(info.value)
    assert len(failures) == 3
    for exc in failures:
        assert KEY not in str(exc) and KEY not in repr(exc)
        assert exc.__cause__ is None or KEY not in str(exc.__cause__)


def test_sandbox_request_log_never_holds_the_key(keyed_sandbox: Sandbox) -> None:
    """The sandbox's request log, which tests and benchmarks read, carries no header or key."""
    with DocSpaceClient(keyed_sandbox.url, KEY) as api:
        api.me()
        api.list_rooms()
    assert KEY not in str(keyed_sandbox.request_log())
