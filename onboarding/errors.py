"""Every exception the product raises, in one tree, so callers can catch by meaning.

::

    OnboardingError                 anything this product raises on purpose
    ├── ConfigError                 settings, blueprint or portal address unusable
    ├── DocSpaceError               talking to a portal failed (names method, path, status)
    │   ├── TransportError          no usable HTTP answer: refused, reset, dropped   [retryable]
    │   │   └── RequestTimeout      connect or read timeout                          [retryable]
    │   ├── ApiStatusError          the portal answered with an error status
    │   │   ├── BadRequest          400 (validation details in ``details``)
    │   │   ├── Unauthorized        401: missing, wrong or expired API key
    │   │   ├── PaymentRequired     402: tariff or quota limit
    │   │   ├── Forbidden           403: role/permission rule, "Access denied"
    │   │   ├── NotFound            404
    │   │   ├── RateLimited         429 (``retry_after`` seconds when given)          [retryable]
    │   │   └── ServerError         5xx (502/503 may carry HTML)                      [retryable]
    │   └── UnexpectedResponse      a 2xx (or 3xx) whose body is not what the endpoint returns
    ├── WebhookError                delivering to the CRM's webhook failed (not the portal)
    │   ├── WebhookUnreachable      no answer: refused, reset, timed out              [retryable]
    │   ├── WebhookUnavailable      the receiver answered 5xx, 408 or 429             [retryable]
    │   └── DeliveryRefused         any other non-2xx: final for this delivery
    └── WorkflowError               the onboarding engine could not go on
        ├── RunLocked               another run holds these clients
        └── DailyLimitReached       the portal's daily write budget is spent: defer, resume later

``retryable`` is a class attribute of the base: a failure is tried again exactly when its class
says so, whichever layer (the portal client, the webhook) raised it.

Messages never contain the API key: errors are built from the method, the URL *path* and the
server's ``error.message`` only, never from request headers.
"""

from __future__ import annotations

from typing import ClassVar


class OnboardingError(Exception):
    """Base class: everything this product raises on purpose."""

    retryable: ClassVar[bool] = False
    """True for failures that may pass if the same call is made again after a wait."""


class ConfigError(OnboardingError):
    """Settings, blueprint or portal address that cannot be used as given."""


class DocSpaceError(OnboardingError):
    """A call to a DocSpace portal failed.

    Attributes:
        method: HTTP method of the failed call.
        path: URL path (no host, no query) — enough to identify the endpoint without leaking
            anything that might sit in a query string.
        status: HTTP status, or None when no response arrived.
        server_message: the portal's ``error.message`` (or a validation summary), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        server_message: str = "",
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message
        where = f"{method} {path}".strip()
        prefix = f"{where} -> {status}" if status is not None else where
        super().__init__(f"{prefix}: {message}" if prefix else message)


class TransportError(DocSpaceError):
    """No usable HTTP answer (connection refused or reset, response lost mid-way)."""

    retryable = True


class RequestTimeout(TransportError):
    """The portal did not answer in time; a write may still have been committed."""


class ApiStatusError(DocSpaceError):
    """The portal answered with an error status."""


class BadRequest(ApiStatusError):
    """400: the request was malformed or failed the server's validation.

    ``details`` maps a field name to its messages for model-validation errors.
    """

    def __init__(self, message: str, *, details: dict[str, list[str]] | None = None, **kw: object) -> None:
        self.details = details or {}
        super().__init__(message, **kw)  # type: ignore[arg-type]


class Unauthorized(ApiStatusError):
    """401: the API key is missing, wrong, expired or sent without ``Bearer``."""


class PaymentRequired(ApiStatusError):
    """402: a tariff or quota limit of the portal (for example the room count)."""


class Forbidden(ApiStatusError):
    """403: a permission or role rule ("The role is not available for this user type", ...)."""


class NotFound(ApiStatusError):
    """404: the room, folder, file or user does not exist (or is not visible to the key)."""


class RateLimited(ApiStatusError):
    """429: the portal's rate limiter rejected the call; ``retry_after`` is in seconds."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        limit: int | None = None,
        reset: float | None = None,
        **kw: object,
    ) -> None:
        self.retry_after = retry_after
        self.limit = limit
        """``X-RateLimit-Limit``: the permits of the limiter that refused (None: a concurrency limiter)."""
        self.reset = reset
        """``X-RateLimit-Reset``: sent by fixed windows (the daily write budget), not the sliding one."""
        super().__init__(message, **kw)  # type: ignore[arg-type]


class ServerError(ApiStatusError):
    """5xx from the portal or a proxy in front of it."""

    retryable = True


class UnexpectedResponse(DocSpaceError):
    """A success status whose body does not have the shape the endpoint returns."""


class WebhookError(OnboardingError):
    """Delivering to the CRM's webhook failed: the receiver's problem, never the portal's."""


class WebhookUnreachable(WebhookError):
    """The receiver could not be reached or did not answer in time (it may still have the delivery)."""

    retryable = True


class WebhookUnavailable(WebhookError):
    """The receiver answered 5xx, 408 or 429: it may take the delivery later."""

    retryable = True

    def __init__(self, message: str, *, status: int) -> None:
        self.status = status
        super().__init__(message)


class DeliveryRefused(WebhookError):
    """The receiver refused the delivery (4xx, e.g. a bad signature): final, not retried."""


class WorkflowError(OnboardingError):
    """The onboarding engine could not go on."""


class RunLocked(WorkflowError):
    """Another run (another tab, the CLI) is onboarding some of the same clients right now."""


class DailyLimitReached(WorkflowError):
    """The portal's daily POST+PUT budget is spent; remaining clients are deferred."""


def is_retryable(exc: BaseException) -> bool:
    """True for failures that may succeed if tried again (transport, 429, 5xx; see the tree)."""
    return isinstance(exc, OnboardingError) and exc.retryable
