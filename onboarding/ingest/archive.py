"""Checks on a workbook's ZIP container, done before any XML is handed to the parser.

XLSX, XLSM and ODS are ZIP archives of XML. A small upload can therefore expand into gigabytes
(a zip bomb), or describe a sheet whose cell grid does not fit in memory (a value in A1 and
another in XFD1048576; an ODS row "repeated" a million times). calamine allocates the whole grid
at once and a failed allocation aborts the process, so these are refused here, from the sizes
the archive declares, a CRC-checked streaming read, and a scan of the sheet XML for its extent.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Literal

from onboarding.ingest.errors import (
    CorruptWorkbookError,
    SuspiciousArchiveError,
    TooManyColumnsError,
    TooManyRowsError,
    UnsupportedFormatError,
)
from onboarding.ingest.models import IngestLimits

__all__ = ["WorkbookArchive", "column_number", "open_archive"]

WorkbookKind = Literal["xlsx", "xlsm", "ods"]

_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 1024 * 1024
_XLSX_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*?(/?)>')
_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")
_ODS_TABLE = re.compile(rb"<table:table\b(?!-)")
_ODS_ROW = re.compile(
    rb"<table:table-row\b([^>]*?)(/?)>(.*?)(?:</table:table-row>|(?=<table:table-row\b))", re.S
)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/?)>")
_REPEAT_ROWS = re.compile(rb'number-rows-repeated="([0-9]+)"')
_REPEAT_COLS = re.compile(rb'number-columns-repeated="([0-9]+)"')


def column_number(letters: str) -> int:
    """``"A"`` -> 1, ``"AA"`` -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


@dataclass
class WorkbookArchive:
    """An opened, size-checked workbook ZIP."""

    zf: zipfile.ZipFile
    kind: WorkbookKind
    filename: str
    limits: IngestLimits

    def check_sheet_extent(self, sheet: str, sheet_index: int) -> None:
        """Refuse a sheet whose used grid exceeds the row or column limits, before parsing it."""
        max_rows = self.limits.max_rows + self.limits.header_search_rows
        if self.kind == "ods":
            rows, cols = self._ods_extent(sheet_index)
        else:
            member = self._xlsx_sheet_member(sheet)
            rows, cols = self._xlsx_extent(member) if member else (0, 0)
        if rows > max_rows:
            raise TooManyRowsError(
                f"Sheet '{sheet}' has content down to row {rows:,}; the limit is "
                f"{self.limits.max_rows:,} client rows. Split the file or raise the row limit."
            )
        if cols > self.limits.max_columns:
            raise TooManyColumnsError(
                f"Sheet '{sheet}' has content in {cols:,} columns; the limit is "
                f"{self.limits.max_columns:,}. Delete unused columns and try again."
            )

    def _read_text(self, name: str) -> str:
        return self.zf.read(name).decode("utf-8", errors="replace")

    def _xlsx_sheet_member(self, sheet: str) -> str | None:
        """Resolve a sheet name to its XML part through workbook.xml and its relationships."""
        try:
            workbook = self._read_text("xl/workbook.xml")
            rels = self._read_text("xl/_rels/workbook.xml.rels")
        except KeyError:
            return None
        targets: dict[str, str] = {}
        for tag in _REL_TAG.findall(rels):
            attrs = dict(_ATTR.findall(tag))
            if "Id" in attrs and "Target" in attrs:
                target = attrs["Target"]
                targets[attrs["Id"]] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        for tag in _SHEET_TAG.findall(workbook):
            attrs = dict(_ATTR.findall(tag))
            if html.unescape(attrs.get("name", "")) == sheet:
                rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
                return targets.get(rid) if rid else None
        return None

    def _xlsx_extent(self, member: str) -> tuple[int, int]:
        """Highest row and column holding a non-empty ``<c>`` element, streamed chunk by chunk."""
        max_row = max_col = 0
        tail = b""
        with self.zf.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                buf = tail + chunk
                cut = buf.rfind(b"<")
                buf, tail = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
                for m in _XLSX_CELL.finditer(buf):
                    if m.group(3):  # <c r="B7" s="1"/>: styled but empty, calamine skips it
                        continue
                    max_row = max(max_row, int(m.group(2)))
                    max_col = max(max_col, column_number(m.group(1).decode()))
        return max_row, max_col

    def _ods_extent(self, sheet_index: int) -> tuple[int, int]:
        """Rows and columns calamine will materialise, counting ``*-repeated`` only for non-empty cells.

        LibreOffice legitimately ends sheets with ``number-rows-repeated="1048553"`` of empty
        rows (calamine ignores those), while a non-empty row repeated a million times is a
        ten-byte way to ask for a million rows.
        """
        content = self.zf.read("content.xml")
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


def _kind(zf: zipfile.ZipFile, filename: str) -> WorkbookKind:
    names = set(zf.namelist())
    if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
        mimetype = zf.read("mimetype").strip()
        if mimetype == _ODS_MIMETYPE:
            return "ods"
        raise UnsupportedFormatError(
            f"'{filename}' is an OpenDocument file but not a spreadsheet ({mimetype.decode(errors='replace')})."
        )
    if "xl/workbook.xml" in names:
        macro = "xl/vbaProject.bin" in names or filename.lower().endswith(".xlsm")
        return "xlsm" if macro else "xlsx"
    if "word/document.xml" in names:
        raise UnsupportedFormatError(f"'{filename}' is a Word document, not a spreadsheet.")
    raise UnsupportedFormatError(f"'{filename}' is a ZIP archive, not an Excel or ODS workbook.")


def _verify(zf: zipfile.ZipFile, filename: str, limits: IngestLimits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_zip_members:
        raise SuspiciousArchiveError(
            f"'{filename}' contains {len(infos):,} parts; a workbook has a few dozen. It was not opened."
        )
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_uncompressed_bytes:
        raise SuspiciousArchiveError(
            f"'{filename}' would expand to {_mb(declared)} (limit {_mb(limits.max_uncompressed_bytes)}); "
            "it was not opened. Save it as CSV or remove unused sheets."
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_check_min_bytes and ratio > limits.max_compression_ratio:
            raise SuspiciousArchiveError(
                f"'{filename}' contains a part ({info.filename}) compressed {ratio:,.0f}:1, which "
                "spreadsheets never need; it looks like a zip bomb and was not opened."
            )
    # Sizes in the headers can lie; zipfile stops at the declared size and checks the CRC,
    # so a streaming read proves the real content is what was declared (bounded by the limit).
    for info in infos:
        try:
            with zf.open(info) as stream:
                while stream.read(_CHUNK):
                    pass
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
            raise CorruptWorkbookError(
                f"'{filename}' is damaged ({info.filename}: {exc}). Open it in Excel or LibreOffice, "
                "save it again, and retry."
            ) from exc


def open_archive(data: bytes, filename: str, limits: IngestLimits) -> WorkbookArchive:
    """Open and vet a workbook ZIP; raises before anything large is decompressed or parsed."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptWorkbookError(
            f"'{filename}' is not a readable workbook (the ZIP container is damaged or truncated). "
            "Open it in Excel or LibreOffice, save it again, and retry."
        ) from exc
    _verify(zf, filename, limits)
    return WorkbookArchive(zf=zf, kind=_kind(zf, filename), filename=filename, limits=limits)
