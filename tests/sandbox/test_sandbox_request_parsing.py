"""The sandbox reads request lines and headers itself: what it accepts and what it refuses."""

from __future__ import annotations

import socket

import pytest

from docspace_sandbox.server import Sandbox


def exchange(sandbox: Sandbox, head: str) -> tuple[int, str]:
    """Send a raw request head; return the answer's status and its text (connection closed)."""
    host, port = sandbox.url.split("://", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode("latin-1"))
        sock.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:  # closed on bytes it did not read (a refused head): answer kept
            pass
    text = data.decode("latin-1")
    return int(text.split(" ", 2)[1]), text


def test_headers_are_read_whatever_their_case(sandbox: Sandbox) -> None:
    """A lower-case authorization header authenticates; the answer is the account."""
    status, text = exchange(
        sandbox,
        f"GET /api/2.0/people/@self HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {sandbox.api_key}\r\n"
        "connection: close\r\n\r\n",
    )
    assert status == 200 and '"isOwner": true' in text


@pytest.mark.parametrize(
    ("head", "status"),
    [
        ("GET /api/2.0/people/@self HTTP/1.1\r\nHost x\r\n\r\n", 400),  # no colon
        ("GET /api/2.0/people/@self HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),  # obs-fold
        ("GET /api/2.0/people/@self HTTP/1.1\r\n" + "X-A: 1\r\n" * 101 + "\r\n", 431),
        ("GET /api/2.0/people/@self HTTP/1.1\r\nX-A: " + "a" * 70_000 + "\r\n\r\n", 431),
        ("GET /api/2.0/people/@self\r\n\r\n", 400),  # HTTP/0.9
        ("GET /api/2.0/people/@self HTTP/x.y\r\n\r\n", 400),
        ("GET /api/2.0/people/@self HTTP/2.0\r\n\r\n", 505),
    ],
)
def test_malformed_requests_are_refused(sandbox: Sandbox, head: str, status: int) -> None:
    """Malformed heads get 400, too many or too long header lines 431, HTTP/2 framing 505."""
    assert exchange(sandbox, head)[0] == status
