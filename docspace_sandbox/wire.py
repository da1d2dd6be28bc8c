"""HTTP on the wire: the threaded stdlib server and handler, and the byte-level helpers.

Why the stdlib server: it starts in milliseconds and needs no dependency; HTTP/1.1 keep-alive
plus ``disable_nagle_algorithm`` avoids the 40 ms Nagle/delayed-ACK stall per request.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .routes import Reply
    from .server import Sandbox

# Kestrel's default KestrelServerLimits.MaxRequestLineSize; DocSpace's F/Server/Program.cs raises
# only the buffer size, so longer request lines (CRLF included) are refused with an empty 414.
MAX_REQUEST_LINE = 8 * 1024

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
        """The stdlib parse, then Kestrel's request-line limit (414, empty body, connection closed)."""
        if not super().parse_request():
            return False
        if len(getattr(self, "raw_requestline", b"")) > MAX_REQUEST_LINE:
            self.close_connection = True
            self.send_response_only(414)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return False
        return True

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
