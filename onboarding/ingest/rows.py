"""Per-row checks of the canonical fields, written as a pydantic model so every field is checked.

pydantic reports all failing fields of a row at once; :func:`check_row` turns its errors into
codes and messages the user can act on. E-mail addresses are checked with ``email-validator``
(syntax only; no DNS lookup, so validation is offline and deterministic).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from onboarding.ingest.models import FieldName

__all__ = ["FORMULA_PREFIXES", "RowProblem", "check_email", "check_row", "looks_like_formula"]

FORMULA_PREFIXES = ("=", "+", "-", "@")
_NUMBER_OR_PHONE = re.compile(r"[\d\s().\-/]+")

RowProblem = tuple[FieldName, str, str]
"""(field, code, message)."""


@functools.lru_cache(maxsize=65_536)
def check_email(value: str) -> tuple[str | None, str | None]:
    """``(normalized, None)`` for a valid address, ``(None, reason)`` otherwise (cached: managers repeat)."""
    try:
        return validate_email(value, check_deliverability=False).normalized, None
    except EmailNotValidError as exc:
        return None, str(exc)


def looks_like_formula(value: str) -> bool:
    """True for text a spreadsheet would run as a formula if it were opened or exported as CSV.

    ``=`` always; ``+``, ``-`` and ``@`` unless the rest is only digits, spaces and ``().-/``, so
    phone numbers ("+49 30 1234") and negative amounts are not flagged but "-2+3" is.
    """
    text = value.lstrip(" \t\r\n")
    if not text or text[0] not in FORMULA_PREFIXES:
        return False
    if text[0] == "=":
        return len(text) > 1
    rest = text[1:]
    return bool(rest.strip()) and not _NUMBER_OR_PHONE.fullmatch(rest)


class _RowInput(BaseModel):
    """The canonical fields of one row; context: ``email_required`` and ``key``."""

    client_id: str = ""
    name: str = ""
    email: str | None = None
    manager_email: str | None = None

    @field_validator("client_id")
    @classmethod
    def _client_id(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if not value and _context(info).get("key", "client_id") == "client_id":
            raise PydanticCustomError("required", "The client ID is empty; every client needs a unique key.")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("required", "The client name is empty.")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = (value or "").strip()
        if not value:
            context = _context(info)
            if context.get("email_required", True) or context.get("key") == "email":
                raise PydanticCustomError(
                    "required", "The e-mail is empty; it is needed to invite the client."
                )
            return None
        normalized, reason = check_email(value)
        if normalized is None:
            raise PydanticCustomError(
                "invalid_email", "Not a valid e-mail address: {reason}", {"reason": reason}
            )
        return normalized

    @field_validator("manager_email")
    @classmethod
    def _manager_email(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        normalized, reason = check_email(value)
        if normalized is None:
            raise PydanticCustomError(
                "invalid_manager_email",
                "The account manager is not a valid e-mail address: {reason}",
                {"reason": reason},
            )
        return normalized


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


def check_row(
    values: Mapping[str, str], *, email_required: bool, key: str
) -> tuple[dict[str, Any] | None, list[RowProblem]]:
    """Validate one row's canonical values: the cleaned values, or every problem found."""
    context = {"email_required": email_required, "key": key}
    try:
        row = _RowInput.model_validate(values, context=context)
    except ValidationError as exc:
        problems: list[RowProblem] = []
        for err in exc.errors(include_url=False):
            field: FieldName = err["loc"][0]  # type: ignore[assignment]
            problems.append((field, err["type"], err["msg"]))
        return None, problems
    cleaned = row.model_dump()
    if key == "email":
        cleaned["client_id"] = cleaned["email"]
    return cleaned, []
