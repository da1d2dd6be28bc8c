"""Turn uploaded bytes into a :class:`RawTable`: right format, right sheet, right header row.

The file's content decides its format (a ZIP is a workbook, an OLE container is an encrypted or
legacy Excel file, anything else is text), so a workbook saved with a ``.csv`` name still reads;
the extension only has to agree for text files. Size is checked before anything is decoded.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath

from onboarding.ingest.archive import WorkbookArchive, open_archive
from onboarding.ingest.cells import CONTROL
from onboarding.ingest.errors import (
    CorruptWorkbookError,
    EmptyFileError,
    FileTooLargeError,
    HeaderOnlyError,
    PasswordProtectedError,
    TooManyColumnsError,
    TooManyRowsError,
    UnsupportedFormatError,
)
from onboarding.ingest.mapping import field_for_header
from onboarding.ingest.models import FileFormat, IngestLimits, RawTable
from onboarding.ingest.rows import looks_like_formula
from onboarding.ingest.text import decode, detect_delimiter, parse_csv, sep_hint

__all__ = ["SUPPORTED_EXTENSIONS", "column_letter", "read_table"]

SUPPORTED_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".ods")
_TEXT_EXTENSIONS = (".csv", ".tsv", ".txt", "")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_LEGACY_WORKBOOK_STREAMS = tuple(f"{name}\0".encode("utf-16-le") for name in ("Workbook", "Book"))
"""The stream of an Excel 97-2003 workbook ("Book" for Excel 5), as its OLE directory names it."""
_WORD_STREAM = "WordDocument\0".encode("utf-16-le")


def column_letter(index: int) -> str:
    """0 -> ``"A"``, 26 -> ``"AA"``: how Excel and LibreOffice label columns."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


def read_table(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    limits: IngestLimits | None = None,
) -> RawTable:
    """Read a client list as text.

    ``sheet`` picks a workbook sheet (default: the first visible one); ``header_row`` (1-based,
    as the user sees it) overrides header detection; ``delimiter`` and ``encoding`` override
    CSV detection. Raises an :class:`~onboarding.ingest.errors.IngestError` subclass for any
    file-level problem.
    """
    limits = limits or IngestLimits()
    if len(data) > limits.max_file_bytes:
        raise FileTooLargeError(
            f"'{filename}' is {_mb(len(data))}; the limit is {_mb(limits.max_file_bytes)}. "
            "Split the client list into smaller files."
        )
    if not data.strip():
        raise EmptyFileError(f"'{filename}' is empty.")
    ext = PurePath(filename).suffix.lower()

    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise PasswordProtectedError(
                f"'{filename}' is password-protected. Open it in Excel, remove the password "
                "(File > Info > Protect Workbook), save, and upload it again."
            )
        if ext == ".xls":
            raise UnsupportedFormatError(
                f"'{filename}' is an old-style .xls workbook. Save it as .xlsx or CSV and upload that."
            )
        if any(stream in data for stream in _LEGACY_WORKBOOK_STREAMS):
            raise UnsupportedFormatError(
                f"'{filename}' is an old-style Excel 97-2003 workbook (.xls) under a .{ext.lstrip('.') or 'xlsx'} "
                "name. Open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or CSV, and upload that."
            )
        if _WORD_STREAM in data:
            raise UnsupportedFormatError(f"'{filename}' is a Word document (.doc), not a spreadsheet.")
        raise PasswordProtectedError(
            f"'{filename}' is password-protected or not an {ext.lstrip('.') or 'xlsx'} file: it is an "
            "OLE container (an encrypted or legacy Office file). Remove the password or save it as "
            ".xlsx, and upload it again."
        )

    if data.startswith(_ZIP_MAGIC):
        # The workbook readers (and their child process, XML and date machinery) load only for a
        # workbook: a CSV list, the usual input of a command-line run, needs none of them.
        from onboarding.ingest.workbook import read_sheet

        archive = open_archive(data, filename, limits)
        grid, sheet_name, sheets = read_sheet(data, archive, sheet)
        if archive.kind != "ods":
            _pad_as_shown(grid, archive, sheet_name)
        raw = _build(grid, filename, archive.kind, limits, header_row, sheet=sheet_name, sheets=sheets)
        if archive.kind == "ods":
            return raw
        from onboarding.ingest.sheet_notes import sheet_notes

        # Merged cells and formulas never calculated only matter where a cell reads empty.
        notes = sheet_notes(archive.zf, sheet_name, cells=any("" in row for row in raw.rows))
        if notes.merged or notes.unsaved_formulas or notes.hidden_rows:
            raw = dataclasses.replace(
                raw,
                merged=notes.merged,
                unsaved_formulas=notes.unsaved_formulas,
                hidden_rows=notes.hidden_rows,
            )
        return raw

    if ext in (".xlsx", ".xlsm", ".ods", ".xls"):
        raise CorruptWorkbookError(
            f"'{filename}' is not a valid {ext.lstrip('.')} workbook (it is neither a ZIP-based "
            "workbook nor an Excel file). Open it in Excel or LibreOffice, save it again, and retry."
        )
    if ext not in _TEXT_EXTENSIONS:
        raise UnsupportedFormatError(
            f"'{filename}': unsupported file type. Upload one of: {', '.join(SUPPORTED_EXTENSIONS)}."
        )
    decoded = decode(data, filename, encoding)
    chosen = delimiter or sep_hint(decoded.text) or detect_delimiter(decoded.text)
    grid = parse_csv(decoded.text, chosen, limits.max_rows, limits.header_search_rows)
    raw = _build(grid, filename, "csv", limits, header_row, encoding=decoded.encoding, delimiter=chosen)
    return dataclasses.replace(raw, legacy_lines=decoded.legacy_lines) if decoded.legacy_lines else raw


def _header_index(grid: list[list[str]], limits: IngestLimits) -> int:
    """Find the header among the first rows: most cells that are known header synonyms wins.

    Title rows ("Client export, March 2026") rarely contain a synonym, so they lose. Without any
    synonym, the first row as wide as the widest of the first rows is taken.
    """
    window = [(i, row) for i, row in enumerate(grid[: limits.header_search_rows]) if any(row)]
    if not window:
        raise EmptyFileError("The file has no content: every cell is empty.")
    best, best_score = None, 0
    for i, row in window:
        score = sum(1 for cell in row if cell.strip() and field_for_header(cell) is not None)
        if score > best_score:
            best, best_score = i, score
    if best is not None:
        return best
    widths = {i: sum(1 for c in row if c.strip()) for i, row in window}
    widest = max(widths.values())
    return next(i for i, w in widths.items() if w == widest)


def _unique_headers(cells: list[str]) -> list[str]:
    """Blank headers become "Column C"; repeats get " (2)", " (3)" so every column has a name.

    Control characters in a header become U+FFFD: headers are shown in every message and stored
    with each client's extra columns, and no row could be refused for them.
    """
    headers: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        base = CONTROL.sub("\ufffd", cell).strip() or f"Column {column_letter(index)}"
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base} ({n})"
        seen.add(name)
        headers.append(name)
    return headers


def _pad_as_shown(grid: list[list[str]], archive: WorkbookArchive, sheet: str) -> None:
    """Whole numbers in cells formatted with leading zeros (``00000``) read as shown: ``123`` -> ``00123``."""
    from onboarding.ingest.sheet_notes import zero_padded_cells

    for row, column, digits in zero_padded_cells(archive.zf, sheet):
        if row <= len(grid) and column < len(grid[row - 1]):
            value = grid[row - 1][column]
            if value.isdigit() and len(value) < digits:
                grid[row - 1][column] = value.zfill(digits)


def _without_export_apostrophes(rows: list[list[str]]) -> list[list[str]]:
    """Cells written as ``'=…``, ``'@…``, ``'+…`` or ``'-…`` read without the apostrophe.

    Why: every export of this tool (the corrected list, the CRM export) puts an apostrophe before
    a value a spreadsheet would run as a formula, and a spreadsheet saving a CSV keeps it as text.
    Uploaded again, "'@Work Ltd" became another name and "'=7" another client ID, so a second
    room or a conflict. Only an apostrophe before such a value is dropped (``'Twas`` keeps its own);
    the value is then checked and flagged like any formula-like cell. One search over all the
    cells decides whether any row needs looking at (a cell that starts with an apostrophe is rare).
    """
    joined = "\x1f" + "\x1f".join("\x1f".join(row) for row in rows)
    if "\x1f'" not in joined:
        return rows
    out: list[list[str]] = []
    for row in rows:
        if any(cell[:1] == "'" and looks_like_formula(cell[1:]) for cell in row):
            row = [cell[1:] if cell[:1] == "'" and looks_like_formula(cell[1:]) else cell for cell in row]
        out.append(row)
    return out


def other_sheets_hint(sheet: str | None, sheets: list[str]) -> str:
    """ " The workbook also has 'Clients': …" when the sheet read is not the only one; else "".

    Why: a workbook whose first sheet is notes or a cover page reads as empty or as lacking the
    client columns, and the person needs to know the clients may be one sheet further.
    """
    others = [name for name in sheets if name != sheet]
    if not sheet or not others:
        return ""
    shown = ", ".join(f"'{name}'" for name in others[:10]) + (" …" if len(others) > 10 else "")
    return (
        f" The workbook also has {shown}: if the clients are on another sheet, pick it "
        "(the sheet list on Upload, or --sheet NAME)."
    )


def _build(
    grid: list[list[str]],
    filename: str,
    fmt: FileFormat,
    limits: IngestLimits,
    header_row: int | None,
    *,
    sheet: str | None = None,
    sheets: list[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> RawTable:
    where = f"sheet '{sheet}' of '{filename}'" if sheet else f"'{filename}'"
    hint = other_sheets_hint(sheet, sheets or [])
    if not any(any(cell.strip() for cell in row) for row in grid):
        raise EmptyFileError(f"{where} is empty: there is no header row and no client.{hint}")
    if header_row is not None:
        if not 1 <= header_row <= len(grid):
            raise EmptyFileError(f"{where} has no row {header_row} to use as the header.")
        h = header_row - 1
    else:
        h = _header_index(grid, limits)
    body = [(i + 1, row) for i, row in enumerate(grid[h + 1 :], start=h + 1) if "".join(row).strip()]
    if not body:
        raise HeaderOnlyError(f"{where} has a header row (row {h + 1}) but no client rows below it.{hint}")
    if len(body) > limits.max_rows:
        raise TooManyRowsError(
            f"{where} has {len(body):,} client rows; the limit is {limits.max_rows:,}. "
            "Split it into smaller files or raise the row limit."
        )
    header_cells = grid[h]
    width = max(len(header_cells), *(len(row) for _, row in body))
    # Trailing columns without a header and without any value are formatting debris, not data.
    while width > len(header_cells) or (width > 0 and not header_cells[width - 1].strip()):
        if any(len(row) >= width and row[width - 1].strip() for _, row in body):
            break
        width -= 1
    if width > limits.max_columns:
        raise TooManyColumnsError(
            f"{where} has {width:,} columns; the limit is {limits.max_columns:,}. Delete unused columns."
        )
    padded_header = _without_export_apostrophes([(header_cells + [""] * width)[:width]])[0]
    rows = [row if len(row) == width else (row + [""] * (width - len(row)))[:width] for _, row in body]
    rows = _without_export_apostrophes(rows)
    return RawTable(
        filename=filename,
        format=fmt,
        headers=_unique_headers(padded_header),
        rows=rows,
        row_numbers=[n for n, _ in body],
        header_row_number=h + 1,
        sheet=sheet,
        sheets=sheets or [],
        encoding=encoding,
        delimiter=delimiter,
    )
