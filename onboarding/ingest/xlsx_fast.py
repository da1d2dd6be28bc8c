"""Read an ordinary XLSX sheet in this process, exactly as the parsing child would, or decline.

Why: the child (:mod:`onboarding.ingest.workbook`) costs a Python start, an extent scan, calamine,
and a JSON round trip: ~0.4 s of CPU for 10,000 rows, a quarter of ``plan``. Workbooks written by
Excel, LibreOffice and openpyxl hold a regular shape: every cell names its position, values are
shared strings, inline strings, numbers, booleans or formulas' cached values. For that shape,
one regex pass over the sheet's XML gives the same rows several times faster.

Exactness rules (calamine 0.37, ``xlsx/cells_reader.rs`` ``read_value``/``read_v`` and
``xlsx/mod.rs`` ``read_string_with_bufs``), each checked against the child by
``tests/ingest/test_ingest_xlsx_fast.py``: a cell holds a value (``<v>``, after a formula its
cached value) or an inline string; ``<t>`` text is trimmed of ASCII white space unless
``xml:space="preserve"``, rich-text runs are joined and phonetic runs dropped; numbers render
through the child's :func:`~onboarding.ingest.sheet_child.cell_text`, in a built-in date or
duration format (built-in or custom) as dates (:mod:`onboarding.ingest.xlsx_dates`); a cell holding an empty value does
not widen the grid. Anything else (errors, cells without a reference,
``_xHHHH_`` escapes, unknown entities, a DOCTYPE, namespace prefixes, a grid or part larger than
the budget, any limit the child would refuse) raises
:class:`~onboarding.ingest.xlsx_parts.Unsupported` inside and returns ``None``: the caller then
uses the child, with its caps and messages. Nothing here expands entities beyond XML's five
and character references, and every pattern is linear in the input.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from onboarding.ingest.errors import IngestError
from onboarding.ingest.extent import check_shared_strings, column_number, sheet_member
from onboarding.ingest.gc_pause import gc_paused
from onboarding.ingest.sheet_child import cell_text
from onboarding.ingest.xlsx_dates import serial_text
from onboarding.ingest.xlsx_parts import Package, Unsupported, member, package, parse_xml
from onboarding.ingest.xlsx_strings import WHITE, decode_part, shared_strings, string_item, t_value, text

if TYPE_CHECKING:
    from onboarding.ingest.archive import WorkbookArchive

__all__ = ["fast_read"]

Grid = list[list[str]]
MAX_CELLS = 1_000_000
"""Largest grid (rows x columns from A1) read here; larger ones go to the memory-capped child."""
MAX_PART_BYTES = 24 * 1024 * 1024
"""Largest sheet plus shared-string XML read here, for the same reason."""
MAX_VALUE_CELLS = 400_000
"""Most cells with content read here: each costs ~8 list slots and a few strings while splitting."""
_DEFAULT_PARSE_MEMORY = 400 * 1024 * 1024
_LONGEST_SERIAL = 90_000_000.0
"""Days either way: chrono's dates end near 96 million days out, Python's timedelta at 999,999,999."""

_REF = r'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"'
_ATTRS = r'(?:\s+[A-Za-z_][\w.:-]*="[^"<&]*")*+\s*+'
_FORMULA = r"(?:<f\b[^<>]*/>|<f\b[^<>]*>[^<]*</f>)?"
_CELL = re.compile(
    _REF + r"([^<>/]*)>(?:" + _FORMULA + r"<v>([^<]*)</v>|<is><t>([^<]*)</t></is>"
    r'|<is><t xml:space="preserve">([^<]*)</t></is>|<is>((?:[^<]|<(?!/?is[\s/>]|/?c[\s/>]))*)</is>)</c>'
)
"""A cell with a value: ``<v>`` (after a formula, its cached value) or an inline string."""
_STRIDE = 8
""":data:`_CELL` has 7 groups, so its ``split`` gives text and 7 groups per cell."""
_BETWEEN = re.compile(
    r'(?:[ \t\r\n]|<row\b[^<>]*>|</row>|<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"' + _ATTRS + r"/>)*+"
)
"""All that may lie between cells: white space, row tags, cells with no content."""
_ROW_TAG = re.compile(r"<row\b([^<>]*)>")
_ROW_NUMBER = re.compile(r' r="[1-9][0-9]*"')
_ATTR = re.compile(r'\s+([A-Za-z_][\w.:-]*)="([^"<&]*)"')
_ATTRS_FULL = re.compile(_ATTRS)
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INDEX = re.compile(r"0|[1-9][0-9]{0,17}")
_INDEXES = re.compile(r"(?:0|[1-9][0-9]{0,17})(?:\0(?:0|[1-9][0-9]{0,17}))*+")
"""An index calamine and Python read alike (no sign, no leading zero, no overflow of 64 bits)."""
_DIMENSION_REF = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})(?::([A-Za-z]{1,3})([1-9][0-9]{0,6}))?")


def _attributes(attrs: str) -> dict[str, str]:
    """A tag's attributes; malformed or repeated ones are Unsupported (calamine may read them otherwise)."""
    if not _ATTRS_FULL.fullmatch(attrs):
        raise Unsupported("attributes")
    pairs = _ATTR.findall(attrs)
    found = dict(pairs)
    if len(found) != len(pairs):
        raise Unsupported("repeated attribute")
    return found


class _Cells:
    """Turns one cell's XML into the child's text, with the workbook's strings and formats at hand."""

    def __init__(self, strings: list[str], formats: Sequence[str], is_1904: bool) -> None:
        self.strings, self.formats, self.is_1904 = strings, formats, is_1904
        self.known: dict[str, tuple[str | None, str | None]] = {}

    def style_and_type(self, attrs: str) -> tuple[str | None, str | None]:
        known = self.known.get(attrs)
        if known is None:
            found = _attributes(attrs)
            known = self.known[attrs] = (found.get("s"), found.get("t"))
        return known

    def number(self, raw: str, style: str | None) -> str:
        if not _NUMBER.fullmatch(raw):
            raise Unsupported("number")
        if style is not None:
            if not _INDEX.fullmatch(style):
                raise Unsupported("style index")
            index = int(style)
            kind = self.formats[index] if index < len(self.formats) else "number"
            if kind != "number":
                return self.serial(float(raw), kind)
        return cell_text(float(raw))

    def serial(self, value: float, kind: str) -> str:
        """A number in a date or duration format."""
        if not math.isfinite(value) or abs(value) >= _LONGEST_SERIAL:
            raise Unsupported("a serial out of range")
        return serial_text(value, kind == "duration", self.is_1904)

    def v(self, raw: str, style: str | None, typ: str | None) -> str | None:
        """A ``<v>``; ``None`` is calamine's empty value (it does not widen the grid)."""
        if typ == "str":
            return text(raw)
        if typ in ("inlineStr", "is"):
            return None
        if "&" in raw:
            raise Unsupported("entity in a value")
        if not raw:
            if typ in (None, "n", "s", "b", "e"):
                return None
            raise Unsupported("cell type")
        if typ is None or typ == "n":
            return self.number(raw, style)
        if typ == "s":
            if not _INDEX.fullmatch(raw) or int(raw) >= len(self.strings):
                raise Unsupported("shared string index")
            return self.strings[int(raw)]
        if typ == "b":
            return "FALSE" if raw == "0" else "TRUE"
        raise Unsupported("cell type")

    def value(
        self, attrs: str, raw: str | None, inline: str | None, kept: str | None, rich: str | None
    ) -> str | None:
        """One cell of :data:`_CELL`."""
        if raw is not None:
            style, typ = self.known.get(attrs) or self.style_and_type(attrs)
            if typ == "s" and _INDEX.fullmatch(raw) and int(raw) < len(self.strings):
                return self.strings[int(raw)]
            return self.v(raw, style, typ)
        if inline is not None:
            return t_value(inline)
        if kept is not None:
            return t_value(kept, True)
        return string_item(rich or "")


def _check_rows(tags: list[str]) -> None:
    """calamine parses each row's ``r`` (for cells without one) and fails on one it cannot read."""
    shapes = set(_ROW_NUMBER.sub(' r="1"', "\0".join(tags)).split("\0")) if tags else set()
    for attrs in shapes:
        if _attributes(attrs.removesuffix("/")).get("r", "1") != "1":
            raise Unsupported("row number")


def _place(rows: list[int], cols: list[int], values: list[str | None], limits: tuple[int, int]) -> Grid:
    """The grid from A1 to the last non-empty cell; a later cell at the same place wins, as in calamine."""
    if not rows:
        return []
    if max(rows) > limits[0] or max(cols) > limits[1]:
        raise Unsupported("over the limits: the child refuses it with its message")
    if None in values:
        kept = [i for i, v in enumerate(values) if v is not None]
        rows, cols, values = [rows[i] for i in kept], [cols[i] for i in kept], [values[i] for i in kept]
        if not rows:
            return []
    height, width = max(rows), max(cols)
    if height * width > MAX_CELLS:
        raise Unsupported("grid larger than the in-process budget")
    flat = [""] * (height * width)
    index = [(r - 1) * width + c - 1 for r, c in zip(rows, cols, strict=True)]
    put: Callable[[int, str], None] = flat.__setitem__
    deque(map(put, index, cast("list[str]", values)), maxlen=0)  # no None left: filtered above
    return [flat[i : i + width] for i in range(0, height * width, width)]


def _grid(xml: str, cells: _Cells, limits: tuple[int, int]) -> Grid:
    """The sheet's cells, worked on a column at a time (``split`` and ``map`` run in C)."""
    if xml.count("<c ") > MAX_VALUE_CELLS:
        raise Unsupported("more cells than the in-process budget")
    parts = _CELL.split(xml)
    between = "\n".join(parts[0::_STRIDE])
    if not _BETWEEN.fullmatch(between):
        raise Unsupported("some cell or tag the fast reader does not know")
    _check_rows(_ROW_TAG.findall(between))
    letters, digits, attrs, raw, inline, kept, rich = (parts[i::_STRIDE] for i in range(1, _STRIDE))
    values = _values(xml, cells, attrs, raw, inline, kept, rich)
    columns = {name: column_number(name) for name in set(letters)}
    return _place(list(map(int, digits)), list(map(columns.__getitem__, letters)), values, limits)


def _values(
    xml: str,
    cells: _Cells,
    attrs: list[str],
    raw: list[str | None],
    inline: list[str | None],
    kept: list[str | None],
    rich: list[str | None],
) -> list[str | None]:
    """Each cell's text: the common kinds (shared strings, plain inline text) in one comprehension."""
    value, strings = cells.value, cells.strings
    shared = {a for a in set(attrs) if cells.style_and_type(a)[1] == "s"}
    indexes = [v for a, v in zip(attrs, raw, strict=True) if v is not None and a in shared]
    if indexes and not (_INDEXES.fullmatch("\0".join(indexes)) and max(map(int, indexes)) < len(strings)):
        shared = set()  # one at a time: the bad index is declined there
    plain = not ("&" in xml or "\r" in xml or "_x" in xml)  # an inline <t> is then its text, trimmed
    return [
        strings[int(v)] if v is not None and a in shared
        else t.strip(WHITE) if plain and t is not None
        else value(a, v, t, k, r)
        for a, v, t, k, r in zip(attrs, raw, inline, kept, rich, strict=True)
    ]  # fmt: skip


def _sheet_data(xml: str) -> str:
    """The content of ``<sheetData>``, after checking what calamine parses before it."""
    start, empty = xml.find("<sheetData>"), xml.find("<sheetData/>")
    if ":sheetData" in xml:
        raise Unsupported("sheet layout")
    if start < 0 or 0 <= empty < start:
        if empty < 0:
            raise Unsupported("no sheetData")
        head, body = empty + len("<sheetData/>"), ""
    else:
        end = xml.find("</sheetData>", start)
        if end < 0:
            raise Unsupported("sheetData not closed")
        head, body = start + len("<sheetData>"), xml[start + len("<sheetData>") : end]
    _check_head(xml[:head])
    return body


def _check_head(head: str) -> None:
    """The XML before ``<sheetData>`` must be well formed; its ``<dimension>`` one calamine parses."""
    refs: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] == "dimension":
            refs.append(attrs.get("ref", "\0"))

    parse_xml(head.encode("utf-8"), start, final=False)
    for ref in refs:
        m = _DIMENSION_REF.fullmatch(ref)
        if m is None:
            raise Unsupported("dimension")
        if m.group(3) and (
            int(m.group(4)) < int(m.group(2)) or column_number(m.group(3)) < column_number(m.group(1))
        ):
            raise Unsupported("reversed dimension")


def _choose(pkg: Package, sheet: str | None) -> tuple[int, str]:
    names = [s.name for s in pkg.sheets]
    if sheet is not None:
        if sheet not in names:
            raise Unsupported("no such sheet: the child says so")
        return names.index(sheet), sheet
    visible = [s.name for s in pkg.sheets if s.visible and s.worksheet]
    chosen = visible[0] if visible else names[0] if names else None
    if chosen is None:
        raise Unsupported("no sheets")
    return names.index(chosen), chosen


def _read(archive: WorkbookArchive, sheet: str | None) -> tuple[Grid, str, list[str]]:
    zf, limits = archive.zf, archive.limits
    if archive.kind == "ods" or limits.parse_memory_bytes < _DEFAULT_PARSE_MEMORY:
        raise Unsupported("not an XLSX, or a tighter memory cap than the default")
    names = zf.namelist()
    if any(n.endswith(".bin") and n != "xl/vbaProject.bin" for n in names):
        raise Unsupported("binary parts")
    try:
        check_shared_strings(zf, archive.filename)
    except IngestError:
        raise Unsupported("the child refuses the shared strings") from None
    pkg = package(zf)
    index, name = _choose(pkg, sheet)
    entry = pkg.sheets[index]
    if not entry.worksheet or sheet_member(zf, name) != entry.path:
        raise Unsupported("not a worksheet, or the extent check would look elsewhere")
    sizes = {i.filename: i.file_size for i in zf.infolist()}
    if entry.path not in sizes or sizes[entry.path] + sizes.get("xl/sharedStrings.xml", 0) > MAX_PART_BYTES:
        raise Unsupported("missing or large parts")
    data = member(zf, entry.path)
    if data is None:
        raise Unsupported("missing sheet")
    body = _sheet_data(decode_part(data))
    cells = _Cells(shared_strings(zf), pkg.formats, pkg.is_1904)
    bounds = (limits.max_rows + limits.header_search_rows, limits.max_columns)
    return _grid(body, cells, bounds), name, [s.name for s in pkg.sheets]


def fast_read(archive: WorkbookArchive, sheet: str | None) -> tuple[Grid, str, list[str]] | None:
    """``(rows, sheet_name, all_sheet_names)`` as the child returns them, or ``None``: use the child."""
    try:
        with gc_paused():
            return _read(archive, sheet)
    except Exception:  # Unsupported, or anything unforeseen: the child reads it as it always has
        return None
