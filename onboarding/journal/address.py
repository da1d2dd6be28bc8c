"""Database addresses as they may be shown: the password masked, and registered for redaction.

A ``postgresql://user:password@host:port/db`` address carries a password, and it travels through
settings, the CLI and error messages. :func:`mask` is the only form ever shown (the page, logs,
``describe()``), and :func:`protect` registers the password with :mod:`onboarding.redact` so a
library's own message that repeats it is masked too.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from onboarding import redact

MASK = "***"


def password_of(url: str) -> str | None:
    """The password in a ``postgresql://`` address (userinfo or ``?password=``), if any."""
    parts = urlsplit(url)
    if parts.password:
        return parts.password
    return dict(parse_qsl(parts.query)).get("password")


def mask(url: str) -> str:
    """The address with its password replaced by ``***`` (user, host, port and database kept)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostinfo = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:{MASK}@{hostinfo}"
    query = [(k, MASK if k == "password" else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), parts.fragment))


def protect(url: str) -> str:
    """Register the address's password for redaction; returns the masked address."""
    secret = password_of(url)
    if secret:
        redact.register_secret(secret)
    return mask(url)
