"""Portal addresses, error mapping and retry decisions, without a network."""

from __future__ import annotations

import random

import pytest

from onboarding.docspace import PortalAddress
from onboarding.docspace._envelope import error_for, parse_retry_after, unwrap
from onboarding.docspace._http11 import Answer, Headers
from onboarding.errors import (
    BadRequest,
    ConfigError,
    Forbidden,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
)
from onboarding.workflow.retry import Retrier, RetryPolicy


def _resp(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, Headers({k.lower(): v for k, v in (headers or {}).items()}), body)


@pytest.mark.parametrize(
    ("raw", "base"),
    [
        ("https://acme.onlyoffice.com/", "https://acme.onlyoffice.com"),
        ("acme.onlyoffice.com", "https://acme.onlyoffice.com"),
        ("https://acme.example/api/2.0", "https://acme.example"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:1", "http://localhost:1"),
    ],
)
def test_portal_address_is_normalised(raw: str, base: str) -> None:
    """Trailing slashes and a pasted /api/2.0 are dropped; a bare host gets https."""
    assert PortalAddress.parse(raw).base == base


@pytest.mark.parametrize(
    "raw", ["http://acme.example", "https://user:pw@acme.example", "https://acme.example/?k=1", "ftp://x", ""]
)
def test_unsafe_portal_addresses_are_refused(raw: str) -> None:
    """Plain http off loopback, credentials, queries and other schemes are refused."""
    with pytest.raises(ConfigError):
        PortalAddress.parse(raw)


def test_error_envelope_message_is_used() -> None:
    """A 403 with an error envelope maps to Forbidden carrying the server's message."""
    body = b'{"error": {"message": "The role is not available for this user type"}, "status": 1, "statusCode": 403}'
    exc = error_for("PUT", "/api/2.0/files/rooms/1/share", _resp(403, body))
    assert isinstance(exc, Forbidden)
    assert exc.server_message == "The role is not available for this user type"
    assert "PUT /api/2.0/files/rooms/1/share -> 403" in str(exc)


def test_validation_400_inside_success_envelope_is_read() -> None:
    """Model-validation 400s put problem details under `response`; the field messages are kept."""
    body = (
        b'{"response": {"title": "One or more validation errors occurred.", "status": 400,'
        b' "errors": {"Title": ["The field Title must be a string with a maximum length of 170."]}},'
        b' "count": 1, "status": 1, "statusCode": 400}'
    )
    exc = error_for("POST", "/api/2.0/files/rooms", _resp(400, body))
    assert isinstance(exc, BadRequest)
    assert exc.details == {"Title": ["The field Title must be a string with a maximum length of 170."]}
    assert "maximum length of 170" in str(exc)


def test_empty_401_says_what_to_check() -> None:
    """An empty-bodied 401 becomes Unauthorized with a hint about the key."""
    exc = error_for("GET", "/api/2.0/people/@self", _resp(401))
    assert isinstance(exc, Unauthorized) and "Bearer" in str(exc)


def test_429_carries_retry_after_seconds() -> None:
    """A 429's Retry-After header is parsed into seconds."""
    exc = error_for("POST", "/api/2.0/files/rooms", _resp(429, headers={"Retry-After": "7"}))
    assert isinstance(exc, RateLimited) and exc.retry_after == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_html_502_from_a_proxy_is_a_server_error() -> None:
    """A proxy's HTML 502 maps to ServerError (retryable), not a parsing crash."""
    exc = error_for("GET", "/api/2.0/files/rooms", _resp(502, b"<html>Bad gateway</html>"))
    assert isinstance(exc, ServerError) and exc.retryable


def test_success_without_envelope_is_unexpected() -> None:
    """A 200 that is not a DocSpace envelope (e.g. a login page) is reported, not trusted."""
    with pytest.raises(UnexpectedResponse):
        unwrap("GET", "/api/2.0/people/@self", _resp(200, b"<html>login</html>"))


def test_retrier_retries_only_retryable_errors() -> None:
    """Transport errors, 429 and 5xx are retried; 400/403 are not."""
    r = Retrier(policy=RetryPolicy(attempts=3), rng=random.Random(1))
    assert r.delay(1, TransportError("x")) is not None
    assert r.delay(1, ServerError("x")) is not None
    assert r.delay(1, Forbidden("x")) is None
    assert r.delay(1, BadRequest("x")) is None
    assert r.delay(3, TransportError("x")) is None  # attempts exhausted


def test_retrier_honours_retry_after_and_caps_it() -> None:
    """A Retry-After is waited for; one beyond the cap ends the retries (daily window)."""
    r = Retrier(policy=RetryPolicy(max_retry_after=60), rng=random.Random(1))
    wait = r.delay(1, RateLimited("x", retry_after=5))
    assert wait is not None and 5 <= wait < 5.3
    assert r.delay(1, RateLimited("x", retry_after=3600)) is None


def test_retrier_stops_on_total_time() -> None:
    """No new try starts once the elapsed-time budget would be exceeded."""
    now = [0.0]
    calls = []

    def fail() -> None:
        calls.append(1)
        raise TransportError("down")

    def sleep(s: float) -> None:
        now[0] += s

    r = Retrier(
        policy=RetryPolicy(attempts=100, max_elapsed=3.0, base_delay=1.0), sleep=sleep, clock=lambda: now[0]
    )
    with pytest.raises(TransportError):
        r.call(fail)
    assert 2 <= len(calls) < 10


@pytest.mark.parametrize("raw", ["https://acme.example:44x3", "https://acme.example:70000", "https://[::1"])
def test_malformed_port_or_host_is_a_config_error(raw: str) -> None:
    """A malformed port or bracketed host is a clear settings error, not a traceback."""
    with pytest.raises(ConfigError, match="malformed"):
        PortalAddress.parse(raw)


@pytest.mark.parametrize("key", ["sk-abc\ndef", "sk-abc def", "sk-abcé"])
def test_key_that_cannot_travel_in_a_header_is_refused_without_echo(key: str) -> None:
    """A key with a line break, space or non-ASCII character is refused and not repeated in the message."""
    from onboarding.docspace import DocSpaceClient

    with pytest.raises(ConfigError) as info:
        DocSpaceClient("http://127.0.0.1:9", key)
    assert "abc" not in str(info.value)
