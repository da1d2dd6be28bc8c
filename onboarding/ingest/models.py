"""Typed inputs and outputs of ingestion, shared by the engine, the dashboard and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CANONICAL_FIELDS",
    "ClientBatch",
    "ClientRow",
    "ColumnMapping",
    "FieldName",
    "FileFormat",
    "IngestLimits",
    "IngestSettings",
    "Issue",
    "RawTable",
    "Severity",
    "SourceInfo",
    "checked_rows",
]

FieldName = Literal["client_id", "name", "email", "manager_email"]
Severity = Literal["error", "warning"]
FileFormat = Literal["csv", "xlsx", "xlsm", "ods"]

CANONICAL_FIELDS: tuple[FieldName, ...] = ("client_id", "name", "email", "manager_email")

_MB = 1024 * 1024


class IngestLimits(BaseModel):
    """Bounds that turn hostile or oversized input into a clear message instead of a crash.

    Defaults fit a browser upload: 100,000 clients, and 25 MB holds that many rows in any of the
    supported formats. A workbook is parsed in a child process capped at ``parse_memory_bytes``
    and ``parse_seconds`` (see :mod:`onboarding.ingest.workbook`).
    """

    model_config = ConfigDict(frozen=True)

    max_file_bytes: int = Field(default=25 * _MB, gt=0)
    max_rows: int = Field(default=100_000, gt=0)
    max_columns: int = Field(default=200, gt=0)
    max_cell_chars: int = Field(default=2_000, gt=0)
    header_search_rows: int = Field(default=30, gt=0)
    """How far down a header row is looked for (title rows above it are skipped)."""
    max_uncompressed_bytes: int = Field(default=200 * _MB, gt=0)
    """Sum of a workbook's ZIP members once expanded; checked before any XML is parsed."""
    max_compression_ratio: float = Field(default=100.0, gt=1)
    """Expanded/compressed size above which a large ZIP member is treated as a zip bomb."""
    ratio_check_min_bytes: int = Field(default=2 * _MB, ge=0)
    """Members smaller than this are exempt from the ratio check (small XML compresses very well)."""
    max_zip_members: int = Field(default=2_000, gt=0)
    parse_memory_bytes: int = Field(default=400 * _MB, ge=64 * _MB)
    """Address-space cap of the child process that parses a workbook."""
    parse_seconds: float = Field(default=8.0, gt=0)
    """Wall-clock (and CPU) limit of that child; past it the workbook is refused."""


class IngestSettings(BaseModel):
    """What the caller (ultimately the blueprint) decides about validation."""

    model_config = ConfigDict(frozen=True)

    title_pattern: str = "Client - {name}"
    tag_pattern: str = "client:{client_id}"
    email_required: bool = True
    """False when the blueprint does not invite the client by e-mail."""
    key: Literal["client_id", "email"] = "client_id"
    """``"email"``: the user explicitly chose the e-mail as the client key (no ID column)."""
    limits: IngestLimits = IngestLimits()


class ColumnMapping(BaseModel):
    """Which spreadsheet header feeds each canonical field; ``None`` means unmapped.

    It is part of every result so the UI can show it, let the user change it, and validate again.
    Every header not named here is carried through as an extra column.
    """

    client_id: str | None = None
    name: str | None = None
    email: str | None = None
    manager_email: str | None = None
    segment: str | None = None
    """The header naming each row's segment (per-segment blueprints); ``None``: found by the
    blueprint's segment column name. Not a field of the row: it stays among the extra columns
    (see :mod:`onboarding.segment_rows`)."""

    def header_for(self, field_name: FieldName) -> str | None:
        """The header mapped to ``field_name``."""
        value: str | None = getattr(self, field_name)
        return value

    def mapped(self) -> dict[FieldName, str]:
        """Only the fields that have a column."""
        return {f: h for f in CANONICAL_FIELDS if (h := self.header_for(f)) is not None}

    def extra_headers(self, headers: list[str]) -> list[str]:
        """Headers not used by any field, in their original order."""
        used = set(self.mapped().values())
        return [h for h in headers if h not in used]


@dataclass(frozen=True)
class RawTable:
    """A sheet read as text: every cell a ``str``, ``""`` for an empty cell, nothing inferred.

    A plain dataclass rather than a pydantic model: it can hold 100,000 rows and needs no
    per-cell validation.
    """

    filename: str
    format: FileFormat
    headers: list[str]
    rows: list[list[str]]
    """Data rows below the header, each padded to ``len(headers)``; blank rows are dropped."""
    row_numbers: list[int]
    """For each data row, the row number the user sees in the spreadsheet (1-based)."""
    header_row_number: int
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    legacy_lines: tuple[int, ...] = ()
    """Lines of a mostly UTF-8 CSV that were not UTF-8 (read as Windows-1252): said as a warning."""
    merged: tuple[tuple[int, int, int, int], ...] = ()
    """XLSX merged ranges over several rows, ``(first_row, first_column, last_row, last_column)``
    (rows as the user sees them, columns 0-based): their lower cells read as empty, which is said."""
    unsaved_formulas: tuple[tuple[int, int, str], ...] = ()
    """XLSX formula cells with no saved result, ``(row, column, formula)``: read as empty, which is said."""
    hidden_rows: tuple[int, ...] = ()
    """XLSX rows hidden in the sheet (by hand, a filter, a collapsed group): read like the others, which is said."""


class SourceInfo(BaseModel):
    """Where a batch came from, for display next to the preview."""

    filename: str
    format: FileFormat
    sheet: str | None = None
    sheets: list[str] = []
    header_row_number: int
    encoding: str | None = None
    delimiter: str | None = None


class Issue(BaseModel):
    """One problem, tied to a spreadsheet row and column when there is one.

    ``row_number`` is ``None`` for a problem with the whole file or mapping (e.g. no name column).
    """

    model_config = ConfigDict(frozen=True)

    row_number: int | None
    column: str | None
    """The header as it appears in the file."""
    field: FieldName | None
    severity: Severity
    code: str
    message: str
    value: str | None = None


class ClientRow(BaseModel):
    """A client that passed validation (it may still carry warnings)."""

    row_number: int
    client_id: str
    name: str
    email: str | None = None
    manager_email: str | None = None
    extra: dict[str, str] = {}
    """Unmapped columns, original header -> cell text, in file order."""
    room_title: str
    """The title to send, equal to the title the portal will store."""
    room_tag: str


def checked_rows(fields: Iterable[dict[str, Any]]) -> list[ClientRow]:
    """:class:`ClientRow` objects from fields that validation has just checked, without checking them again.

    Validation's columns already hold exactly the field types (``int`` row number, ``str`` or
    ``None``, a ``dict`` of ``str`` extras), so pydantic's own validation would only repeat it: it
    cost ~1 s for 100,000 rows, ``model_construct`` (a Python loop per field) ~2 s. This sets what
    ``model_construct`` sets, once per row; ``test_checked_rows_equal_validated_rows`` keeps the
    two identical.
    """
    new, put = ClientRow.__new__, object.__setattr__
    every = set(ClientRow.model_fields)
    rows: list[ClientRow] = []
    for values in fields:
        row = new(ClientRow)
        put(row, "__dict__", values)
        put(row, "__pydantic_fields_set__", every)
        put(row, "__pydantic_extra__", None)
        put(row, "__pydantic_private__", None)
        rows.append(row)
    return rows


class ClientBatch(BaseModel):
    """The result of ingestion: valid clients, every issue, and what is needed to show and edit it."""

    clients: list[ClientRow]
    issues: list[Issue]
    mapping: ColumnMapping
    settings: IngestSettings
    source: SourceInfo
    headers: list[str]
    total_rows: int
    """Non-blank data rows in the sheet."""
    _preview: Any = PrivateAttr(default=None)

    def __init__(self, /, preview: pd.DataFrame | Callable[[], pd.DataFrame], **data: Any) -> None:
        """``preview`` is the table, or what builds it on first use (validation passes the latter)."""
        super().__init__(**data)
        self._preview = preview

    @property
    def preview(self) -> pd.DataFrame:
        """Original columns plus row number, status, room title and issue text, one line per data row.

        Built on first use: pandas takes about half a second to import, and the CLI never shows it.
        """
        if callable(self._preview):
            self._preview = self._preview()
        frame: pd.DataFrame = self._preview
        return frame

    @property
    def errors(self) -> list[Issue]:
        """Issues that keep a row (or the whole file) out of ``clients``."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """Issues worth showing that do not stop a row."""
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def hidden_ids(self) -> frozenset[str]:
        """Clients on rows hidden in the sheet. They are left out unless picked by id: a sheet is
        usually filtered to show what is to be done now, and onboarding a hidden row invites a
        client the person never saw."""
        rows = {i.row_number for i in self.issues if i.code == "hidden_row"}
        return frozenset(c.client_id for c in self.clients if c.row_number in rows) if rows else frozenset()

    @property
    def file_issues(self) -> list[Issue]:
        """Issues not tied to a row: mapping or pattern problems."""
        return [i for i in self.issues if i.row_number is None]

    @property
    def blocked(self) -> bool:
        """True when a file-level error stopped row validation (fix the mapping or pattern)."""
        return any(i.severity == "error" for i in self.file_issues)

    @property
    def error_row_count(self) -> int:
        """Rows rejected by at least one error."""
        return len({i.row_number for i in self.errors if i.row_number is not None})

    def issues_for_row(self, row_number: int) -> list[Issue]:
        """Every issue reported for one spreadsheet row."""
        return [i for i in self.issues if i.row_number == row_number]
