"""Per-row checks of the canonical fields: cleaned values, or every problem of the row at once.

E-mail addresses are checked with ``email-validator`` (syntax only; no DNS lookup, so validation
is offline and deterministic). Most addresses are a plain ASCII local part and a domain that
repeats across the sheet, so :func:`check_email` checks the local part with one regex (the
dot-atom form the validator accepts as is) and runs the full validator once per distinct domain;
anything else (quoted or non-ASCII local parts, odd lengths, invalid domains) goes through the
full validator, so the verdict and the message are always the validator's own. Business clients
mostly have a domain each, so a plain lower-case host name (letters, digits and inner hyphens,
ending in a letter) is accepted without the validator too: it passes every one of the
validator's domain checks unchanged (see :func:`_plain_domain`).

The validator itself is imported on its first use: importing it compiles Unicode-wide patterns
(~30 ms, a tenth of a command-line ``plan``), and a list of plain addresses never needs it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from onboarding.ingest.models import FieldName

__all__ = [
    "FORMULA",
    "FORMULA_PREFIXES",
    "MAILBOX_NAMES",
    "SPECIAL_USE_DOMAIN_NAMES",
    "RowProblem",
    "check_email",
    "check_row",
    "clear_email_cache",
    "email_verdicts",
    "looks_like_formula",
]

FORMULA_PREFIXES = ("=", "+", "-", "@")
FORMULA = re.compile(r"[ \t\r\n]*(?:=[\s\S]|[+\-@](?=[\s\S]*\S)(?![\d\s().\-/]+\Z))")
"""What :func:`looks_like_formula` matches, as one regex so a column is checked without Python per cell."""
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*")
_MAX_LOCAL = 64
_MAX_ADDRESS = 254

RowProblem = tuple[FieldName, str, str]
"""(field, code, message)."""


@functools.lru_cache(maxsize=65_536)
def _full_check(value: str) -> tuple[str | None, str | None]:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized, None
    except EmailNotValidError as exc:
        return None, str(exc)


@functools.lru_cache(maxsize=65_536)
def _domain(domain: str) -> str | None:
    """The normalized domain, or ``None`` when the validator refuses it (checked with a neutral local part)."""
    plain = _plain_domain(domain)
    if plain is not None:
        return plain
    normalized, _ = _full_check(f"a@{domain}")
    return None if normalized is None else normalized[2:]


_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z0-9][a-z0-9-]{0,61})?[a-z]")
"""Dot-separated labels of at most 63 letters, digits and inner hyphens, the last ending in a letter."""


def _plain_domain(domain: str) -> str | None:
    """``domain`` lower-cased when the validator would accept it as that, else ``None`` (ask the validator).

    For an ASCII host name its checks are: at most 253 characters, letters, digits, hyphens and dots
    only (UTS-46 maps A-Z to a-z and leaves those alone), labels of 1 to 63 characters that neither
    start nor end with a hyphen nor hold ``--`` in third place (punycode ``xn--`` goes to the
    validator: it is decoded), a dot, a last label ending in a letter, no special-use name.
    """
    if not domain.isascii() or len(domain) > _MAX_DOMAIN or "--" in domain:
        return None
    host = domain.lower()
    if _HOST.fullmatch(host) is None or any(
        host == d or host.endswith("." + d) for d in SPECIAL_USE_DOMAIN_NAMES
    ):
        return None
    return host


_MAX_DOMAIN = 253
SPECIAL_USE_DOMAIN_NAMES = ("arpa", "invalid", "local", "localhost", "onion", "test")
"""IANA's special-use domain names that the validator refuses (with their subdomains): the same
list as its ``email_validator.SPECIAL_USE_DOMAIN_NAMES``, which a test compares with this one."""
MAILBOX_NAMES = frozenset(
    {
        "info",
        "marketing",
        "sales",
        "support",
        "abuse",
        "noc",
        "security",
        "postmaster",
        "hostmaster",
        "usenet",
        "news",
        "webmaster",
        "www",
        "uucp",
        "ftp",
    }
)
"""``info``, ``sales``, ``postmaster``...: local parts the validator lower-cases (RFC 2142), as its
``rfc_constants.CASE_INSENSITIVE_MAILBOX_NAMES`` (compared by the same test)."""


def _verdict(value: str) -> tuple[str | None, str | None]:
    local, at, domain = value.rpartition("@")
    if at and len(local) <= _MAX_LOCAL and len(value) <= _MAX_ADDRESS and _DOT_ATOM.fullmatch(local):
        normalized = _domain(domain)
        if normalized is not None and len(local) + 1 + len(normalized) <= _MAX_ADDRESS:
            if len(local) <= _LONGEST_MAILBOX_NAME and local.lower() in MAILBOX_NAMES:
                local = local.lower()
            elif normalized == domain:
                return value, None
            return f"{local}@{normalized}", None
    return _full_check(value)


_LONGEST_MAILBOX_NAME = max(map(len, MAILBOX_NAMES))


@functools.lru_cache(maxsize=65_536)
def check_email(value: str) -> tuple[str | None, str | None]:
    """``(normalized, None)`` for a valid address, ``(None, reason)`` otherwise (cached: managers repeat)."""
    return _verdict(value)


def email_verdicts(values: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """:func:`check_email` of each distinct non-empty value: a column at once, without the per-call cache.

    Client addresses rarely repeat, so caching each (and evicting past 65,536) would cost more than
    it saves; the domains are cached, and the plain ones never reach the validator. (One regex
    search over the joined column instead was measured: 67 ms against 100 ms per 100,000 addresses,
    not worth a second way of deciding the same thing.)
    """
    return {value: _verdict(value) for value in dict.fromkeys(values) if value}


def clear_email_cache() -> None:
    """Forget every cached verdict (benchmarks measure a cold start with it)."""
    check_email.cache_clear()
    _full_check.cache_clear()
    _domain.cache_clear()


def looks_like_formula(value: str) -> bool:
    """True for text a spreadsheet would run as a formula if it were opened or exported as CSV.

    ``=`` always; ``+``, ``-`` and ``@`` unless the rest is only digits, spaces and ``().-/``, so
    phone numbers ("+49 30 1234") and negative amounts are not flagged but "-2+3" is.
    """
    return FORMULA.match(value) is not None


def check_row(
    values: Mapping[str, str], *, email_required: bool, key: str
) -> tuple[dict[str, Any] | None, list[RowProblem]]:
    """Validate one row's canonical values: the cleaned values, or every problem found.

    ``key`` is ``"client_id"`` or ``"email"`` (the e-mail is then the client key and required).
    The rules live in :func:`~onboarding.ingest.columns.check_columns` (a sheet is checked a column
    at a time); this is that check for a single row.
    """
    from onboarding.ingest.columns import check_columns

    fields: tuple[FieldName, ...] = ("client_id", "name", "email", "manager_email")
    checked = check_columns(
        {f: [values.get(f) or ""] for f in fields}, 1, email_required=email_required, key=key
    )
    problems = checked.problems.get(0, [])
    if problems:
        return None, problems
    return {f: checked.cleaned(f)[0] for f in fields}, []
