"""The one network seam: portal address checks, the channel to a portal, and sending a call.

Everything that reaches a portal goes through :func:`send`, so timeouts, redirects and the
translation of network failures into our error tree happen in exactly one place (the bytes on
the wire are :mod:`._http11`'s).
"""

from __future__ import annotations

import ipaddress
import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from onboarding.docspace import _http11
from onboarding.errors import ConfigError, RequestTimeout, TransportError

API_PREFIX = "/api/2.0"
DEFAULT_TIMEOUT = (5.0, 30.0)
"""(connect, read) seconds. Reads allow for a slow portal; connects fail fast."""


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class PortalAddress:
    """A validated portal base URL such as ``https://acme.onlyoffice.com`` (no trailing slash).

    https is required except for loopback hosts (the sandbox portal), because the API key travels
    in every request header. Credentials, queries and fragments in the URL are refused so that
    nothing secret can hide in an address that ends up on a page or in an export.
    """

    base: str

    @classmethod
    def parse(cls, raw: str) -> PortalAddress:
        text = (raw or "").strip()
        if not text:
            raise ConfigError("No portal address given.")
        if "://" not in text:
            text = "https://" + text
        if "@" in text.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
            # Checked before anything that could quote the address: user info may hold a password.
            raise ConfigError("The portal address must not contain a user name or password.")
        try:
            parts = urlsplit(text)
            host = parts.hostname or ""
            port = parts.port
        except ValueError:
            raise ConfigError(
                f"Not a portal address: {raw!r} (the host or port is malformed). "
                "Expected e.g. https://yourportal.onlyoffice.com"
            ) from None
        if parts.scheme not in ("http", "https") or not host:
            raise ConfigError(
                f"Not a portal address: {raw!r}. Expected e.g. https://yourportal.onlyoffice.com"
            )
        if parts.username or parts.password:
            raise ConfigError("The portal address must not contain a user name or password.")
        if parts.query or parts.fragment:
            raise ConfigError("The portal address must not contain '?' or '#' parts.")
        if parts.scheme == "http" and not _is_loopback(host):
            raise ConfigError(
                f"The portal address must use https (got http://{host}); plain http is only allowed "
                "for a portal on this machine."
            )
        path = parts.path.rstrip("/")
        if path.endswith(API_PREFIX):
            path = path[: -len(API_PREFIX)]
        netloc = host if port is None else f"{host}:{port}"
        if ":" in host and not host.startswith("["):
            netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
        return cls(f"{parts.scheme}://{netloc}{path}")

    @property
    def host(self) -> str:
        return urlsplit(self.base).hostname or ""

    @property
    def is_loopback(self) -> bool:
        return _is_loopback(self.host)

    def api_url(self, path: str) -> str:
        return f"{self.base}{API_PREFIX}/{path.lstrip('/')}"


@dataclass(frozen=True)
class Channel:
    """Everything that goes to one portal with one key: its connections and the fixed headers.

    The key travels as ``Authorization: Bearer``; no cookies are kept or sent (so that a portal
    cookie can never replace the key, and nothing per answer is shared between threads), no
    proxies or ``.netrc`` credentials are picked up from the environment, nothing is retried
    here (retries live in the engine only: a retry in this layer would repeat a write behind its
    back) and no redirect is followed.
    """

    connections: _http11.Connections
    prefix: str
    """The portal address's path (``""`` for a portal at the root of its host)."""
    fixed: bytes
    """``Host`` and the headers every call carries, ready to send."""

    def close(self) -> None:
        self.connections.close()


def build_channel(
    address: PortalAddress, api_key: str, *, pool_size: int = 32, user_agent: str = "docspace-onboarding"
) -> Channel:
    """A channel to ``address`` sending ``api_key`` (checked by :func:`check_api_key`)."""
    parts = urlsplit(address.base)
    host = parts.hostname or ""
    if not host.isascii():  # an internationalised host travels as IDNA (as ``requests`` sends it)
        import idna

        host = idna.encode(host, uts46=True).decode("ascii")
    default_port = parts.port is None or parts.port == (443 if parts.scheme == "https" else 80)
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if default_port else f"{shown}:{parts.port}"
    fixed = (
        f"Host: {host_header}\r\n"
        f"User-Agent: {user_agent}\r\n"
        "Accept-Encoding: identity\r\n"
        "Accept: application/json\r\n"
        "Connection: keep-alive\r\n"
        f"Authorization: Bearer {api_key}\r\n"
    ).encode("ascii")
    connections = _http11.Connections(parts.scheme, host, parts.port, maxsize=pool_size)
    return Channel(connections, quote(parts.path), fixed)


_SAFE_IN_TARGET = "!#$%&'()*+,/:;=?@[]~"
"""What stays unescaped in a request target (``requests``' ``requote_uri``: escapes are kept)."""


def request_head(
    channel: Channel, method: str, path: str, params: Mapping[str, Any] | None, data: bytes | None
) -> bytes:
    """The request line and headers of one call (``path`` below the portal's address).

    The query is form-encoded as ``requests`` does it (``None`` dropped, sequences repeated);
    ``Content-Length`` is sent for every body and for every write without one.
    """
    query = urlencode({k: v for k, v in (params or {}).items() if v is not None}, doseq=True)
    target = quote(f"{channel.prefix}{path}?{query}" if query else f"{channel.prefix}{path}", _SAFE_IN_TARGET)
    if data is not None:
        extra = f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    elif method not in ("GET", "HEAD"):
        extra = "Content-Length: 0\r\n"
    else:
        extra = ""
    return b"".join(
        (f"{method} {target} HTTP/1.1\r\n".encode("ascii"), channel.fixed, extra.encode(), b"\r\n")
    )


def send(
    channel: Channel,
    method: str,
    target: str,
    *,
    path: str,
    params: dict[str, Any] | None = None,
    body: Any = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> _http11.Answer:
    """Send one call (``target``: its path below the portal's address); translate failures.

    ``path`` is what error messages show (never the full URL with its query). Redirects are not
    followed: an API call that redirects means a wrong address, and following it could carry the
    key to another host. The whole answer is read before returning.
    """
    data = None if body is None else jsonlib.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    failure: TransportError
    try:
        head = request_head(channel, method, target, params, data)
        return channel.connections.request(head, data, method=method, timeout=timeout)
    except TimeoutError:
        failure = RequestTimeout(
            f"no answer within {timeout[1]:g} s (the call may still have been carried out)",
            method=method,
            path=path,
        )
    except _http11.BrokenAnswer as exc:  # our own words (sizes, what was malformed): nothing from the wire
        failure = TransportError(f"the portal's answer was not usable: {exc}", method=method, path=path)
    except OSError as exc:  # refused, reset, closed early, TLS failures
        failure = TransportError(
            f"connection failed or was dropped before the answer arrived ({type(exc).__name__})",
            method=method,
            path=path,
        )
    except (ValueError, UnicodeError) as exc:
        # Only the type is kept: a message could quote what was being encoded.
        # Not retryable: the same call fails the same way.
        raise ConfigError(
            f"{method} {path}: the request could not be sent ({type(exc).__name__}); "
            "check the portal address and that the API key is a single line of plain text"
        ) from None
    # Raised outside the except block so that neither __cause__ nor __context__ keeps the
    # original exception.
    raise failure


def check_api_key(key: str) -> str:
    """The key, stripped; refuse one that cannot travel in a header (never echoing it)."""
    key = key.strip()
    if not key:
        raise ConfigError("No API key given.")
    if not all(33 <= ord(ch) < 127 for ch in key):
        raise ConfigError(
            "The API key contains spaces, line breaks or non-ASCII characters; paste the key alone "
            "(DocSpace keys look like sk-… and are a single line)."
        )
    return key
