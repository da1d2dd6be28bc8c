"""Generate small hostile XLSX/ODS workbooks: each asks the parser for a huge grid or a huge table.

The tests build them on the fly (``build(tmp_path)``), so the corpus costs no repository space and
always matches this script. Each file is a few kilobytes; what it *describes* is large: a cell
reference at the far corner of the sheet written in every form the XML allows (quoted with ``'``,
lower-case, with ``$``, or missing so the position is implied), a ``<dimension>`` tag for the whole
sheet, a row number at the bottom with cells that carry no reference, shared-string and style
tables with absurd counts or indexes, and ODS repeat attributes.

Run ``.venv/bin/python tests/data/hostile_workbooks.py OUT_DIR`` to write them for manual tries.
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

FIXED_TIME = (2026, 1, 1, 0, 0, 0)
HEADER = ("Client ID", "Company", "E-mail address")
ROW = ("C-1", "Acme Ltd", "office@acme.example")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Clients" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_REL = (
    '<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    '{kind}" Target="{target}"/>'
)
_SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@dataclass(frozen=True)
class HostileCase:
    """One generated file and what reading it must end in."""

    name: str
    data: bytes
    readable: bool
    """True: the client row is read; False: refused with an IngestError."""
    expect: str = ""
    """A fragment the refusal message must contain (case-insensitive)."""


def _inline(ref: str, text: str) -> str:
    attr = f" {ref}" if ref else ""
    return f'<c{attr} t="inlineStr"><is><t>{text}</t></is></c>'


def _header_rows() -> str:
    cells = "".join(_inline(f'r="{col}1"', h) for col, h in zip("ABC", HEADER, strict=True))
    data = "".join(_inline(f'r="{col}2"', v) for col, v in zip("ABC", ROW, strict=True))
    return f'<row r="1">{cells}</row><row r="2">{data}</row>'


def xlsx(
    sheet_data: str,
    *,
    dimension: str = "",
    shared_strings: str | None = None,
    styles: str | None = None,
) -> bytes:
    """A minimal, valid XLSX whose one sheet holds ``sheet_data`` (the inside of ``<sheetData>``)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_SHEET_NS}>{dim}<sheetData>{sheet_data}</sheetData></worksheet>'
    rels = [_REL.format(id="rId1", kind="worksheet", target="worksheets/sheet1.xml")]
    parts = {"xl/worksheets/sheet1.xml": sheet}
    if shared_strings is not None:
        rels.append(_REL.format(id="rId2", kind="sharedStrings", target="sharedStrings.xml"))
        parts["xl/sharedStrings.xml"] = shared_strings
    if styles is not None:
        rels.append(_REL.format(id="rId3", kind="styles", target="styles.xml"))
        parts["xl/styles.xml"] = styles
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rels)
        + "</Relationships>"
    )
    members = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        **parts,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(zipfile.ZipInfo(name, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _far_cell(ref_attr: str) -> str:
    """The header and data rows, plus one value at the reference given as a raw attribute."""
    return _header_rows() + f"<row>{_inline(ref_attr, 'x')}</row>"


def _ods(body: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Clients">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        mime = zipfile.ZipInfo("mimetype", FIXED_TIME)
        zf.writestr(mime, "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr(zipfile.ZipInfo("content.xml", FIXED_TIME), content, zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo("META-INF/manifest.xml", FIXED_TIME), manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _ods_row(values: tuple[str, ...], attrs: str = "") -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        for v in values
    )
    return f"<table:table-row{attrs}>{cells}</table:table-row>"


def cases() -> list[HostileCase]:
    """Every hostile workbook, with the outcome the reader must produce."""
    rows_refused = "row"
    cols_refused = "column"
    out: list[HostileCase] = []
    for label, attr in (
        ("quoted", "r='XFD1048576'"),
        ("lower", 'r="xfd1048576"'),
        ("quoted_lower", "r='xfd1048576'"),
        ("dollar", 'r="$XFD$1048576"'),
        ("spaced", 'r = "XFD1048576"'),
        ("row_only", 'r="A1048576"'),
        ("col_only", 'r="XFD3"'),
    ):
        expect = cols_refused if label == "col_only" else rows_refused
        out.append(HostileCase(f"far_ref_{label}.xlsx", xlsx(_far_cell(attr)), False, expect))
    # A row at the bottom whose cells carry no reference: their positions are implied.
    no_ref_cells = "".join(_inline("", str(i)) for i in range(60))
    out.append(
        HostileCase(
            "row_1048576_cells_without_ref.xlsx",
            xlsx(_header_rows() + f'<row r="1048576">{no_ref_cells}</row>'),
            False,
            rows_refused,
        )
    )
    out.append(
        HostileCase(
            "row_quoted_lower_bottom.xlsx",
            xlsx(_header_rows() + f"<row r='1048576'>{_inline('', 'x')}</row>"),
            False,
            rows_refused,
        )
    )
    # Many cells without a reference in one row walk far to the right.
    wide = "".join("<c><v>1</v></c>" for _ in range(5_000))
    out.append(
        HostileCase(
            "implied_columns_5000.xlsx", xlsx(_header_rows() + f"<row>{wide}</row>"), False, cols_refused
        )
    )
    # Rows without a number follow each other: 130,000 fit in 10 KB (refused as a zip bomb first).
    many = "<row><c><v>1</v></c></row>" * 130_000
    out.append(HostileCase("implied_rows_130000.xlsx", xlsx(_header_rows() + many), False, "compressed"))
    # The dimension tag is not used to size the grid: a whole-sheet one reads; a malformed one is named.
    for label, ref in (("whole_sheet", "A1:XFD1048576"), ("lower", "a1:xfd1048576")):
        out.append(HostileCase(f"dimension_{label}.xlsx", xlsx(_header_rows(), dimension=ref), True))
    for label, ref in (("dollar", "$A$1:$XFD$1048576"), ("garbage", "ZZZZ:-1")):
        out.append(HostileCase(f"dimension_{label}.xlsx", xlsx(_header_rows(), dimension=ref), False, "size"))
    # Shared strings: an absurd declared count, and a cell pointing far past the table.
    sst = (
        f'<sst {_SHEET_NS} count="4294967295" uniqueCount="4294967295">'
        + "".join(f"<si><t>{v}</t></si>" for v in (*HEADER, *ROW))
        + "</sst>"
    )
    ss_rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c></row>'
    )
    out.append(
        HostileCase(
            "shared_strings_huge_count.xlsx", xlsx(ss_rows, shared_strings=sst), False, "shared strings"
        )
    )
    honest = sst.replace('count="4294967295" uniqueCount="4294967295"', 'count="6" uniqueCount="6"')
    bad_index = ss_rows + '<row r="3"><c r="A3" t="s"><v>4294967295</v></c></row>'
    out.append(
        HostileCase(
            "shared_string_index_out_of_range.xlsx",
            xlsx(bad_index, shared_strings=honest),
            False,
            "shared strings",
        )
    )
    styles = (
        f'<styleSheet {_SHEET_NS}><numFmts count="4294967295"/><cellXfs count="4294967295">'
        '<xf numFmtId="4294967295" applyNumberFormat="1"/></cellXfs></styleSheet>'
    )
    styled = _header_rows() + '<row r="3"><c r="A3" s="4294967295"><v>1</v></c></row>'
    out.append(HostileCase("styles_huge_indexes.xlsx", xlsx(styled, styles=styles), True))
    # ODS: a non-empty row repeated a million times, a cell repeated across every column.
    header = _ods_row(HEADER) + _ods_row(ROW)
    out.append(
        HostileCase(
            "ods_row_repeated.ods",
            _ods(header + _ods_row(("x",), ' table:number-rows-repeated="1048575"')),
            False,
            rows_refused,
        )
    )
    wide_cell = '<table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell>'
    out.append(
        HostileCase(
            "ods_cell_repeated.ods",
            _ods(header + f"<table:table-row>{wide_cell}</table:table-row>"),
            False,
            cols_refused,
        )
    )
    return out


def build(directory: Path) -> list[tuple[HostileCase, Path]]:
    """Write every case into ``directory``; returns each case with its path."""
    written = []
    for case in cases():
        path = directory / case.name
        path.write_bytes(case.data)
        written.append((case, path))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    target.mkdir(parents=True, exist_ok=True)
    for case, path in build(target):
        print(f"{path}  {len(case.data):,} bytes")
