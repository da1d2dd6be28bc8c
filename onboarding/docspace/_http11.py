"""HTTP/1.1 to one portal over kept-alive sockets: the bytes under :func:`_transport.send`.

Why not ``requests``: at 0–20 ms latency a batch is bound by CPU, and ``requests`` → ``urllib3``
→ ``http.client`` spent about 60 % of a worker's CPU per call (settings merged per call, header
validation by regular expressions, every answer's headers parsed by the ``email`` package, the
pool's queue). The API needs little of HTTP: one request, one answer with a ``Content-Length`` or
chunked body, on a connection kept for the next call. That is all this module does. It never
follows redirects, sends no cookies and uses no proxies (as the session it replaces was set up);
TLS is verified against the same CA bundle ``requests`` uses (``certifi``).

Failures surface as ``TimeoutError`` (no answer in time), ``OSError`` (connection refused, reset,
closed early) or :class:`BrokenAnswer` (not HTTP); the transport maps them to our error tree.
"""

from __future__ import annotations

import io
import math
import select
import socket
import ssl
import threading
import time
import zlib
from typing import Any, BinaryIO

MAX_LINE = 65_536
"""Longest status or header line accepted (``http.client``'s limit)."""
MAX_HEADERS = 100
MAX_BODY = 64 * 1024 * 1024
"""Largest answer body accepted, as sent and once decompressed. The API's answers are pages of JSON
(a few hundred KB at most); a larger announced length, or a small compressed body that inflates
past this (a decompression bomb from a hostile intermediary), is refused before it is held."""


class BrokenAnswer(OSError):
    """What came back is not an HTTP/1.1 answer, or it ended before its announced length."""


class Headers(dict[str, str]):
    """An answer's headers, names case-insensitive (stored lower-case; repeats joined by ", ")."""

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


class Answer:
    """One answer: its status, headers and whole body (what the envelope reader needs)."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: Headers, content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content


ANSWER_WITHIN = 2.0
"""A whole answer must arrive within this many read timeouts of the request being sent. The read
timeout alone bounds each wait for bytes, so a peer dripping a byte every few seconds (a broken
proxy, a hostile intermediary) could hold a call, and its write slot, for hours."""


class _Deadline(io.RawIOBase):
    """The socket's bytes, each read cut short so that the answer ends by ``deadline``.

    The socket's own timeout (the read timeout, set when the connection is taken) bounds each
    wait; only near the deadline is it lowered, so a normal call adds no system call.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.deadline = math.inf
        self.read_timeout = math.inf

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the answer did not arrive in time")
        if left < self.read_timeout:
            self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class _Connection:
    """A socket and its buffered reader (kept together: the reader may hold bytes already read)."""

    __slots__ = ("raw", "reader", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.raw = _Deadline(sock)
        self.reader: BinaryIO = io.BufferedReader(self.raw)

    def start(self, read_timeout: float) -> None:
        """A new call on this connection: each wait bounded by ``read_timeout``, the whole answer
        by :data:`ANSWER_WITHIN` of them."""
        self.sock.settimeout(read_timeout)
        self.raw.read_timeout = read_timeout
        self.raw.deadline = time.monotonic() + ANSWER_WITHIN * read_timeout

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def dropped(self) -> bool:
        """True when the peer closed it (or sent something unasked) while it sat in the pool."""
        try:
            poller = select.poll()
            poller.register(self.sock, select.POLLIN)
            return bool(poller.poll(0))
        except (OSError, ValueError):
            return True


class Connections:
    """Kept-alive connections to one ``host:port``, shared by threads (one call per connection)."""

    def __init__(self, scheme: str, host: str, port: int | None, *, maxsize: int = 32) -> None:
        self.tls = scheme == "https"
        self.host = host.strip("[]")
        self.port = port or (443 if self.tls else 80)
        self.maxsize = maxsize
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def request(
        self, head: bytes, body: bytes | None, *, method: str, timeout: tuple[float, float]
    ) -> Answer:
        """Send one request (``head``: request line and headers) and read its whole answer."""
        conn = self._take(timeout)
        keep = False
        try:
            conn.sock.sendall(head + body if body else head)
            answer, keep = _read_answer(conn.reader, method)
            return answer
        finally:
            if keep:
                with self._lock:
                    if len(self._idle) < self.maxsize:
                        self._idle.append(conn)
                        conn = None  # type: ignore[assignment]
            if conn is not None:
                conn.close()

    def _take(self, timeout: tuple[float, float]) -> _Connection:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = self._connect(timeout[0])
                break
            if not conn.dropped():
                break
            conn.close()
        conn.start(timeout[1])
        return conn

    def _connect(self, connect_timeout: float) -> _Connection:
        sock = socket.create_connection((self.host, self.port), timeout=connect_timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls:
                sock = self._tls().wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        return _Connection(sock)

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            import certifi  # the bundle ``requests`` verified against; loaded for https only

            self._context = ssl.create_default_context(cafile=certifi.where())
        return self._context


def _line(reader: BinaryIO) -> bytes:
    line = reader.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise BrokenAnswer("header line too long")
    return line


def _read_answer(reader: BinaryIO, method: str) -> tuple[Answer, bool]:
    """Status line, headers and body; and whether the connection may carry another call."""
    while True:
        status_line = _line(reader)
        if not status_line:
            raise ConnectionResetError("the portal closed the connection without an answer")
        version, _, rest = status_line.partition(b" ")
        code = rest[:3]
        if not version.startswith(b"HTTP/1.") or not code.isdigit():
            raise BrokenAnswer("not an HTTP/1.x answer")
        headers = _headers(reader)
        status = int(code)
        if status >= 200 or status == 101:
            break  # 1xx (100 Continue, 103 Early Hints) precede the real answer
    connection = (headers.get("connection") or "").lower()
    keep = "close" not in connection and (version == b"HTTP/1.1" or "keep-alive" in connection)
    if method == "HEAD" or status in (204, 304) or status < 200:
        return Answer(status, headers, b""), keep
    if "chunked" in (headers.get("transfer-encoding") or "").lower():
        content = _chunked(reader)
    elif (length := headers.get("content-length")) is not None:
        if not length.strip().isdigit():
            raise BrokenAnswer("malformed Content-Length")
        size = int(length)
        if size > MAX_BODY:
            raise BrokenAnswer(f"an answer of {size} bytes is larger than any API answer")
        content = reader.read(size) if size else b""
        if len(content) != size:
            raise BrokenAnswer(f"the answer ended after {len(content)} of {size} bytes")
    else:  # the body runs until the portal closes the connection
        content, keep = reader.read(MAX_BODY + 1), False
        if len(content) > MAX_BODY:
            raise BrokenAnswer("the answer is larger than any API answer")
    encoding = (headers.get("content-encoding") or "").lower()
    if encoding in ("gzip", "x-gzip", "deflate") and content:
        # We ask for identity; an intermediary that compresses anyway is still understood.
        content = _inflate(content, 47 if "gzip" in encoding else zlib.MAX_WBITS)
    return Answer(status, headers, content), keep


def _inflate(content: bytes, wbits: int) -> bytes:
    """The decompressed body, never more than :data:`MAX_BODY` of it held."""
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(content, MAX_BODY + 1)
    except zlib.error:
        raise BrokenAnswer("the compressed answer is corrupt") from None
    if len(out) > MAX_BODY:
        raise BrokenAnswer("the answer decompresses to more than any API answer")
    return out


def _headers(reader: BinaryIO) -> Headers:
    headers = Headers()
    for _ in range(MAX_HEADERS + 1):
        line = _line(reader)
        if line in (b"\r\n", b"\n"):
            return headers
        if not line:
            raise ConnectionResetError("the connection closed inside the answer's headers")
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise BrokenAnswer("malformed header line")
        key, text = name.strip().lower(), value.strip()
        previous = dict.get(headers, key)
        dict.__setitem__(headers, key, text if previous is None else f"{previous}, {text}")
    raise BrokenAnswer("too many headers")


def _chunked(reader: BinaryIO) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = _line(reader).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise BrokenAnswer("malformed chunk size") from None
        if size == 0:
            while _line(reader) not in (b"\r\n", b"\n", b""):  # trailers
                pass
            return b"".join(parts)
        total += size
        if total > MAX_BODY:
            raise BrokenAnswer("the chunked answer is larger than any API answer")
        chunk = reader.read(size)
        if len(chunk) != size or _line(reader) not in (b"\r\n", b"\n"):
            raise BrokenAnswer("the chunked answer ended early")
        parts.append(chunk)
