"""Spreadsheet ingestion: CSV, XLSX, XLSM and ODS client lists in, a validated batch out.

Typical use::

    batch = load_clients(uploaded_bytes, "clients.xlsx")
    batch.clients      # valid rows (warnings allowed)
    batch.issues       # every error and warning, with the spreadsheet row number
    batch.mapping      # editable: pass an edited copy back to load_clients / validate
    batch.preview      # DataFrame for display

File-level problems (empty, too large, corrupt, encrypted, zip bomb...) raise
:class:`IngestError`; row problems never raise.

Names load on first use (PEP 562): the child process that parses workbooks imports
``onboarding.ingest.sheet_child`` and must not pay for pandas and pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from onboarding.lazy import lazy_names

_MODELS = ("ClientBatch", "ClientRow", "ColumnMapping", "IngestLimits", "IngestSettings", "Issue", "RawTable")
_WHERE: dict[str, str] = {
    **dict.fromkeys(_MODELS, "onboarding.ingest.models"),
    "auto_map": "onboarding.ingest.mapping",
    "SUPPORTED_EXTENSIONS": "onboarding.ingest.reader",
    "read_table": "onboarding.ingest.reader",
    "validate": "onboarding.ingest.validation",
}

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


__getattr__ = lazy_names(__name__, _WHERE, globals())


if TYPE_CHECKING:  # the same names, for type checkers (at run time they load on first use)
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
    from onboarding.ingest.validation import validate


def load_clients(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    mapping: ColumnMapping | None = None,
    settings: IngestSettings | None = None,
) -> ClientBatch:
    """Read and validate in one call; ``mapping=None`` means the automatic mapping."""
    from onboarding.ingest.models import IngestSettings
    from onboarding.ingest.reader import read_table
    from onboarding.ingest.validation import validate

    settings = settings or IngestSettings()
    raw = read_table(data, filename, sheet=sheet, limits=settings.limits)
    return validate(raw, mapping, settings)
