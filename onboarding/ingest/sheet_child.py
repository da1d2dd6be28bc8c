"""The child process that parses one workbook under a memory and CPU cap, and prints JSON.

A hostile workbook can make calamine (the Rust parser) ask for hundreds of gigabytes; a failed
allocation aborts the whole process, which must never be the dashboard or the CLI. So the parent
(:mod:`onboarding.ingest.workbook`) starts ``python -I`` on :func:`main`, writes the workbook to
its stdin, and reads one JSON object from its stdout: ``{"rows", "sheet", "sheets"}`` or
``{"code", "message"}`` for an :class:`~onboarding.ingest.errors.IngestError`. The child caps
its address space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``) before it imports the parser.

Only the standard library, python-calamine and the stdlib-only ingestion modules are imported
here, so the child starts in tens of milliseconds rather than the second pandas would take.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import resource
import sys
import zipfile
from typing import Any

__all__ = ["cell_text", "main"]


def cell_text(value: Any) -> str:
    """Render one calamine value as the text the user sees (``7.0`` -> ``"7"``, dates without midnight)."""
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


def _cap(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _sheet_choice(workbook: Any, sheet: str | None, filename: str) -> tuple[str, int]:
    import python_calamine as pc

    from onboarding.ingest.errors import EmptyFileError, SheetNotFoundError

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


def read(data: bytes, request: dict[str, Any]) -> dict[str, Any]:
    """Check the chosen sheet's extent, then parse it; the reply the parent turns into rows."""
    import python_calamine as pc

    from onboarding.ingest.errors import CorruptWorkbookError, PasswordProtectedError
    from onboarding.ingest.extent import SheetLimits, check_extent, check_shared_strings

    filename: str = request["filename"]
    archive = zipfile.ZipFile(io.BytesIO(data))
    if request["kind"] != "ods":
        check_shared_strings(archive, filename)  # calamine reserves the declared count on opening
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
    name, index = _sheet_choice(workbook, request["sheet"], filename)
    limits = SheetLimits(**request["limits"])
    check_extent(archive, request["kind"], name, index, filename, limits)
    try:
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (pc.CalamineError, pc.XmlError, pc.ZipError, ValueError) as exc:
        raise CorruptWorkbookError(f"Sheet '{name}' of '{filename}' could not be read ({exc}).") from exc
    rows = [[cell_text(v) for v in row] for row in values]
    return {"rows": rows, "sheet": name, "sheets": list(workbook.sheet_names)}


def main() -> None:
    """Entry point of the child: request JSON in ``argv[1]``, workbook bytes on stdin, JSON reply on stdout."""
    request = json.loads(sys.argv[1])
    _cap(int(request["memory_bytes"]), int(request["cpu_seconds"]))
    data = sys.stdin.buffer.read()
    from onboarding.ingest.errors import IngestError

    try:
        reply = read(data, request)
    except IngestError as exc:
        reply = {"code": exc.code, "message": exc.message}
    except MemoryError:
        reply = {"code": "memory", "message": ""}
    out = json.dumps(reply, ensure_ascii=True, separators=(",", ":"))
    sys.stdout.write(out)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
