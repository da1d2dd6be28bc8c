"""What an XLSX sheet shows that its cell values do not: merged cells, formulas never calculated,
hidden rows, and numbers shown with leading zeros.

Why: both read as empty cells, and the person sees something else. A manager typed once into
cells merged down D2:D4 shows on every row in Excel, but only D2 holds it: rows 3 and 4 would go
through with no manager, without a word. A formula in a file written by a program (openpyxl,
pandas, a report generator) and never opened in Excel has no saved result, so the name it makes
reads as empty and the row fails with "the client name is empty". Either way the person needs to
be told which cell and why, so this scan of the sheet's XML finds them for
:mod:`onboarding.ingest.validation` to name.

The XML is streamed as :mod:`onboarding.ingest.extent` streams it (the archive's size limits
already hold); only the chosen sheet is read, and only for XLSX/XLSM (ODS marks both differently).
"""

from __future__ import annotations

import html
import re
import zipfile
from collections import deque
from dataclasses import dataclass

from onboarding.ingest.extent import _scan, column_number, sheet_member

__all__ = ["SheetNotes", "sheet_notes"]

_MERGE = re.compile(
    rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7}):\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']"
)
_CELL_START = re.compile(rb"<(?:[\w.-]+:)?c[\s>]")
_CELL = re.compile(
    rb"<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"'][^>]*?(?<!/)>(.*?)</(?:[\w.-]+:)?c>",
    re.S,
)
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:[\w.-]+:)?f>)")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>[^<]|<(?:[\w.-]+:)?is\b")
"""A saved result: a non-empty ``<v>`` or an inline string (``<v/>`` is what openpyxl writes for none)."""
_EMPTY_TEXT_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\s*(?:/>|>\s*</)")
_TEXT_TYPE = re.compile(rb"\bt\s*=\s*[\"']str[\"']")
_CELL_WINDOW = 256 * 1024
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*)>")
_HIDDEN = re.compile(rb"(?<![\w:.-])hidden\s*=\s*[\"'](?:1|true)[\"']")
_ROW_NUMBER = re.compile(rb"(?<![\w:.-])r\s*=\s*[\"']([0-9]{1,7})[\"']")
_MAX_NOTES = 10_000
"""Enough to name every affected row of a real list; a sheet made of nothing else stops here."""


@dataclass(frozen=True)
class SheetNotes:
    """Merged ranges spanning several rows, formula cells without a saved result, hidden rows."""

    merged: tuple[tuple[int, int, int, int], ...] = ()
    """``(first_row, first_column, last_row, last_column)``: rows 1-based, columns 0-based."""
    unsaved_formulas: tuple[tuple[int, int, str], ...] = ()
    """``(row, column, formula)``: row 1-based, column 0-based, formula text ("" for a shared one)."""
    hidden_rows: tuple[int, ...] = ()
    """Rows hidden in the sheet (by hand, a filter or a collapsed group), 1-based."""


def sheet_notes(zf: zipfile.ZipFile, sheet: str, *, cells: bool = True) -> SheetNotes:
    """The notes of XLSX sheet ``sheet``; empty when the sheet cannot be found (the reader said why).

    ``cells=False`` (no data cell reads as empty) looks only for hidden rows.
    """
    member = sheet_member(zf, sheet)
    if member is None:
        return SheetNotes()
    merged: list[tuple[int, int, int, int]] = []
    formulas: list[tuple[int, int, str]] = []
    hidden: list[int] = []
    carry = b""
    for chunk in _scan(member, zf):
        if b"hidden" in chunk and len(hidden) < _MAX_NOTES:
            hidden.extend(_hidden_rows(chunk))
        if not cells or len(merged) + len(formulas) >= _MAX_NOTES:
            continue
        text = carry + chunk
        cut = _last_cell_start(text)
        _read(text[:cut], merged, formulas)
        carry = text[cut:]
    if cells and carry:
        _read(carry, merged, formulas)
    return SheetNotes(tuple(merged[:_MAX_NOTES]), tuple(formulas[:_MAX_NOTES]), tuple(hidden[:_MAX_NOTES]))


def _hidden_rows(text: bytes) -> list[int]:
    """Numbers of the rows ``text`` marks hidden (``<row r="5" hidden="1">``: hidden by hand, a filter or a collapsed group)."""
    found: list[int] = []
    for m in _ROW_TAG.finditer(text):
        attrs = m.group(1)
        if _HIDDEN.search(attrs) and (r := _ROW_NUMBER.search(attrs)) is not None:
            found.append(int(r.group(1)))
    return found


def _last_cell_start(text: bytes) -> int:
    """Where the last cell of ``text`` starts when its end is still to come (in the next chunk).

    Only the chunk's last ``_CELL_WINDOW`` bytes are searched: a cell holds at most 32,767
    characters, so one that started before them has ended.
    """
    window = max(0, len(text) - _CELL_WINDOW)
    starts = _CELL_START.finditer(text, text.rfind(b">", 0, window) + 1 if window else 0)
    found = deque(starts, maxlen=1)
    last = found[0] if found else None
    if last is None:
        return len(text)
    rest = text[last.start() :]
    tag_end = rest.find(b">")
    if tag_end != -1 and (rest[tag_end - 1 : tag_end] == b"/" or _CELL_END.search(rest)):
        return len(text)
    return last.start()


def _read(text: bytes, merged: list[tuple[int, int, int, int]], formulas: list[tuple[int, int, str]]) -> None:
    for m in _MERGE.finditer(text) if b"mergeCell" in text else ():
        c1, r1, c2, r2 = (
            column_number(m.group(1).decode()),
            int(m.group(2)),
            column_number(m.group(3).decode()),
            int(m.group(4)),
        )
        if r2 > r1:
            merged.append((r1, c1 - 1, r2, c2 - 1))
    if b"<f" not in text and b":f" not in text:
        return
    for m in _CELL.finditer(text):
        body = m.group(3)
        formula = _FORMULA.search(body)
        if formula is None or _VALUE.search(body):
            continue
        if _TEXT_TYPE.search(m.group(0), 0, m.start(3) - m.start()) and _EMPTY_TEXT_VALUE.search(body):
            continue  # a text result that is empty (=IF(…;"";…)): Excel saved it, there is nothing to read
        shown = html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
        formulas.append((int(m.group(2)), column_number(m.group(1).decode()) - 1, shown))


_NUM_FMT = re.compile(rb"<(?:[\w.-]+:)?numFmt\b([^>]*)>")
_CELL_XFS = re.compile(rb"<(?:[\w.-]+:)?cellXfs\b[^>]*>(.*?)</(?:[\w.-]+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:[\w.-]+:)?xf\b([^>]*)>")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ZEROS = re.compile(r"0+")
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s([^>]*?)/?>")
_MAX_STYLES_BYTES = 4 * 1024 * 1024


def _attributes(tag: bytes) -> dict[bytes, str]:
    return {k: html.unescape((a or b).decode("utf-8", "replace")) for k, a, b in _ATTR.findall(tag)}


def _padding_styles(zf: zipfile.ZipFile) -> dict[int, int]:
    """Cell style index -> digits, for the styles whose number format pads with zeros (``00000``)."""
    try:
        info = zf.getinfo("xl/styles.xml")
    except KeyError:
        return {}
    if info.file_size > _MAX_STYLES_BYTES:
        return {}
    styles = zf.read(info)
    widths: dict[str, int] = {}
    for tag in _NUM_FMT.findall(styles):
        attrs = _attributes(tag)
        code = attrs.get(b"formatCode", "").replace('"', "")
        if b"numFmtId" in attrs and _ZEROS.fullmatch(code) and len(code) > 1:
            widths[attrs[b"numFmtId"]] = len(code)
    if not widths:
        return {}
    block = _CELL_XFS.search(styles)
    if block is None:
        return {}
    padding: dict[int, int] = {}
    for index, tag in enumerate(_XF.findall(block.group(1))):
        fmt = _attributes(tag).get(b"numFmtId")
        if fmt in widths:
            padding[index] = widths[fmt]
    return padding


def zero_padded_cells(zf: zipfile.ZipFile, sheet: str) -> list[tuple[int, int, int]]:
    """``(row, column, digits)`` of the number cells of ``sheet`` shown with leading zeros (format ``00000``).

    Why: a client ID typed as 00123 into a column formatted ``00000`` is the number 123, which
    Excel shows as 00123; read as "123" it is another client than the "00123" a CSV export of the
    same CRM carries, so another room. Rows 1-based, columns 0-based.
    """
    padding = _padding_styles(zf)
    member = sheet_member(zf, sheet) if padding else None
    if member is None:
        return []
    found: list[tuple[int, int, int]] = []
    for chunk in _scan(member, zf):
        for tag in _CELL_TAG.findall(chunk):
            attrs = _attributes(tag)
            style, kind, ref = attrs.get(b"s"), attrs.get(b"t", "n"), attrs.get(b"r", "")
            if style is None or kind != "n" or not style.isdigit() or int(style) not in padding:
                continue
            m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})", ref)
            if m is not None:
                found.append((int(m.group(2)), column_number(m.group(1)) - 1, padding[int(style)]))
    return found
