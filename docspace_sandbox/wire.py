"""HTTP on the wire: the threaded stdlib server and handler, and the byte-level helpers.

Why the stdlib server: it starts in milliseconds and needs no dependency; HTTP/1.1 keep-alive
plus ``disable_nagle_algorithm`` avoids the 40 ms Nagle/delayed-ACK stall per request.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .routes import Reply
    from .server import Sandbox

# Kestrel's default KestrelServerLimits.MaxRequestLineSize; DocSpace's F/Server/Program.cs raises
# only the buffer size, so longer request lines (CRLF included) are refused with an empty 414.
MAX_REQUEST_LINE = 8 * 1024

MAX_HEADER_LINE = 65_536
MAX_HEADERS = 100
"""The stdlib server's limits on header lines (Kestrel's are in bytes, 32 KB in all; both 431)."""
_HTTP_VERSION = re.compile(r"HTTP/\d\.\d")

_date_cache: tuple[int, str] = (0, "")
"""(second, its HTTP date), shared by the handler threads; replaced whole, so always consistent."""


class Server(ThreadingHTTPServer):
    """One listening socket; each connection gets a daemon thread."""

    daemon_threads = True
    request_queue_size = 128
    sandbox: Sandbox


class Handler(BaseHTTPRequestHandler):
    """Hands every request to the sandbox; tracks connections so ``stop`` can cut them."""

    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.1"
    """What a refusal of a malformed request line is answered in (a status line, as Kestrel's)."""
    disable_nagle_algorithm = True
    server: Server

    def setup(self) -> None:
        super().setup()
        self.server.sandbox._track(self.connection, True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.sandbox._track(self.connection, False)

    def parse_request(self) -> bool:
        """The request line and headers, as Kestrel reads them; False when refused (answered here).

        Not the stdlib's parse: it hands every request's headers to the ``email`` package, which
        was half of the sandbox's CPU per request (and the sandbox shares the machine with the
        client it serves). Refused like Kestrel: a request line over its limit (414, empty body,
        connection closed); a malformed request line or version (400); HTTP/2 and up (505);
        a header line without a colon, or folded onto the next line (400); too many or too long
        header lines (431).
        """
        self.command = None  # type: ignore[assignment]  # as the stdlib parse starts
        self.request_version = self.default_request_version
        self.close_connection = True
        raw: bytes = getattr(self, "raw_requestline", b"")  # set by handle_one_request
        self.requestline = line = str(raw, "iso-8859-1").rstrip("\r\n")
        words = line.split()
        if not words:
            return False
        version = words[-1]
        if len(words) != 3 or not _HTTP_VERSION.fullmatch(version):
            self.send_error(400, f"Bad request syntax ({line!r})")
            return False
        if int(version[5]) >= 2:
            self.send_error(505, f"Invalid HTTP version ({version[5:]})")
            return False
        self.command, path, self.request_version = words
        self.path = "/" + path.lstrip("/") if path.startswith("//") else path
        self.close_connection = version < "HTTP/1.1"
        try:
            self.headers = read_headers(self.rfile)  # type: ignore[assignment]
        except BadHeaders as exc:
            self.send_error(exc.status, exc.reason)
            return False
        if len(raw) > MAX_REQUEST_LINE:
            self.close_connection = True
            self.send_response_only(414)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return False
        connection = (self.headers.get("Connection") or "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        expects = (self.headers.get("Expect") or "").lower() == "100-continue"
        return not expects or version < "HTTP/1.1" or self.handle_expect_100()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log endpoint is the record."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header, formatted once per second rather than per response."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        global _date_cache
        now = int(time.time())
        second, text = _date_cache
        if second != now:
            second, text = _date_cache = (now, super().date_time_string(now))
        return text

    def _dispatch(self) -> None:
        self.server.sandbox._handle(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch


class BadHeaders(Exception):
    """Headers the server refuses: ``status`` and ``reason`` go into the error answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class RequestHeaders:
    """A request's headers, looked up by name in any case; the first of repeated headers wins
    (as the stdlib's ``Message.get``). All the handlers ask of them is :meth:`get`."""

    __slots__ = ("by_name",)

    def __init__(self) -> None:
        self.by_name: dict[str, str] = {}

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.by_name.get(name.lower(), default)


def read_headers(rfile: Any) -> RequestHeaders:
    """Header lines up to the empty line; raises :class:`BadHeaders` for what is refused."""
    headers = RequestHeaders()
    for _ in range(MAX_HEADERS + 1):
        line = rfile.readline(MAX_HEADER_LINE + 1)
        if len(line) > MAX_HEADER_LINE:
            raise BadHeaders(431, "Line too long")
        if line in (b"\r\n", b"\n", b""):
            return headers
        if line[:1] in (b" ", b"\t"):
            raise BadHeaders(400, "Bad request: folded header line")
        name, colon, value = str(line, "iso-8859-1").partition(":")
        if not colon or not name or name != name.strip():
            raise BadHeaders(400, "Bad request: malformed header line")
        headers.by_name.setdefault(name.lower(), value.strip())
    raise BadHeaders(431, "Too many headers")


def send(h: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str]) -> None:
    """Status, headers (with Content-Length and, when closing, Connection: close) and body.

    Headers and body leave in one write (the stdlib handler buffers the headers until
    ``end_headers``; the body is added to that buffer): one segment and one wake-up for the
    client instead of two, like a real server's response.
    """
    h.send_response(status)
    for key, value in headers.items():
        h.send_header(key, value)
    h.send_header("Content-Length", str(len(data)))
    if h.close_connection:
        h.send_header("Connection", "close")
    if data and h.command != "HEAD":
        h._headers_buffer.append(b"\r\n" + data)  # type: ignore[attr-defined]
        h.flush_headers()
    else:
        h.end_headers()
    h.wfile.flush()


def reply_json(h: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
    """A JSON answer; a client that already hung up is ignored."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    with contextlib.suppress(OSError):
        send(h, status, data, {"Content-Type": "application/json; charset=utf-8"})


def envelope(reply: Reply, links: list[dict[str, str]]) -> dict[str, Any]:
    """``SuccessApiResponse``: response (omitted when null), count, total?, links, status, statusCode."""
    out: dict[str, Any] = {}
    if reply.response is not None:
        out["response"] = reply.response
    if reply.count is not None:
        count = reply.count
    elif isinstance(reply.response, list):
        count = len(reply.response)
    else:
        count = 0 if reply.response is None else 1
    out["count"] = count
    if reply.total is not None:
        out["total"] = reply.total
    out["links"] = links
    out["status"] = 0
    out["statusCode"] = 200
    return out


def read_body(h: BaseHTTPRequestHandler) -> bytes:
    """The request body, by Content-Length or chunked transfer encoding."""
    if "chunked" in (h.headers.get("Transfer-Encoding") or "").lower():
        chunks: list[bytes] = []
        while True:
            size = int(h.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while h.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(h.rfile.read(size))
            h.rfile.readline()
    length = int(h.headers.get("Content-Length") or 0)
    return h.rfile.read(length) if length > 0 else b""


def parse_json(data: bytes) -> Any:
    """The body as JSON for the request log, or None when empty or not JSON."""
    if not data.strip():
        return None
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def is_loopback(address: str) -> bool:
    """Whether a client address is loopback (IPv4-mapped IPv6 included)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback
