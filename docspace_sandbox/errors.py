"""Exceptions the backend raises, each mapped to the HTTP status and body the real server sends.

The real server (ASP.NET ``CustomExceptionHandler``) maps .NET exception types to statuses; the
classes below carry that mapping so routes never pick a status code by hand:

    ApiError                        -> {"error": {...}, "status": 1, "statusCode": N}
    ├── NotFound          404  ItemNotFoundException / FileNotFoundException
    ├── BadArgument       400  ArgumentException (+ OutOfRange / Null variants)
    ├── Forbidden         403  InvalidOperationException (real message kept)
    ├── AccessDenied      403  SecurityException (message always "Access denied")
    ├── NotAuthenticated  401  AuthenticationException (no type/stack)
    ├── PaymentRequired   402  TenantQuotaException (a tariff limit such as the room count)
    └── ServerError       500  anything else (e.g. JsonException from a bad ``tags`` filter)
    ValidationFailed        -> 400 ValidationProblemDetails inside the *success* envelope
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """An error the real server reports with its ``ErrorApiResponse`` body."""

    status: ClassVar[int] = 500
    default_type: ClassVar[str | None] = "System.Exception"
    default_hresult: ClassVar[int] = -2146233088

    def __init__(self, message: str, *, dotnet_type: str | None = None, hresult: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.dotnet_type: str | None = dotnet_type or self.default_type
        self.hresult: int = self.default_hresult if hresult is None else hresult

    def body(self) -> dict[str, Any]:
        """The JSON body: ``type``/``stack`` are null and ``hresult`` 0 when the server omits traces."""
        with_trace = self.dotnet_type is not None
        return {
            "error": {
                "message": self.message,
                "type": self.dotnet_type,
                "stack": f"   at {self.dotnet_type} (sandbox)" if with_trace else None,
                "hresult": self.hresult if with_trace else 0,
            },
            "status": 1,
            "statusCode": self.status,
        }


class NotFound(ApiError):
    """404 — ``ItemNotFoundException`` (or ``FileNotFoundException`` via ``dotnet_type``)."""

    status = 404
    default_type = "ASC.Common.Web.ItemNotFoundException"
    default_hresult = -2146233088


class BadArgument(ApiError):
    """400 — ``ArgumentException`` thrown by a service (not model validation)."""

    status = 400
    default_type = "System.ArgumentException"
    default_hresult = -2147024809


class Forbidden(ApiError):
    """403 — ``InvalidOperationException``; the message reaches the client unchanged."""

    status = 403
    default_type = "System.InvalidOperationException"
    default_hresult = -2146233079


class AccessDenied(ApiError):
    """403 — ``SecurityException``; the handler always replaces the message with "Access denied"."""

    status = 403
    default_type = "System.Security.SecurityException"
    default_hresult = -2146233078

    def __init__(self) -> None:
        super().__init__("Access denied")


class NotAuthenticated(ApiError):
    """401 with a body — ``AuthenticationException`` from a service on an ``[AllowAnonymous]`` route."""

    status = 401
    default_type = None

    def __init__(self) -> None:
        super().__init__("Authentication failed, see inner exception.")


class PaymentRequired(ApiError):
    """402 — ``TenantQuotaException`` (``CustomExceptionHandler`` maps it, with BillingException, to 402)."""

    status = 402
    default_type = "ASC.Core.Tenants.TenantQuotaException"
    default_hresult = -2146233088


class ServerError(ApiError):
    """500 — an unhandled exception (the server logs it as critical)."""

    status = 500


class ValidationFailed(Exception):
    """400 from ``[ApiController]`` model validation: problem details under ``response``.

    Also used for the 415 ASP.NET returns when a ``[FromBody]`` call has no JSON content type
    (``errors`` empty then, as in a plain ``ProblemDetails``).
    """

    def __init__(
        self,
        errors: dict[str, list[str]],
        *,
        status: int = 400,
        title: str = "One or more validation errors occurred.",
        rfc_section: str = "15.5.1",
    ) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()) or title)
        self.errors = errors
        self.status = status
        self.title = title
        self.rfc_section = rfc_section

    def problem(self, trace_id: str) -> dict[str, Any]:
        """The ``ValidationProblemDetails`` / ``ProblemDetails`` object."""
        body: dict[str, Any] = {
            "type": f"https://tools.ietf.org/html/rfc9110#section-{self.rfc_section}",
            "title": self.title,
            "status": self.status,
        }
        if self.errors:
            body["errors"] = self.errors
        body["traceId"] = trace_id
        return body


# Resource texts copied from FilesCommonResource.resx / Resource.resx (facts, not code).
MSG_FOLDER_NOT_FOUND = "The required folder was not found"
MSG_FILE_NOT_FOUND = "The required file was not found"
MSG_NO_READ_FILE = "You don't have enough permission to view the file"
MSG_CREATE_DENIED = "You don't have enough permission to create"
MSG_ARCHIVED = "You cannot edit archived rooms"
MSG_ROLE_NOT_AVAILABLE = "The role is not available for this user type"
MSG_MAX_LINKS = "The maximum number of links may not exceed {0}"
MSG_USER_NOT_FOUND = "The user could not be found"
MSG_EMPTY_STRING = "The value cannot be an empty string. (Parameter '{0}')"
MSG_OUT_OF_RANGE = "Specified argument was out of the range of valid values. (Parameter '{0}')"
MSG_VALUE_RANGE = "Value does not fall within the expected range. (Parameter '{0}')"
MSG_NO_VIEW_CONTENT = "You don't have enough permission to view the folder content"
# ``ItemNotFoundException()``'s own default text (common/ASC.Common/Web/ItemNotFoundException.cs),
# thrown without a message, e.g. by VirtualRoomsController.ArchiveRoom for a room template.
MSG_RECORD_NOT_FOUND = "The record could not be found"
# FilesCommonResource.ErrorMessage_UploadToFormRoom: FileDao.SaveFileAsync refuses a new file that is
# not a PDF form in a Form filling room (``throw new Exception(...)``, so an unhandled 500).
MSG_UPLOAD_TO_FORM_ROOM = (
    "The file cannot be uploaded to this room. Please try to upload the ONLYOFFICE PDF form."
)
