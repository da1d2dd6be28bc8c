"""XLSX, XLSM and ODS through python-calamine, every cell rendered as the text the user sees.

calamine is used directly (it is also what ``pandas.read_excel(engine="calamine")`` runs) so that
cell values are turned into text by us: integral numbers without ``.0``, dates without a
midnight time, booleans as Excel shows them. openpyxl is about five times slower on large sheets.
Cells stored as text ("00123", "NA") come back untouched.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import python_calamine as pc

from onboarding.ingest.archive import WorkbookArchive
from onboarding.ingest.errors import (
    CorruptWorkbookError,
    EmptyFileError,
    PasswordProtectedError,
    SheetNotFoundError,
)

__all__ = ["cell_text", "read_sheet"]


def cell_text(value: Any) -> str:
    """Render one calamine value as text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _sheet_choice(workbook: pc.CalamineWorkbook, sheet: str | None, filename: str) -> tuple[str, int]:
    names = list(workbook.sheet_names)
    if sheet is not None:
        if sheet not in names:
            listed = ", ".join(f"'{n}'" for n in names)
            raise SheetNotFoundError(f"'{filename}' has no sheet named '{sheet}'. Its sheets: {listed}.")
        return sheet, names.index(sheet)
    visible = [
        m.name
        for m in workbook.sheets_metadata
        if m.visible == pc.SheetVisibleEnum.Visible and m.typ == pc.SheetTypeEnum.WorkSheet
    ]
    chosen = visible[0] if visible else names[0] if names else None
    if chosen is None:
        raise EmptyFileError(f"'{filename}' has no worksheets.")
    return chosen, names.index(chosen)


def read_sheet(
    data: bytes, archive: WorkbookArchive, sheet: str | None
) -> tuple[list[list[str]], str, list[str]]:
    """Rows of the chosen sheet (first visible worksheet by default), from cell A1, as text.

    Returns ``(rows, sheet_name, all_sheet_names)``. Row ``i`` of the result is spreadsheet row
    ``i + 1``, because the empty area above and left of the data is kept.
    """
    filename = archive.filename
    try:
        workbook = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError as exc:
        raise PasswordProtectedError(
            f"'{filename}' is password-protected. Remove the password and upload it again."
        ) from exc
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise CorruptWorkbookError(
            f"'{filename}' could not be opened as a workbook ({exc}). "
            "Open it in Excel or LibreOffice, save it again, and retry."
        ) from exc
    name, index = _sheet_choice(workbook, sheet, filename)
    archive.check_sheet_extent(name, index)
    try:
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (pc.CalamineError, pc.XmlError, pc.ZipError, ValueError) as exc:
        raise CorruptWorkbookError(f"Sheet '{name}' of '{filename}' could not be read ({exc}).") from exc
    rows = [[cell_text(v) for v in row] for row in values]
    return rows, name, list(workbook.sheet_names)
