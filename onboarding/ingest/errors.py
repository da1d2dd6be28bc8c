"""File-level ingestion failures, each with a message a non-technical user can act on.

Row-level problems are never raised: they become :class:`~onboarding.ingest.models.Issue` objects
so that one bad row cannot hide the others. Only problems that make the whole file unreadable are
exceptions::

    IngestError
    ├── FileTooLargeError        bigger than IngestLimits.max_file_bytes (checked before reading)
    ├── EmptyFileError           no bytes, or no non-empty cell
    ├── HeaderOnlyError          a header row but no data rows
    ├── TooManyRowsError         more data rows than IngestLimits.max_rows
    ├── TooManyColumnsError      more columns than IngestLimits.max_columns
    ├── UnsupportedFormatError   an extension or content we do not read (e.g. legacy .xls, .docx)
    ├── BinaryContentError       a "CSV" that is really binary
    ├── CorruptWorkbookError     a workbook that cannot be opened
    ├── PasswordProtectedError   an encrypted workbook (an OLE container, not a ZIP)
    ├── SuspiciousArchiveError   a workbook whose ZIP would expand beyond the limits (zip bomb)
    └── SheetNotFoundError       the requested sheet does not exist

The lead will later re-parent IngestError under the project-wide error; callers should catch
IngestError (or read ``.code``), never the message text.
"""

from __future__ import annotations

from onboarding.errors import OnboardingError

__all__ = [
    "BinaryContentError",
    "CorruptWorkbookError",
    "EmptyFileError",
    "FileTooLargeError",
    "HeaderOnlyError",
    "IngestError",
    "PasswordProtectedError",
    "SheetNotFoundError",
    "SuspiciousArchiveError",
    "TooManyColumnsError",
    "TooManyRowsError",
    "UnsupportedFormatError",
]


class IngestError(OnboardingError):
    """A spreadsheet that cannot be ingested at all; ``message`` is shown to the user as is."""

    code: str = "ingest_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FileTooLargeError(IngestError):
    """The upload is bigger than the configured limit; nothing was parsed."""

    code = "file_too_large"


class EmptyFileError(IngestError):
    """There is nothing to read."""

    code = "empty_file"


class HeaderOnlyError(IngestError):
    """A header row was found, but no client rows below it."""

    code = "header_only"


class TooManyRowsError(IngestError):
    """More data rows than the configured limit."""

    code = "too_many_rows"


class TooManyColumnsError(IngestError):
    """More columns than the configured limit."""

    code = "too_many_columns"


class UnsupportedFormatError(IngestError):
    """A file type we do not read."""

    code = "unsupported_format"


class BinaryContentError(IngestError):
    """A text file (CSV) whose content is binary."""

    code = "binary_content"


class CorruptWorkbookError(IngestError):
    """A workbook that cannot be opened (damaged, truncated, or not really a workbook)."""

    code = "corrupt_workbook"


class PasswordProtectedError(IngestError):
    """An encrypted workbook; Excel stores these in an OLE container instead of a ZIP."""

    code = "password_protected"


class SuspiciousArchiveError(IngestError):
    """A workbook whose compressed parts would expand beyond the limits."""

    code = "suspicious_archive"


class MalformedTextError(IngestError):
    """A CSV the csv module cannot split (e.g. one cell larger than its 128 KB field limit)."""

    code = "malformed_csv"


class SheetNotFoundError(IngestError):
    """The sheet the caller asked for is not in the workbook."""

    code = "sheet_not_found"
