"""Per-row checks of the canonical fields: cleaned values, or every problem of the row at once.

E-mail addresses are checked with ``email-validator`` (syntax only; no DNS lookup, so validation
is offline and deterministic). Most addresses are a plain ASCII local part and a domain that
repeats across the sheet, so :func:`check_email` checks the local part with one regex (the
dot-atom form the validator accepts as is) and runs the full validator once per distinct domain;
anything else (quoted or non-ASCII local parts, odd lengths, invalid domains) goes through the
full validator, so the verdict and the message are always the validator's own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email

from onboarding.ingest.models import FieldName

__all__ = [
    "FORMULA",
    "FORMULA_PREFIXES",
    "RowProblem",
    "check_email",
    "check_row",
    "clear_email_cache",
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
    try:
        return validate_email(value, check_deliverability=False).normalized, None
    except EmailNotValidError as exc:
        return None, str(exc)


@functools.lru_cache(maxsize=65_536)
def _domain(domain: str) -> str | None:
    """The normalized domain, or ``None`` when the validator refuses it (checked with a neutral local part)."""
    normalized, _ = _full_check(f"a@{domain}")
    return None if normalized is None else normalized[2:]


@functools.lru_cache(maxsize=65_536)
def check_email(value: str) -> tuple[str | None, str | None]:
    """``(normalized, None)`` for a valid address, ``(None, reason)`` otherwise (cached: managers repeat)."""
    local, at, domain = value.rpartition("@")
    if at and len(local) <= _MAX_LOCAL and len(value) <= _MAX_ADDRESS and _DOT_ATOM.fullmatch(local):
        normalized = _domain(domain)
        if normalized is not None and len(local) + 1 + len(normalized) <= _MAX_ADDRESS:
            return f"{local}@{normalized}", None
    return _full_check(value)


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
    """
    problems: list[RowProblem] = []
    client_id = (values.get("client_id") or "").strip()
    if not client_id and key == "client_id":
        problems.append(("client_id", "required", "The client ID is empty; every client needs a unique key."))
    name = (values.get("name") or "").strip()
    if not name:
        problems.append(("name", "required", "The client name is empty."))
    email: str | None = (values.get("email") or "").strip()
    if not email:
        email = None
        if email_required or key == "email":
            problems.append(("email", "required", "The e-mail is empty; it is needed to invite the client."))
    else:
        email, reason = check_email(email)
        if email is None:
            problems.append(("email", "invalid_email", f"Not a valid e-mail address: {reason}"))
    manager: str | None = (values.get("manager_email") or "").strip()
    if not manager:
        manager = None
    else:
        manager, reason = check_email(manager)
        if manager is None:
            problems.append(
                (
                    "manager_email",
                    "invalid_manager_email",
                    f"The account manager is not a valid e-mail address: {reason}",
                )
            )
    if problems:
        return None, problems
    cleaned: dict[str, Any] = {"client_id": client_id, "name": name, "email": email, "manager_email": manager}
    if key == "email":
        cleaned["client_id"] = email
    return cleaned, []
