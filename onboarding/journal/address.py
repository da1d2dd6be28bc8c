"""Database addresses as they may be shown: the password masked, and registered for redaction.

A ``postgresql://user:password@host:port/db`` address carries a password, and it travels through
settings, the CLI and error messages. :func:`mask` is the only form ever shown (the page, logs,
``describe()``), and :func:`protect` registers the password with :mod:`onboarding.redact` so a
library's own message that repeats it is masked too.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from onboarding import redact

MASK = "***"
UNREADABLE = "postgresql://(an address that cannot be read)"
"""What is shown for an address whose parts cannot be told apart (nothing of it, so no password)."""


def password_of(url: str) -> str | None:
    """The password in a ``postgresql://`` address (userinfo or ``?password=``), if any."""
    try:
        parts = urlsplit(url.strip())
        if parts.password:
            return parts.password
        return dict(parse_qsl(parts.query)).get("password")
    except ValueError:  # an address urlsplit refuses (libpq quotes it whole): read it by hand
        return _userinfo_password(url)


def _userinfo_password(url: str) -> str | None:
    """The text between the first ``:`` and the last ``@`` of the authority, parsed by hand (for an
    address :func:`urlsplit` refuses, such as an unclosed ``[`` host, which libpq quotes whole)."""
    rest = url.strip().split("://", 1)[-1]
    authority = re.split(r"[/?#]", rest.rpartition("@")[0] if "@" in rest else "", maxsplit=1)[0]
    _user, sep, password = authority.partition(":")
    return password if sep and password else None


def passwords_of(url: str) -> list[str]:
    """Every form of the address's password a driver might quote: as written and percent-decoded."""
    found = password_of(url)
    forms = {found, unquote(found)} if found else set()
    return sorted(forms, key=len, reverse=True)


def mask(url: str) -> str:
    """The address with its password replaced by ``***`` (user, host, port and database kept)."""
    try:
        return _mask(url.strip())
    except ValueError:  # e.g. an unclosed "[" host: shown as nothing rather than risk the password
        return UNREADABLE


def _mask(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostinfo = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:{MASK}@{hostinfo}"
    query = [(k, MASK if k == "password" else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), parts.fragment))


def protect(url: str) -> str:
    """Register the address's password for redaction; returns the masked address."""
    for secret in passwords_of(url):
        redact.register_secret(secret)
    return mask(url)


def scrub(text: str, url: str) -> str:
    """``text`` (a driver's message about ``url``) with the address and its password masked.

    libpq quotes the whole address or a token of it when it cannot parse it, and a password
    shorter than :func:`redact.register_secret` registers (six characters) is masked here all the
    same: the address itself, the password quoted, and the password wherever it appears when it
    is at least three characters long (a shorter one would mask ordinary words).
    """
    for form in {url, url.strip()}:
        if form:
            text = text.replace(form, mask(url))
    for secret in passwords_of(url):
        text = text.replace(f'"{secret}"', f'"{MASK}"').replace(f"'{secret}'", f"'{MASK}'")
        if len(secret) >= 3:
            text = text.replace(secret, MASK)
    return redact.redact(text)
