"""Suggested e-mail corrections: tidy an address and fix the domain typos people make most.

An address like ``anna@gmial.com`` is syntactically valid, so validation lets it through, and the
invitation then goes nowhere. Here such an address gets a suggestion (``anna@gmail.com``) that a
person can apply in the review step. Suggestions are deliberately conservative: only the
well-known mail providers below are "corrected to", only at one edit away (two for long names),
and only when exactly one provider is that close, so a company's own domain is never rewritten.
Nothing here is applied without a person choosing it.
"""

from __future__ import annotations

import functools
import re

__all__ = ["COMMON_DOMAINS", "normalise_email", "suggest_email"]

COMMON_DOMAINS: frozenset[str] = frozenset(
    {
        "aol.com",
        "gmail.com",
        "googlemail.com",
        "gmx.at",
        "gmx.ch",
        "gmx.de",
        "gmx.net",
        "hotmail.co.uk",
        "hotmail.com",
        "hotmail.de",
        "icloud.com",
        "live.com",
        "mail.ru",
        "mailbox.org",
        "me.com",
        "msn.com",
        "outlook.com",
        "outlook.de",
        "posteo.de",
        "proton.me",
        "protonmail.com",
        "t-online.de",
        "web.de",
        "yahoo.co.uk",
        "yahoo.com",
        "yahoo.de",
        "yandex.ru",
    }
)
"""Mail providers most client lists are full of; a near miss of one of them is almost surely a typo."""

_TLD_TYPOS = {
    "con": "com",
    "cmo": "com",
    "ocm": "com",
    "comm": "com",
    "coom": "com",
    "cpm": "com",
    "vom": "com",
    "xom": "com",
    "c0m": "com",
    "nte": "net",
    "ent": "net",
    "nett": "net",
    "ogr": "org",
    "orgg": "org",
}
"""Top-level domains that do not exist and are one slip away from one that does."""

_SPACES = "\\s\u00a0\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{_SPACES}]+")
_EDGE = "<>\"'(),;:."
_EDGE_CLASS = re.escape(_EDGE)
_TIDY = re.compile(
    f"(?!(?i:mailto:))[^{_SPACES}{_EDGE_CLASS}@][^{_SPACES}@]*@[^{_SPACES}@]*[^{_SPACES}{_EDGE_CLASS}@]"
)
"""Most cells: an address :func:`normalise_email` would leave as it is, but for the domain's case."""


def normalise_email(value: str) -> str:
    """``value`` trimmed and tidied: no spaces (also invisible ones), no ``mailto:``, no wrapping
    ``<…>`` or quotes, no trailing punctuation, and the domain in lower case.

    The local part keeps its case (the part before ``@`` may be case-sensitive on some servers);
    text without an ``@`` is only trimmed, and an empty cell stays empty.
    """
    if _TIDY.fullmatch(value):
        domain = value.rpartition("@")[2]
        if domain == domain.lower():
            return value
    text = _INVISIBLE.sub("", value)
    if "@" not in text:  # not an address at all: only the edges are trimmed, the text is the person's
        return value.strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:]
    text = text.strip(_EDGE)
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours costs one), or ``limit + 1`` when over."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


@functools.lru_cache(maxsize=65_536)
def _fix_domain(domain: str) -> str:
    """The domain with its likely typo fixed (cached: a sheet repeats a few hundred domains at most)."""
    domain = re.sub(r"[,;]", ".", domain)
    domain = re.sub(r"\.{2,}", ".", domain).strip(".")
    head, dot, tld = domain.rpartition(".")
    if dot and tld in _TLD_TYPOS:
        domain = f"{head}.{_TLD_TYPOS[tld]}"
    if domain in COMMON_DOMAINS:
        return domain
    limit = 1 if len(domain) <= 9 else 2
    close = [d for d in COMMON_DOMAINS if _distance(domain, d, limit) <= limit]
    return close[0] if len(close) == 1 else domain


@functools.lru_cache(maxsize=65_536)
def _plain(domain: str) -> bool:
    """True when a domain needs neither tidying nor a correction."""
    return domain == normalise_email(f"a@{domain}")[2:] and _fix_domain(domain) == domain


def suggest_email(value: str) -> str | None:
    """A corrected address for ``value``, or ``None`` when there is nothing to correct.

    ``"Anna@Gmial.con "`` → ``"Anna@gmail.com"``; ``"anna@@web.de"`` → ``"anna@web.de"``;
    ``"anna@mueller-soehne.de"`` → ``None`` (a company domain is never guessed at).
    """
    _, at, domain = value.rpartition("@")
    if at and "@@" not in value and _plain(domain):
        return None  # the common case, decided per domain (a sheet repeats its domains)
    tidy = normalise_email(value)
    local, at, domain = re.sub(r"@{2,}", "@", tidy).rpartition("@")
    if not at or not local or not domain:
        return None
    fixed = f"{local}@{_fix_domain(domain)}"
    return fixed if fixed != tidy else None  # tidying alone is the "trim e-mails" fix, not a guess
