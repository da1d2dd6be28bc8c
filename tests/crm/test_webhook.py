"""The CRM webhook against a real receiver on loopback: signed, retried, each client once."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from onboarding.errors import ConfigError, WebhookUnavailable
from onboarding.journal import Journal, SqliteJournal
from onboarding.webhook import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookConfig,
    WebhookSender,
    verify,
)
from onboarding.workflow.retry import RetryPolicy

SECRET = "test-webhook-secret-0123456789"


class Receiver:
    """Verifies signatures, fails the first ``fail_first`` attempts of each key, dedupes by key."""

    def __init__(self, fail_first: int = 2) -> None:
        self.fail_first = fail_first
        self.attempts: dict[str, int] = {}
        self.accepted: dict[str, dict] = {}
        self.bad_signatures = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = verify(SECRET, self.headers[TIMESTAMP_HEADER], body, self.headers[SIGNATURE_HEADER])
                key = self.headers[IDEMPOTENCY_HEADER]
                with outer.lock:
                    if not ok:
                        outer.bad_signatures += 1
                        status = 401
                    else:
                        outer.attempts[key] = outer.attempts.get(key, 0) + 1
                        if outer.attempts[key] <= outer.fail_first:
                            status = 503
                        else:
                            outer.accepted.setdefault(key, json.loads(body))
                            status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def _journal(tmp_path: Path, n: int) -> Journal:
    j = SqliteJournal(tmp_path / "j.db")
    for i in range(n):
        j.upsert_client(
            "p", f"C-{i}", name=f"Café Ünïcode {i}", email=f"c{i}@x.example", status="onboarded",
            room_id=100 + i, room_title=f"Client - {i}", link_url=f"http://127.0.0.1/s/{i}", run_id="r1",
        )  # fmt: skip
    j.upsert_client("p", "F-1", name="Failed one", status="failed", run_id="r1")
    return j


def _sender(receiver: Receiver, journal: Journal, sleeps: list[float]) -> WebhookSender:
    return WebhookSender(
        WebhookConfig(receiver.url, SECRET), journal, portal="p",
        retry=RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.02), sleep=sleeps.append,
    )  # fmt: skip


def test_each_client_is_delivered_once_after_failed_attempts(receiver: Receiver, tmp_path: Path) -> None:
    """The receiver fails twice per client; after retries it has each onboarded client exactly once."""
    j = _journal(tmp_path, 5)
    sleeps: list[float] = []
    report = _sender(receiver, j, sleeps).deliver(j.clients("p"))
    assert (report.sent, report.failed, report.skipped) == (5, 0, 1)
    assert receiver.bad_signatures == 0
    assert len(receiver.accepted) == 5
    assert all(n == 3 for n in receiver.attempts.values())
    names = sorted(p["client"]["client_name"] for p in receiver.accepted.values())
    assert names[0] == "Café Ünïcode 0"
    assert len(sleeps) == 10


def test_delivered_clients_are_not_sent_again_unless_resent(receiver: Receiver, tmp_path: Path) -> None:
    """A second delivery pass sends nothing; an explicit re-send sends again with the same key."""
    j = _journal(tmp_path, 2)
    sender = _sender(receiver, j, [])
    sender.deliver(j.clients("p"))
    attempts = dict(receiver.attempts)
    again = sender.deliver(j.clients("p"))
    assert again.sent == 0 and receiver.attempts == attempts
    forced = sender.deliver(j.clients("p"), force=True)
    assert forced.sent == 2 and len(receiver.accepted) == 2  # the receiver dedupes by idempotency key


def test_a_wrong_secret_is_refused_and_recorded_as_failed(receiver: Receiver, tmp_path: Path) -> None:
    """A delivery the receiver refuses (bad signature, 401) is not retried and is recorded as failed."""
    j = _journal(tmp_path, 1)
    sender = WebhookSender(
        WebhookConfig(receiver.url, "another-secret-0123456789"), j, portal="p", sleep=lambda s: None
    )
    report = sender.deliver(j.clients("p"))
    assert report.failed == 1 and receiver.bad_signatures == 1
    assert j.delivery("p", "C-0")["status"] == "failed"


def test_webhook_url_must_be_https_off_loopback() -> None:
    """A plain-http webhook on another host is refused (the payload holds client data)."""
    with pytest.raises(ConfigError):
        WebhookConfig("http://crm.example/hook", SECRET)
    with pytest.raises(ConfigError):
        WebhookConfig("https://crm.example/hook", "short")
    assert "***" in repr(WebhookConfig("https://crm.example/hook", SECRET))


def test_webhook_url_without_a_scheme_is_refused() -> None:
    """A webhook URL typed without https:// is a settings error, not a retried network failure."""
    with pytest.raises(ConfigError, match="https://"):
        WebhookConfig("crm.example/hook", SECRET)


def test_a_dead_receiver_stops_the_pass_after_three_clients(tmp_path: Path) -> None:
    """After three clients in a row fail, the rest are recorded as not attempted instead of each retrying."""
    dead = Receiver(fail_first=10**6)
    try:
        j = _journal(tmp_path, 8)
        sleeps: list[float] = []
        report = _sender(dead, j, sleeps).deliver(j.clients("p"))
        assert report.failed == 8 and report.sent == 0
        assert sum(dead.attempts.values()) == 3 * 5  # three clients, five tries each; the rest untouched
        assert "not attempted" in j.delivery("p", "C-7")["detail"]
    finally:
        dead.stop()


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data",
        "https://169.254.1.1:8443/hook",
        "https://[fe80::1]/hook",
        "https://[fd00:ec2::254]/hook",
        "https://[::ffff:169.254.169.254]/hook",
        "http://169.254.169.254/hook",
    ],
)
def test_webhook_refuses_link_local_and_metadata_addresses(url: str) -> None:
    """Link-local and cloud-metadata addresses are refused whatever the scheme."""
    with pytest.raises(ConfigError, match=r"link-local|https"):
        WebhookConfig(url, SECRET)


def test_webhook_host_resolving_to_a_metadata_address_is_refused_before_sending(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name whose addresses include a link-local one is refused at delivery, nothing is sent."""
    real = socket.getaddrinfo
    port = int(receiver.url.split(":")[2].split("/")[0])

    def fake(host: str, *args: object, **kw: object) -> list:  # type: ignore[type-arg]
        if host != "crm.localhost":
            return real(host, *args, **kw)  # type: ignore[arg-type]
        # loopback first, so that without the check the delivery goes through (and never leaves loopback)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    j = _journal(tmp_path, 1)
    sender = WebhookSender(WebhookConfig(f"http://crm.localhost:{port}/hook", SECRET), j, portal="p",
                           sleep=lambda s: None)  # fmt: skip
    with pytest.raises(ConfigError, match=r"169\.254\.169\.254"):
        sender.deliver(j.clients("p"))
    assert receiver.attempts == {} and receiver.bad_signatures == 0


def test_an_event_that_failed_is_sent_again_by_the_next_pass_with_its_key(tmp_path: Path) -> None:
    """A client.offboarded sent while the CRM was down is recorded failed; the next delivery pass
    sends it again, once, with the same idempotency key and the client's current row; a pass
    after that sends nothing more."""
    j = _journal(tmp_path, 2)
    down = Receiver(fail_first=10**6)
    rec = next(r for r in j.clients("p") if r.client_id == "C-1")
    with pytest.raises(WebhookUnavailable):  # 503 on every retry
        _sender(down, j, []).notify(rec, "client.offboarded", stamp="1")
    (failed,) = j.failed_notices("p")
    down.stop()
    up = Receiver(fail_first=0)
    try:
        sender = _sender(up, j, [])
        report = sender.deliver(j.clients("p"))
        sender.resend_failed_events(j.clients("p"), report)
        assert (report.events_sent, report.events_failed) == (1, 0)
        offboarded = [p for p in up.accepted.values() if p["type"] == "client.offboarded"]
        assert [(p["idempotency_key"], p["client"]["client_id"]) for p in offboarded] == [
            (failed["key"], "C-1")
        ]
        assert j.failed_notices("p") == []
        again = sender.deliver(j.clients("p"))
        sender.resend_failed_events(j.clients("p"), again)
        assert again.events_sent == 0 and len(up.accepted) == 3  # 2 onboarded + the one event
    finally:
        up.stop()
