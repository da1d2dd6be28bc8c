"""XLSX, XLSM and ODS through python-calamine, parsed in a capped child process.

calamine is used directly (it is also what ``pandas.read_excel(engine="calamine")`` runs) so that
cell values are turned into text by us (:func:`~onboarding.ingest.sheet_child.cell_text`).
openpyxl is about five times slower on large sheets.

An upload is untrusted: a 2 KB workbook can make calamine request 550 GB and abort the process
that called it. So parsing happens in a child (``python -I``, started with ``subprocess``, which
execs at once: no Python runs between fork and exec, so starting it from the multi-threaded
dashboard is safe, unlike ``fork`` without exec) capped at ``IngestLimits.parse_memory_bytes`` of
address space and ``parse_seconds`` of time. Whatever the child does, this process gets rows or an
:class:`~onboarding.ingest.errors.IngestError` with a message. The child's environment is empty
(it needs nothing, and secrets in the parent's environment stay there).

Starting the child costs more than reading an ordinary sheet, so :func:`read_sheet` first asks
:mod:`onboarding.ingest.xlsx_fast`, which reads the XLSX shapes Excel, LibreOffice and openpyxl
write, in this process, with the child's exact result, and declines everything else.
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from onboarding.ingest.archive import WorkbookArchive
from onboarding.ingest.errors import CorruptWorkbookError, IngestError, SuspiciousArchiveError
from onboarding.ingest.sheet_child import cell_text
from onboarding.ingest.xlsx_fast import fast_read

__all__ = ["cell_text", "read_in_child", "read_sheet"]

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_CHILD = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); from onboarding.ingest.sheet_child import main; main()"
)


def _error_classes() -> dict[str, type[IngestError]]:
    found: dict[str, type[IngestError]] = {}
    pending: list[type[IngestError]] = [IngestError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


def read_sheet(
    data: bytes, archive: WorkbookArchive, sheet: str | None
) -> tuple[list[list[str]], str, list[str]]:
    """Rows of the chosen sheet (first visible worksheet by default), from cell A1, as text.

    Returns ``(rows, sheet_name, all_sheet_names)``. Row ``i`` of the result is spreadsheet row
    ``i + 1``, because the empty area above and left of the data is kept. An ordinary XLSX is read
    in this process (:mod:`onboarding.ingest.xlsx_fast`, same result, no child to start); any
    other workbook goes to the child.
    """
    fast = fast_read(archive, sheet)
    if fast is not None:
        return fast
    return read_in_child(data, archive, sheet)


def read_in_child(
    data: bytes, archive: WorkbookArchive, sheet: str | None
) -> tuple[list[list[str]], str, list[str]]:
    """:func:`read_sheet` through the capped child, whatever the workbook holds."""
    limits, filename = archive.limits, archive.filename
    request = {
        "filename": filename,
        "sheet": sheet,
        "kind": archive.kind,
        "memory_bytes": limits.parse_memory_bytes,
        "cpu_seconds": math.ceil(limits.parse_seconds),
        "limits": {
            "max_rows": limits.max_rows + limits.header_search_rows,
            "max_columns": limits.max_columns,
            "client_rows": limits.max_rows,
        },
    }
    command = [sys.executable, "-I", "-c", _CHILD, _PACKAGE_ROOT, json.dumps(request)]
    child = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={"RUST_BACKTRACE": "0"},
    )
    try:
        out, _ = child.communicate(data, timeout=limits.parse_seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise SuspiciousArchiveError(
            f"'{filename}' took more than {limits.parse_seconds:g} s to read and was stopped; a client "
            "list reads in about a second. Save it again in Excel or LibreOffice, or as CSV."
        ) from None
    reply = _parse(out) if child.returncode == 0 else None
    if reply is None or reply.get("code") == "memory":
        raise _crash(filename, child.returncode, limits.parse_memory_bytes, limits.parse_seconds)
    if "code" in reply:
        cls = _error_classes().get(str(reply["code"]), IngestError)
        raise cls(str(reply["message"]))
    return reply["rows"], reply["sheet"], reply["sheets"]


def _parse(out: bytes) -> dict[str, Any] | None:
    try:
        reply = json.loads(out)
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


def _crash(filename: str, returncode: int, memory: int, seconds: float) -> IngestError:
    """The child died or ran out of its caps: say which, in words the user can act on."""
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return SuspiciousArchiveError(
            f"'{filename}' needed more than {seconds:g} s of processing to read and was stopped. "
            "Save it again in Excel or LibreOffice, or as CSV."
        )
    if returncode in (0, 1, -signal.SIGABRT, 134):
        return SuspiciousArchiveError(
            f"'{filename}' needs more than {_mb(memory)} of memory to read: it describes a far larger "
            "sheet than its data (or is damaged). It was not opened. Save it again in Excel or "
            "LibreOffice, or as CSV."
        )
    return CorruptWorkbookError(
        f"'{filename}' could not be read (the workbook parser stopped with code {returncode}). "
        "Open it in Excel or LibreOffice, save it again, and retry."
    )
