"""How big a grid a sheet asks the parser for, measured from its XML before the parser sees it.

calamine sizes a sheet's cell grid from the highest row and column it finds, and reserves the
shared-string table from the count the file declares; a failed allocation aborts the process. A
few kilobytes can ask for terabytes: one value at ``XFD1048576`` (the reference quoted with ``'``,
written in lower case, or with ``$``), a row numbered 1,048,576 whose cells carry no reference at
all (their position is implied: next column, next row), an ODS row "repeated" a million times, or
``uniqueCount="4294967295"``. These scans mirror how the parser places cells, stream the XML, and
refuse such sheets with a message. They run inside the capped child process
(:mod:`onboarding.ingest.sheet_child`), which is the backstop for anything they miss.

The ``<dimension>`` tag is deliberately not trusted either way: calamine sizes the grid from the
cells, and Excel's own dimension can be wider than the data.

This module imports only the standard library, so the child process starts fast.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from onboarding.ingest.errors import (
    CorruptWorkbookError,
    SuspiciousArchiveError,
    TooManyColumnsError,
    TooManyRowsError,
)

__all__ = ["SheetLimits", "check_extent", "check_shared_strings", "column_number", "sheet_member"]

_CHUNK = 1024 * 1024
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*?)(/?)>")
_ANY_CELL = re.compile(rb"<c[\s/>]")
_REFERENCED_CELL = re.compile(
    rb"<c\s(?:[^>\s]*\s)*?r\s*=\s*[\"']\$?([A-Za-z]{1,4})\$?([0-9]{1,9})[\"'][^>]*?(/?)>"
)
_PREFIXED_CELL = (b":c ", b":c>", b":c/>", b":c\t", b":c\n", b":c\r")
_R_ATTR = re.compile(rb"(?<![\w:.-])r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"\$?([A-Za-z]{1,4})\$?([0-9]{1,9})")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_DIMENSION_REF = re.compile(rb"[A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?")
_SST_COUNT = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*?\b(?:uniqueCount|count)\s*=\s*[\"']([0-9]+)[\"']")
_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(r"([\w:]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REL_TAG = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")
_ODS_TABLE = re.compile(rb"<table:table\b(?!-)")
_ODS_ROW = re.compile(
    rb"<table:table-row\b([^>]*?)(/?)>(.*?)(?:</table:table-row>|(?=<table:table-row\b))", re.S
)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/?)>")
_REPEAT_ROWS = re.compile(rb"number-rows-repeated\s*=\s*[\"']([0-9]+)[\"']")
_REPEAT_COLS = re.compile(rb"number-columns-repeated\s*=\s*[\"']([0-9]+)[\"']")
_MIN_SHARED_STRING_BYTES = 5
"""``<si/>``: no shared-string table can hold more entries than its size / 5."""


@dataclass(frozen=True)
class SheetLimits:
    """The grid a sheet may describe; ``max_rows`` includes the header search window."""

    max_rows: int
    max_columns: int
    client_rows: int


def column_number(letters: str) -> int:
    """``"A"`` -> 1, ``"AA"`` -> 27 (lower case counts as upper case, as the parser reads it)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _attrs(tag: str) -> dict[str, str]:
    return {k: html.unescape(a or b) for k, a, b in _ATTR.findall(tag)}


def sheet_member(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """Resolve an XLSX sheet name to its XML part through workbook.xml and its relationships."""
    try:
        workbook = zf.read("xl/workbook.xml").decode("utf-8", errors="replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    except KeyError:
        return None
    targets: dict[str, str] = {}
    for tag in _REL_TAG.findall(rels):
        attrs = _attrs(tag)
        if "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            targets[attrs["Id"]] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    for tag in _SHEET_TAG.findall(workbook):
        attrs = _attrs(tag)
        if attrs.get("name", "") == sheet:
            rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
            return targets.get(rid) if rid else None
    return None


def _r_value(attrs: bytes) -> bytes | None:
    m = _R_ATTR.search(attrs)
    return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))


def _scan(member: str, zf: zipfile.ZipFile) -> Iterator[bytes]:
    """The member's XML in chunks that never split a tag."""
    tail = b""
    with zf.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            buf = tail + chunk
            cut = buf.rfind(b"<")
            buf, tail = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
            yield buf
    if tail:
        yield tail


def check_dimension(zf: zipfile.ZipFile, member: str, sheet: str, filename: str) -> None:
    """Refuse a ``<dimension>`` the parser cannot read (``$A$1``, garbage) with a message saying so.

    Its size is not trusted (see the module docstring), but a malformed one makes the parser fail
    with a message about "alphanumeric characters" that helps nobody.
    """
    head = next(_scan(member, zf), b"")
    found = _DIMENSION.search(head)
    if found and not _DIMENSION_REF.fullmatch(found.group(1)):
        shown = found.group(1)[:40].decode("ascii", errors="replace")
        raise CorruptWorkbookError(
            f"Sheet '{sheet}' of '{filename}' declares its size as '{shown}', which is not a cell "
            "range; the workbook is damaged. Open it in Excel or LibreOffice, save it again, and retry."
        )


def _referenced_extent(zf: zipfile.ZipFile, member: str) -> tuple[int, int] | None:
    """Fast path for sheets whose every cell names its position (what Excel and LibreOffice write).

    The matching runs in the regex engine, and only distinct row numbers and column letters reach
    Python. ``None`` when some cell has no reference: its position must be walked.
    """
    rows: set[bytes] = set()
    cols: set[bytes] = set()
    for buf in _scan(member, zf):
        found = _REFERENCED_CELL.findall(buf)
        if len(found) != len(_ANY_CELL.findall(buf)) or any(p in buf for p in _PREFIXED_CELL):
            return None
        filled = [f for f in found if not f[2]]  # <c r="B7" s="1"/>: styled but empty, the parser skips it
        rows.update(f[1] for f in filled)
        cols.update(f[0] for f in filled)
    max_row = max(map(int, rows), default=0)
    max_col = max((column_number(c.decode()) for c in cols), default=0)
    return max_row, max_col


def xlsx_extent(zf: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """Highest row and column holding a non-empty cell, placing unreferenced rows and cells as the parser does."""
    fast = _referenced_extent(zf, member)
    if fast is not None:
        return fast
    max_row = max_col = 0
    row = col = 0
    for buf in _scan(member, zf):
        for m in _TAG.finditer(buf):
            name = m.group(1)
            ref = _r_value(m.group(2))
            if name == b"row":
                row, col = (int(ref) if ref and ref.isdigit() else row + 1), 0
                continue
            parsed = _REF.fullmatch(ref.strip()) if ref else None
            if parsed:
                row, col = int(parsed.group(2)), column_number(parsed.group(1).decode())
            else:
                row, col = max(row, 1), col + 1
            if m.group(3):
                continue
            max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max_col


def ods_extent(content: bytes, sheet_index: int) -> tuple[int, int]:
    """Rows and columns the parser will materialise, counting ``*-repeated`` only for non-empty cells.

    LibreOffice legitimately ends sheets with ``number-rows-repeated="1048553"`` of empty
    rows (the parser ignores those), while a non-empty row repeated a million times is a
    ten-byte way to ask for a million rows.
    """
    starts = [m.start() for m in _ODS_TABLE.finditer(content)] + [len(content)]
    if sheet_index + 1 >= len(starts):
        return 0, 0
    table = content[starts[sheet_index] : starts[sheet_index + 1]]
    rows = cols = 0
    for m in _ODS_ROW.finditer(table):
        body = m.group(3)
        if not (b"<text:p" in body or b"office:value=" in body or b"office:date-value" in body):
            rows += 1
            continue
        repeat = _REPEAT_ROWS.search(m.group(1))
        rows += int(repeat.group(1)) if repeat else 1
        width = 0
        for cell in _ODS_CELL.finditer(body):
            cell_repeat = _REPEAT_COLS.search(cell.group(1))
            width += int(cell_repeat.group(1)) if cell_repeat and not cell.group(2) else 1
        cols = max(cols, width)
    return rows, cols


def check_shared_strings(zf: zipfile.ZipFile, filename: str) -> None:
    """Refuse a shared-string table declaring more entries than its bytes can hold (the parser reserves them)."""
    name = next((n for n in zf.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return
    size = zf.getinfo(name).file_size
    with zf.open(name) as stream:
        head = stream.read(4096)
    for count in _SST_COUNT.findall(head):
        if int(count) > size // _MIN_SHARED_STRING_BYTES + 16:
            raise SuspiciousArchiveError(
                f"'{filename}' declares {int(count):,} shared strings in a {size:,}-byte table, which "
                "cannot be true; the workbook was not opened. Save it again in Excel or LibreOffice."
            )


def check_extent(
    zf: zipfile.ZipFile, kind: str, sheet: str, sheet_index: int, filename: str, limits: SheetLimits
) -> None:
    """Refuse a sheet whose used grid exceeds the row or column limits, before it is parsed."""
    if kind == "ods":
        rows, cols = ods_extent(zf.read("content.xml"), sheet_index)
    else:
        member = sheet_member(zf, sheet)
        rows = cols = 0
        if member and member in zf.namelist():
            check_dimension(zf, member, sheet, filename)
            rows, cols = xlsx_extent(zf, member)
    if rows > limits.max_rows:
        raise TooManyRowsError(
            f"Sheet '{sheet}' has content down to row {rows:,}; the limit is "
            f"{limits.client_rows:,} client rows. Split the file or raise the row limit."
        )
    if cols > limits.max_columns:
        raise TooManyColumnsError(
            f"Sheet '{sheet}' has content in {cols:,} columns; the limit is "
            f"{limits.max_columns:,}. Delete unused columns and try again."
        )
