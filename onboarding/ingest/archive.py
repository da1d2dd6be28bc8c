"""Checks on a workbook's ZIP container, done in this process before any XML is parsed.

XLSX, XLSM and ODS are ZIP archives of XML. A small upload can therefore expand into gigabytes
(a zip bomb). These checks use the sizes the archive declares and a CRC-checked streaming read
(constant memory), so a bomb is refused without starting the parser at all. What the XML
*describes* (a sheet grid too large for memory) is checked by :mod:`onboarding.ingest.extent`
inside the capped child process that parses the workbook.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Literal

from onboarding.ingest.errors import (
    CorruptWorkbookError,
    SuspiciousArchiveError,
    UnsupportedFormatError,
)
from onboarding.ingest.models import IngestLimits

__all__ = ["WorkbookArchive", "open_archive"]

WorkbookKind = Literal["xlsx", "xlsm", "ods"]

_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


@dataclass
class WorkbookArchive:
    """An opened, size-checked workbook ZIP."""

    zf: zipfile.ZipFile
    kind: WorkbookKind
    filename: str
    limits: IngestLimits


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
