"""The API key stays in the Authorization header of the portal's own host, and nowhere else."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from docspace_sandbox.server import Sandbox, start
from onboarding.docspace import DocSpaceClient, PortalAddress
from onboarding.errors import ConfigError, DocSpaceError, TransportError, UnexpectedResponse
from onboarding.redact import register_secret
from onboarding.settings import load_settings

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


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter2secret@portal.example",
        "user:hunter2secret@portal.example",
        "https://user:hunter2secret@portal.example:99999",
        "ftp://user:hunter2secret@portal.example",
        "https://user:hunter2secret@[::1",
        "https://:hunter2secret@portal.example/x",
        "https://user:hunter2secret@/x",
        "http://user:hunter2secret@example.com",
    ],
)
def test_portal_address_with_user_info_is_refused_without_echoing_the_password(url: str) -> None:
    """Any address carrying user info is refused, and the message never repeats the password."""
    with pytest.raises(ConfigError) as caught:
        PortalAddress.parse(url)
    assert "hunter2secret" not in str(caught.value)
    assert "user name or password" in str(caught.value)


def test_settings_refuse_a_portal_with_user_info_without_echo() -> None:
    """The same address through the settings (CLI --portal, the Settings page) is refused without echo."""
    with pytest.raises(ConfigError) as caught:
        load_settings(explicit={"portal_url": "https://ops:hunter2secret@portal.example:0x"}, environ={})
    assert "hunter2secret" not in str(caught.value)


class _Echo(BaseHTTPRequestHandler):
    """Answers every call with a DocSpace error whose message quotes the Authorization header."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        message = f"denied for {auth} (raw {auth.split()[-1]}) \x1b]8;;http://evil\x07click\x1b]8;;\x07"
        body = json.dumps({"error": {"message": message}, "status": 1, "statusCode": 403}).encode()
        self.send_response(403)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_portal_error_bodies_are_masked_and_printable() -> None:
    """An error body echoing the key (bare, Bearer or registered) and terminal controls is cleaned."""
    odd_key = "ODD-KEY-without-the-usual-shape-1234567890"  # masked because it is registered
    register_secret(odd_key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for key in (KEY, odd_key):
            client = DocSpaceClient(f"http://127.0.0.1:{server.server_address[1]}", key)
            with pytest.raises(DocSpaceError) as caught:
                client.me()
            client.close()
            exc = caught.value
            for text in (str(exc), exc.server_message):
                assert key not in text and "denied for" in text
                assert "\x1b" not in text and "\x07" not in text
    finally:
        server.shutdown()
        server.server_close()


def test_printable_shortcut_changes_nothing_it_should_not() -> None:
    """Text str.isprintable() accepts comes back as is; NBSP, LRM, RLO, ESC, private use still go the per-character way."""
    from onboarding.redact import printable

    assert printable("Client - Acme GmbH: 42 é ü 🚀 شركة") == "Client - Acme GmbH: 42 é ü 🚀 شركة"
    assert printable("a\u00a0b") == "a\u00a0b"  # a separator the per-character rule keeps
    assert printable("a\u200eb\u202ec\x1bd\ue000") == "a\\u200eb\\u202ec\\x1bd\\ue000"
    assert printable("a\tb\nc", keep="\n\t") == "a\tb\nc"
    assert printable("a\tb\x1b", keep="\n") == "a\\x09b\\x1b"
