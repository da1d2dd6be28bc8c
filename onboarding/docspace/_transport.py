"""The one network seam: portal address checks, the ``requests`` session, and sending a call.

Everything that reaches a portal goes through :func:`send`, so timeouts, redirects and the
translation of ``requests`` exceptions into our error tree happen in exactly one place.
"""

from __future__ import annotations

import ipaddress
import json as jsonlib
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import requote_uri

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


def build_session(
    api_key: str, *, pool_size: int = 32, user_agent: str = "docspace-onboarding"
) -> requests.Session:
    """A session that sends the key as ``Authorization: Bearer``, keeps no cookies, never retries.

    Retries live in one layer only (the engine), so the adapter keeps ``max_retries=0``: a
    stacked retry here would repeat non-idempotent writes behind the engine's back. Cookies are
    refused so that a portal cookie can never replace the key and the shared session holds no
    mutable per-response state across threads.
    """
    session = requests.Session()
    session.headers.update(
        {
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "User-Agent": user_agent,
        }
    )
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.trust_env = False  # no proxies or .netrc credentials picked up from the environment
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


_NO_PROXIES: dict[str, str] = {}
"""The session ignores the environment (``trust_env = False``) and sets no proxies."""


def _prepare(
    session: requests.Session, method: str, url: str, params: dict[str, Any] | None, data: bytes | None
) -> requests.PreparedRequest:
    """The request exactly as ``Session.request`` would prepare it, built directly.

    Why: ``Session.request`` merges session and environment settings, re-parses the URL and checks
    each argument against ``runtime_checkable`` protocols — about a third of the CPU a call costs
    us, on every call, for settings this session fixes once (no auth, cookies, proxies or hooks).
    The result is the same request: the session's headers, parameters form-encoded as ``requests``
    does (``None`` dropped, sequences repeated), ``Content-Length`` as ``requests`` sets it. A URL
    that is not plain ASCII (an internationalised host) takes ``requests``' own preparation.
    """
    request = requests.PreparedRequest()
    request.method = method
    request.hooks = {"response": []}
    if url.isascii():
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None}, doseq=True)
        request.url = requote_uri(f"{url}?{query}" if query else url)
    else:
        request.prepare_url(url, params)
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(cast("dict[str, str]", session.headers))
    if data is not None:
        headers["Content-Type"] = "application/json"
        headers["Content-Length"] = str(len(data))
    elif method not in ("GET", "HEAD"):
        headers["Content-Length"] = "0"
    request.headers = headers
    request.body = data
    return request


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    path: str,
    params: dict[str, Any] | None = None,
    body: Any = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> requests.Response:
    """Send one call; translate ``requests`` failures into :class:`TransportError`.

    ``path`` is what error messages show (never the full URL with its query). Redirects are not
    followed (the adapter never follows them): an API call that redirects means a wrong address,
    and following it could carry the key to another host. The prepared request goes straight to
    the session's adapter (see :func:`_prepare`); the body is read before returning.
    """
    data = None if body is None else jsonlib.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    failure: TransportError
    try:
        request = _prepare(session, method, url, params, data)
        response = session.get_adapter(url).send(
            request,
            timeout=timeout,
            verify=True if session.verify is None else session.verify,
            cert=session.cert,
            proxies=_NO_PROXIES,
        )
        response.content  # noqa: B018 - read it now: the connection goes back to the pool at once
        return response
    except requests.Timeout:
        failure = RequestTimeout(
            f"no answer within {timeout[1]:g} s (the call may still have been carried out)",
            method=method,
            path=path,
        )
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        failure = TransportError(
            f"connection failed or was dropped before the answer arrived ({type(exc).__name__})",
            method=method,
            path=path,
        )
    except (requests.RequestException, ValueError, UnicodeError) as exc:
        # e.g. InvalidHeader or UnicodeEncodeError: their messages can quote the Authorization
        # header, so only the type is kept. Not retryable: the same call fails the same way.
        raise ConfigError(
            f"{method} {path}: the request could not be sent ({type(exc).__name__}); "
            "check the portal address and that the API key is a single line of plain text"
        ) from None
    # Raised outside the except block so that neither __cause__ nor __context__ keeps the
    # ``requests`` exception, which holds the prepared request and its headers.
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
