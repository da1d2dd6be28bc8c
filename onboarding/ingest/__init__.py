"""Spreadsheet ingestion: CSV, XLSX, XLSM and ODS client lists in, a validated batch out.

Typical use::

    batch = load_clients(uploaded_bytes, "clients.xlsx")
    batch.clients      # valid rows (warnings allowed)
    batch.issues       # every error and warning, with the spreadsheet row number
    batch.mapping      # editable: pass an edited copy back to load_clients / validate
    batch.preview      # DataFrame for display

File-level problems (empty, too large, corrupt, encrypted, zip bomb...) raise
:class:`IngestError`; row problems never raise.
"""

from __future__ import annotations

from onboarding.ingest.errors import (
    BinaryContentError,
    CorruptWorkbookError,
    EmptyFileError,
    FileTooLargeError,
    HeaderOnlyError,
    IngestError,
    MalformedTextError,
    PasswordProtectedError,
    SheetNotFoundError,
    SuspiciousArchiveError,
    TooManyColumnsError,
    TooManyRowsError,
    UnsupportedFormatError,
)
from onboarding.ingest.mapping import auto_map
from onboarding.ingest.models import (
    ClientBatch,
    ClientRow,
    ColumnMapping,
    IngestLimits,
    IngestSettings,
    Issue,
    RawTable,
)
from onboarding.ingest.reader import SUPPORTED_EXTENSIONS, read_table
from onboarding.ingest.validate import validate

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "BinaryContentError",
    "ClientBatch",
    "ClientRow",
    "ColumnMapping",
    "CorruptWorkbookError",
    "EmptyFileError",
    "FileTooLargeError",
    "HeaderOnlyError",
    "IngestError",
    "IngestLimits",
    "IngestSettings",
    "Issue",
    "MalformedTextError",
    "PasswordProtectedError",
    "RawTable",
    "SheetNotFoundError",
    "SuspiciousArchiveError",
    "TooManyColumnsError",
    "TooManyRowsError",
    "UnsupportedFormatError",
    "auto_map",
    "load_clients",
    "read_table",
    "validate",
]


def load_clients(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    mapping: ColumnMapping | None = None,
    settings: IngestSettings | None = None,
) -> ClientBatch:
    """Read and validate in one call; ``mapping=None`` means the automatic mapping."""
    settings = settings or IngestSettings()
    raw = read_table(data, filename, sheet=sheet, limits=settings.limits)
    return validate(raw, mapping, settings)
