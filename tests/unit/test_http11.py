"""The transport's HTTP/1.1 wire against a scripted loopback server: bodies, reuse, failures."""

from __future__ import annotations

import gzip
import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from onboarding.docspace._http11 import MAX_BODY
from onboarding.docspace._transport import PortalAddress, build_channel, send
from onboarding.errors import RequestTimeout, TransportError

OK = b'{"response": 1, "status": 0, "statusCode": 200}'
DRIPPED = 100
"""Bytes of a dripped body: 5 s at one per 50 ms, each gap well inside a 0.3 s read timeout."""


def length(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body


class Scripted:
    """Answers the n-th request with ``answers[n]`` (None: close the connection, no answer)."""

    def __init__(self, answers: list[bytes | None], *, close_after: bool = False) -> None:
        self.answers = answers
        self.close_after = close_after
        self.connections = 0
        self.heads: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.hang = threading.Event()
        self.closed = threading.Event()
        """Set once the server has closed a connection."""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        try:
            self._answer(conn)
        finally:
            conn.close()
            self.closed.set()

    def _answer(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        with reader:
            while self.answers:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                self.heads.append(head)
                answer = self.answers.pop(0)
                if answer is None:
                    return
                if answer == b"hang":
                    self.hang.wait(10)
                    return
                if answer == b"drip":  # headers at once, then a byte of the body every 50 ms
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % DRIPPED)
                    for _ in range(DRIPPED):
                        if self.hang.wait(0.05):
                            return
                        conn.sendall(b" ")
                    continue
                conn.sendall(answer)
                if self.close_after:
                    return

    def close(self) -> None:
        self.hang.set()
        self.listener.close()


@contextmanager
def scripted(answers: list[bytes | None], **kw: bool) -> Iterator[tuple[Scripted, object]]:
    server = Scripted(answers, **kw)
    channel = build_channel(PortalAddress.parse(f"http://127.0.0.1:{server.port}"), "sk-key")
    try:
        yield server, channel
    finally:
        channel.close()
        server.close()


def call(channel: object, timeout: tuple[float, float] = (5.0, 5.0)) -> bytes:
    answer = send(channel, "GET", "/api/2.0/x", path="/api/2.0/x", timeout=timeout)  # type: ignore[arg-type]
    return answer.content


def test_answers_reuse_one_connection_and_chunks_are_joined() -> None:
    """Two calls go over one kept-alive connection; a chunked body arrives whole."""
    chunked = b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\n{"a":\r\n3\r\n 1}\r\n0\r\nT: 1\r\n\r\n'
    with scripted([length(OK), chunked]) as (server, channel):
        assert call(channel) == OK
        assert call(channel) == b'{"a": 1}'
        assert server.connections == 1
        assert server.heads[0].startswith(b"GET /api/2.0/x HTTP/1.1\r\n")


def test_interim_100_and_repeated_headers() -> None:
    """A 100 Continue before the answer is skipped; header names are case-insensitive."""
    answer = b"HTTP/1.1 100 Continue\r\n\r\n" + length(OK, b"x-Seen: a\r\nX-SEEN: b\r\n")
    with scripted([answer]) as (_, channel):
        got = send(channel, "GET", "/api/2.0/x", path="x")  # type: ignore[arg-type]
        assert got.status_code == 200 and got.headers.get("X-Seen") == "a, b" and got.content == OK


def test_connection_close_is_not_reused() -> None:
    """An answer saying Connection: close (or with a body read to the end) takes its connection along."""
    to_end = b"HTTP/1.1 200 OK\r\n\r\n" + OK
    with scripted([length(OK, b"Connection: close\r\n"), to_end, length(OK)], close_after=True) as (
        server,
        channel,
    ):
        assert call(channel) == OK
        assert call(channel) == OK
        assert call(channel) == OK
        assert server.connections == 3


def test_connection_the_portal_closed_while_idle_is_replaced() -> None:
    """A pooled connection the portal closed meanwhile is dropped before use, not sent on."""
    with scripted([length(OK), length(OK)], close_after=True) as (server, channel):
        assert call(channel) == OK
        assert server.closed.wait(10)
        (pooled,) = channel.connections._idle  # type: ignore[attr-defined]
        assert select.select([pooled.sock], [], [], 10)[0], "the close reached our side"
        assert call(channel) == OK
        assert server.connections == 2


@pytest.mark.parametrize(
    "answer",
    [
        None,  # closed without an answer
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + OK,  # ended early
        b"SSH-2.0-OpenSSH\r\n\r\n",  # not HTTP
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # broken chunk size
    ],
)
def test_broken_answers_are_transport_errors(answer: bytes | None) -> None:
    """A connection closed early or an answer that is not HTTP is a (retryable) TransportError."""
    with scripted([answer]) as (_, channel), pytest.raises(TransportError) as caught:
        call(channel)
    assert not isinstance(caught.value, RequestTimeout) and caught.value.retryable


def test_a_compressed_answer_is_read_and_a_decompression_bomb_refused() -> None:
    """A gzip body (from an intermediary that compresses anyway) is inflated; one inflating past
    MAX_BODY (64 MiB of zeros in 64 KB) is a TransportError: inflating stops right past the cap."""
    bomb = gzip.compress(b"0" * (MAX_BODY + 1), compresslevel=9)
    assert len(bomb) < MAX_BODY // 100
    with scripted(
        [
            length(gzip.compress(OK), b"Content-Encoding: gzip\r\n"),
            length(bomb, b"Content-Encoding: gzip\r\n"),
        ]
    ) as (
        _,
        channel,
    ):
        assert call(channel) == OK
        with pytest.raises(TransportError, match="decompresses to more"):
            call(channel)


def test_an_announced_length_beyond_any_api_answer_is_refused() -> None:
    """A Content-Length over MAX_BODY is refused before any of the body is read or held."""
    huge = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY + 1)
    with scripted([huge]) as (_, channel), pytest.raises(TransportError, match="larger than any API answer"):
        call(channel)


def test_no_answer_in_time_is_a_request_timeout() -> None:
    """No answer within the read timeout is a RequestTimeout (the call may have been carried out)."""
    with scripted([b"hang"]) as (_, channel), pytest.raises(RequestTimeout, match="may still have been"):
        call(channel, timeout=(5.0, 0.2))


def test_an_answer_dripped_past_its_deadline_is_a_request_timeout() -> None:
    """A portal that answers a byte every 50 ms (each wait inside the 0.3 s read timeout) is cut
    off once the whole answer is late (two read timeouts), not read for as long as it drips."""
    with scripted([b"drip"]) as (_, channel), pytest.raises(RequestTimeout):
        call(channel, timeout=(5.0, 0.3))


def test_refused_connection_is_a_transport_error() -> None:
    """Nobody listening: a TransportError naming the call, not a socket traceback."""
    free = socket.create_server(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    channel = build_channel(PortalAddress.parse(f"http://127.0.0.1:{port}"), "sk-key")
    with pytest.raises(TransportError, match="connection failed"):
        call(channel)
