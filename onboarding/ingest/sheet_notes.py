"""What an XLSX sheet shows that its cell values do not: merged cells and formulas never calculated.

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
_MAX_NOTES = 10_000
"""Enough to name every affected row of a real list; a sheet made of nothing else stops here."""


@dataclass(frozen=True)
class SheetNotes:
    """Merged ranges spanning several rows, and formula cells without a saved result."""

    merged: tuple[tuple[int, int, int, int], ...] = ()
    """``(first_row, first_column, last_row, last_column)``: rows 1-based, columns 0-based."""
    unsaved_formulas: tuple[tuple[int, int, str], ...] = ()
    """``(row, column, formula)``: row 1-based, column 0-based, formula text ("" for a shared one)."""


def sheet_notes(zf: zipfile.ZipFile, sheet: str) -> SheetNotes:
    """The notes of XLSX sheet ``sheet``; empty when the sheet cannot be found (the reader said why)."""
    member = sheet_member(zf, sheet)
    if member is None:
        return SheetNotes()
    merged: list[tuple[int, int, int, int]] = []
    formulas: list[tuple[int, int, str]] = []
    carry = b""
    for chunk in _scan(member, zf):
        text = carry + chunk
        cut = _last_cell_start(text)
        _read(text[:cut], merged, formulas)
        carry = text[cut:]
        if len(merged) + len(formulas) >= _MAX_NOTES:
            break
    else:
        _read(carry, merged, formulas)
    return SheetNotes(tuple(merged[:_MAX_NOTES]), tuple(formulas[:_MAX_NOTES]))


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
