"""The small parts of an XLSX package the fast reader needs: sheets, their parts, number formats.

:mod:`onboarding.ingest.xlsx_fast` reads a sheet without starting the parsing child, and must read
it exactly as calamine would (:mod:`onboarding.ingest.sheet_child`). These parts are small, so
they are parsed with expat, which is stricter than calamine's XML reader: whatever expat accepts,
calamine opens. Anything calamine could read differently, or refuse, raises :class:`Unsupported`
and the workbook goes to the child as before. A document type declaration (where entity
expansion and external entities live) is never processed here: expat stops at it, and so does
the fast reader.

The rules mirror calamine 0.37's ``Xlsx::new`` (``read_package_relationships``,
``read_styles``, ``read_relationships``, ``read_workbook``) and ``formats::builtin_format_by_id``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from xml.parsers import expat

from onboarding.ingest.xlsx_dates import NumberFormat, custom_format_kind

__all__ = ["Package", "SheetEntry", "Unsupported", "member", "package", "parse_xml"]

_BUILTIN_DATES = frozenset(str(n) for n in (*range(14, 23), 45, 47))
"""calamine's date formats among the built-in ``numFmtId`` values (compared as text); 46 is a duration."""
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_STATES = {"visible": True, "hidden": False, "veryHidden": False}


class Unsupported(Exception):
    """The fast reader cannot promise calamine's result for this workbook: use the child."""


@dataclass(frozen=True)
class SheetEntry:
    """One ``<sheet>`` of workbook.xml, as calamine lists it."""

    name: str
    path: str
    visible: bool
    worksheet: bool


@dataclass(frozen=True)
class Package:
    """What the fast reader needs from the package before it reads a sheet."""

    sheets: list[SheetEntry]
    formats: list[NumberFormat]
    """One entry per ``<xf>`` of ``<cellXfs>``: how calamine turns a number with that style."""
    is_1904: bool
    """``<workbookPr date1904>``: serial dates count from 1904."""


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _refuse_doctype(*_: object) -> None:
    raise Unsupported("document type declaration")


def parse_xml(
    data: bytes,
    on_start: Callable[[str, dict[str, str]], None],
    on_end: Callable[[str], None] | None = None,
    *,
    final: bool = True,
) -> None:
    """Run expat over a whole part, calling ``on_start(name, attributes)`` (and ``on_end(name)``).

    ``final=False`` checks a head of a part (everything up to some start tag). Any problem is
    :class:`Unsupported`.

    Only UTF-8 parts are read (calamine decodes others through their declaration); a DOCTYPE
    stops the parse before any declaration in it is looked at.
    """
    declared = _ENCODING.match(data[:200])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Unsupported("encoding")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unsupported("utf-16")
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = on_start
    if on_end is not None:
        parser.EndElementHandler = on_end
    try:
        parser.Parse(data, final)
    except expat.ExpatError as exc:
        raise Unsupported(f"xml: {exc}") from None


def member(zf: zipfile.ZipFile, path: str) -> bytes | None:
    """A part by its exact name; :class:`Unsupported` where calamine's case-insensitive lookup could pick another."""
    names = zf.namelist()
    lowered = [n.lower() for n in names]
    if len(set(lowered)) != len(lowered) or any("\\" in n for n in names):
        raise Unsupported("ambiguous part names")
    if path in names:
        return zf.read(path)
    if path.lower() in lowered:
        raise Unsupported("part name differs in case")
    return None


def _relationships(data: bytes) -> dict[str, tuple[str, str]]:
    rels: dict[str, tuple[str, str]] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and "Id" in attrs:
            if any("&" in v for v in attrs.values()):
                raise Unsupported("escaped relationship")
            rels[attrs["Id"]] = (attrs.get("Target", ""), attrs.get("Type", ""))

    parse_xml(data, start)
    return rels


def _document_folder(zf: zipfile.ZipFile) -> None:
    """calamine finds the workbook through ``_rels/.rels``; the fast reader only knows ``xl/``."""
    data = member(zf, "_rels/.rels")
    if data is None:
        raise Unsupported("no package relationships")
    targets = [
        t for t, kind in _relationships(data).values() if kind.endswith("/relationships/officeDocument")
    ]
    if targets and targets[-1].lstrip("/") != "xl/workbook.xml":
        raise Unsupported("workbook outside xl/")


def _formats(zf: zipfile.ZipFile) -> list[NumberFormat]:
    data = member(zf, "xl/styles.xml")
    if data is None:
        return []
    custom: dict[str, str] = {}
    formats: list[NumberFormat] = []
    inside: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if inside == ["numFmts"]:
            if local == "numFmt" and "numFmtId" in attrs and "formatCode" in attrs:
                custom[attrs["numFmtId"]] = attrs["formatCode"]
        elif inside == ["cellXfs"]:
            if local == "xf":
                fmt = attrs.get("numFmtId")
                formats.append(
                    "number" if fmt is None else custom_format_kind(custom[fmt]) if fmt in custom else
                    "date" if fmt in _BUILTIN_DATES else "duration" if fmt == "46" else "number"
                )  # fmt: skip
        elif local in ("numFmts", "cellXfs"):
            inside.append(local)

    def end(name: str) -> None:
        if inside and _local(name) == inside[-1]:
            inside.pop()

    parse_xml(data, start, end)
    return formats


def _sheets(zf: zipfile.ZipFile) -> tuple[list[SheetEntry], bool]:
    rels_data, workbook = member(zf, "xl/_rels/workbook.xml.rels"), member(zf, "xl/workbook.xml")
    if rels_data is None or workbook is None:
        raise Unsupported("no workbook")
    rels = _relationships(rels_data)
    sheets: list[SheetEntry] = []
    is_1904 = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "workbookPr":
            is_1904[0] = attrs.get("date1904") in ("1", "true")
        if _local(name) != "sheet":
            return
        sheet_name = attrs.get("name", "")
        if "&" in sheet_name or any(ch in sheet_name for ch in "\t\r\n"):
            raise Unsupported("sheet name needs unescaping")
        state = attrs.get("state", "visible")
        rid = ([v for k, v in attrs.items() if k == "id" or k.endswith(":id")] or [""])[-1]
        if state not in _STATES or rid not in rels:
            raise Unsupported("sheet state or relationship")
        target, kind = rels[rid]
        if ".." in target or not target:
            raise Unsupported("sheet target")
        path = target[1:] if target.startswith("/") else f"xl/{target}"
        typ = kind.rpartition("/")[2]
        if typ not in ("worksheet", "chartsheet", "dialogsheet"):
            raise Unsupported("sheet type")
        sheets.append(SheetEntry(sheet_name, path, _STATES[state], typ == "worksheet"))

    parse_xml(workbook, start)
    return sheets, is_1904[0]


def package(zf: zipfile.ZipFile) -> Package:
    """The sheets and number formats of an XLSX package, read as calamine reads them."""
    _document_folder(zf)
    formats = _formats(zf)
    sheets, is_1904 = _sheets(zf)
    return Package(sheets=sheets, formats=formats, is_1904=is_1904)
