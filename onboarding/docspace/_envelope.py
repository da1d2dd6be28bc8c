"""Reading DocSpace's envelopes: the one place where a status and a body become a result or an error.

Success: ``{"response": ..., "count", "total"?, "links", "status": 0, "statusCode": 200}`` — a
null result simply has no ``response`` key. Errors: ``{"error": {"message", ...}, "status": 1}``,
except model-validation 400s, which sit in the success-shaped envelope with problem details under
``response``; 401/402/403/429 from filters and the rate limiter have empty bodies (docspace-api.md §1).
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from onboarding.errors import (
    ApiStatusError,
    BadRequest,
    DocSpaceError,
    Forbidden,
    NotFound,
    PaymentRequired,
    RateLimited,
    ServerError,
    Unauthorized,
    UnexpectedResponse,
)
from onboarding.redact import for_display

if TYPE_CHECKING:
    from onboarding.docspace._http11 import Answer

_STATUS_CLASSES: dict[int, type[ApiStatusError]] = {
    400: BadRequest,
    401: Unauthorized,
    402: PaymentRequired,
    403: Forbidden,
    404: NotFound,
    429: RateLimited,
}

_EMPTY_BODY_MESSAGES = {
    401: "the portal refused the API key (missing, wrong, expired, or not sent as 'Bearer sk-...')",
    402: "the portal's tariff or quota does not allow this",
    403: "access denied (the key's scopes or the account's rights do not allow this call)",
    404: "not found",
    429: "too many requests: the portal's rate limit was reached",
}


@dataclass(frozen=True)
class Envelope:
    """The useful parts of a success envelope."""

    response: Any
    count: int | None
    total: int | None


def _header_number(value: str | None) -> int | None:
    """A whole non-negative number from a rate-limit header, or None when absent or malformed."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _json_or_none(resp: Answer) -> Any:
    """The body as JSON, or None when empty or not JSON.

    Parsed from the bytes (``json`` detects UTF-8/16/32 itself, and DocSpace answers UTF-8), without
    decoding to text first.
    """
    if not resp.content:
        return None
    try:
        return json.loads(resp.content)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None


def _validation_summary(problem: dict[str, Any]) -> tuple[str, dict[str, list[str]]]:
    errors = problem.get("errors")
    details: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for field, msgs in errors.items():
            details[str(field)] = [str(m) for m in msgs] if isinstance(msgs, list) else [str(msgs)]
    flat = "; ".join(m for msgs in details.values() for m in msgs)
    title = str(problem.get("title") or "validation failed")
    return (flat or title), details


def error_for(method: str, path: str, resp: Answer) -> DocSpaceError:
    """Map a failed response (status >= 300, or status 1 in the body) to the exception tree.

    The portal's message is masked (keys, bearer tokens, registered secrets) and made printable.
    """
    status = resp.status_code
    body = _json_or_none(resp)
    where: dict[str, Any] = {"method": method, "path": path, "status": status}
    if 300 <= status < 400:
        target = resp.headers.get("Location") or ""
        host = urlsplit(target).hostname or "another address"
        return UnexpectedResponse(
            f"the portal redirected the call to {host}; check the portal address", **where
        )
    details: dict[str, list[str]] = {}
    message = ""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and err.get("message"):
            message = str(err["message"])
        elif isinstance(body.get("response"), dict) and "errors" in body["response"]:
            message, details = _validation_summary(body["response"])
        elif isinstance(body.get("errors"), dict):  # bare problem details
            message, details = _validation_summary(body)
    if not message:
        message = _EMPTY_BODY_MESSAGES.get(status, f"HTTP {status}")
        if status >= 500:
            message = f"the portal had an internal error (HTTP {status})"
    # Text from the network: a proxy may echo the Authorization header, a hostile server may send
    # terminal controls. Cleaned here, once, before it reaches output, the journal or an export.
    message = for_display(message)
    details = {for_display(field): [for_display(m) for m in msgs] for field, msgs in details.items()}
    where["server_message"] = message
    if status == 429:
        return RateLimited(
            message,
            retry_after=parse_retry_after(resp.headers.get("Retry-After")),
            limit=_header_number(resp.headers.get("X-RateLimit-Limit")),
            reset=_header_number(resp.headers.get("X-RateLimit-Reset")),
            **where,
        )
    if status == 400:
        return BadRequest(message, details=details, **where)
    if status >= 500:
        return ServerError(message, **where)
    cls = _STATUS_CLASSES.get(status, ApiStatusError)
    return cls(message, **where)


def unwrap(method: str, path: str, resp: Answer) -> Envelope:
    """Return the envelope of a successful call, or raise the mapped error."""
    if resp.status_code >= 300:
        raise error_for(method, path, resp)
    body = _json_or_none(resp)
    if not isinstance(body, dict) or "status" not in body:
        raise UnexpectedResponse(
            "the answer is not a DocSpace API envelope (is this the portal's address?)",
            method=method,
            path=path,
            status=resp.status_code,
        )
    if body.get("status") != 0:
        raise error_for(method, path, resp)
    return Envelope(response=body.get("response"), count=body.get("count"), total=body.get("total"))
