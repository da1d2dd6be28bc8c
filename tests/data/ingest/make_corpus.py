"""Regenerate the awkward-file corpus used by tests/ingest (output is byte-for-byte deterministic).

Run: ``.venv/bin/python tests/data/ingest/make_corpus.py``. The generated files are committed so
the tests never depend on this script; keep it to rebuild or extend the corpus.
Every e-mail uses reserved example domains.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import struct
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
FIXED_TIME = (2026, 1, 1, 0, 0, 0)

HEADER = ["Client ID", "Company", "E-mail address", "Account manager", "Industry", "Country"]
ROWS = [
    ["00123", "Müller & Söhne GmbH", "info@mueller.example", "anna.manager@sandbox.example", "Manufacturing", "DE"],
    ["00124", "Café Lumière SARL", "contact@lumiere.example", "ben.manager@sandbox.example", "Hospitality", "FR"],
    ["C-125", "Nordic Timber AB", "office@nordic-timber.example", "", "Forestry", "SE"],
]  # fmt: skip


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def csv_text(rows: list[list[str]], sep: str = ",", eol: str = "\r\n") -> str:
    def cell(value: str) -> str:
        if any(ch in value for ch in (sep, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(sep.join(cell(v) for v in row) + eol for row in rows)


def normalized_zip(
    data: bytes, extra: dict[str, bytes] | None = None, patch: dict[str, bytes] | None = None
) -> bytes:
    """Rewrite a ZIP with fixed timestamps (and fixed docProps dates) so output is reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = (patch or {}).get(info.filename, src.read(info))
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", body)
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
        for name, body in (extra or {}).items():
            dst.writestr(zipfile.ZipInfo(name, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def workbook_bytes(wb: openpyxl.Workbook) -> bytes:
    wb.properties.created = dt.datetime(2026, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return normalized_zip(buf.getvalue())


def text_cells(ws: object, rows: list[list[object]]) -> None:
    for row in rows:
        ws.append(row)  # type: ignore[attr-defined]


def make_csv_files() -> None:
    table = [HEADER, *ROWS]
    write("utf8.csv", csv_text(table).encode("utf-8"))
    write("utf8_bom.csv", csv_text(table).encode("utf-8-sig"))
    write("utf16_le_bom.txt", csv_text(table, "\t").encode("utf-16"))  # Excel "Unicode text"
    write("utf16_be_bom.csv", b"\xfe\xff" + csv_text(table, ";").encode("utf-16-be"))
    write("utf16_le_nobom.csv", csv_text(table).encode("utf-16-le"))
    write("cp1252_semicolon.csv", csv_text([*table, ["00126", "Déjà Vu – Café €", "deja@vu.example", "", "Food", "FR"]], ";").encode("cp1252"))  # fmt: skip
    # 0x8D is undefined in cp1252, so only the latin-1 fallback decodes this file.
    write("latin1.csv", csv_text([*table, ["00127", "Señor Niño \x8d", "nino@example.org", "", "", "ES"]]).encode("latin-1"))  # fmt: skip
    write("tab.tsv", csv_text(table, "\t").encode())
    write("pipe.csv", csv_text(table, "|").encode())
    write(
        "semicolon_commas.csv",
        csv_text([HEADER, ["1", "Acme, Inc.", "a@acme.example", "", "Retail, online", "US"],
                  ["2", "Smith, Jones & Co", "s@sj.example", "", "Law", "UK"]], ";").encode(),
    )  # fmt: skip
    write("sep_hint.csv", b"sep=;\r\n" + csv_text(table, ";").encode())
    write(
        "title_rows.csv",
        csv_text([["Client export"], ["Generated 2026-01-01 by CRM"], [], *table]).encode(),
    )
    write(
        "leading_zeros_na.csv",
        csv_text([["Client ID", "Name", "Email", "Notes", "Zip"],
                  ["00123", "NA", "na@example.com", "NA", "01234"],
                  ["0007", "N/A", "nz@example.com", "null", "00000"],
                  ["000", "None", "none@example.com", "", "0"]]).encode(),
    )  # fmt: skip
    write(
        "formulas.csv",
        csv_text([["Client ID", "Name", "Email", "Phone", "Notes"],
                  ["1", "=HYPERLINK(\"http://evil.example\",\"x\")", "f1@example.com", "+49 30 1234", "-5"],
                  ["2", "Plain Ltd", "f2@example.com", "+cmd|' /C calc'!A0", "@SUM(A1:A2)"],
                  ["3", "Minus Corp", "f3@example.com", "-2+3", "=1+1"]]).encode(),
    )  # fmt: skip
    write("empty.csv", b"")
    write("whitespace_only.csv", b"  \r\n\r\n \t \r\n")
    write("header_only.csv", csv_text([HEADER]).encode())
    write("header_then_blank.csv", csv_text([HEADER, [], ["", "", ""]]).encode())
    rng = random.Random(7)
    write("binary.csv", bytes(rng.randrange(256) for _ in range(4096)))
    write("pdf_renamed.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    write(
        "duplicates.csv",
        csv_text([HEADER, ROWS[0], ROWS[1],
                  ["00123", "Müller Copy", "other@mueller.example", "", "", "DE"],
                  ["c-125", "Lowercase duplicate", "x@nordic.example", "", "", "SE"],
                  ["00200", "Same Mail Inc", "info@mueller.example", "", "", "DE"], ROWS[2]]).encode(),
    )  # fmt: skip
    write(
        "invalid_emails.csv",
        csv_text([["Client ID", "Company", "Email", "Manager email"],
                  ["1", "No At", "no-at.example.com", ""],
                  ["2", "Double At", "a@@b.example", ""],
                  ["3", "No TLD", "user@localhost", ""],
                  ["4", "Spaces", "first last@example.com", ""],
                  ["5", "Good", "  good@example.com  ", "bad-manager"],
                  ["6", "Empty", "", ""]]).encode(),
    )  # fmt: skip
    write(
        "long_titles.csv",
        csv_text([["Client ID", "Company", "Email"],
                  ["1", "L" * 200, "l1@example.com"],
                  ["2", "Name: with * and / chars", "l2@example.com"],
                  ["3", "X" * 500, "l3@example.com"],
                  ["4", "Short", "l4@example.com"]]).encode(),
    )  # fmt: skip
    write(
        "emoji_rtl.csv",
        csv_text([["Client ID", "Company", "Email"],
                  ["1", "شركة الأمل", "amal@example.com"],
                  ["2", "חברת אור בע״מ", "or@example.com"],
                  ["3", "Rocket 🚀 Labs", "rocket@example.com"],
                  ["4", "\u202eevil\u202c Corp", "bidi@example.com"]]).encode(),
    )  # fmt: skip
    write(
        "html.csv",
        csv_text([["Client ID", "Company", "Email", "Notes"],
                  ["1", "<script>alert(1)</script>", "h1@example.com", "<b>bold</b>"],
                  ["2", "Tom & Jerry's <Ltd>", "h2@example.com", "<img src=x onerror=alert(1)>"]]).encode(),
    )  # fmt: skip
    write(
        "no_id_column.csv",
        csv_text([["Company", "Email", "Country"],
                  ["Acme", "acme@example.com", "US"],
                  ["Beta", "BETA@example.com", "UK"],
                  ["Beta again", "beta@example.com", "UK"]]).encode(),
    )  # fmt: skip
    write(
        "ragged.csv",
        csv_text([HEADER, ["1", "Short Row", "s@example.com"],
                  ["2", "Long Row", "l@example.com", "", "", "", "surplus"]]).encode(),
    )  # fmt: skip
    write(
        "multiline.csv",
        csv_text([["Client ID", "Company", "Email", "Address"],
                  ["1", "Two Lines", "m1@example.com", "Main St 1\nSpringfield"],
                  ["2", "Next", "bad-email", ""]]).encode(),
    )  # fmt: skip
    write(
        "duplicate_headers.csv",
        csv_text([["Client ID", "Company", "Email", "Email", ""], ["1", "Twin", "a@example.com", "b@example.com", "x"]]).encode(),
    )  # fmt: skip
    write(
        "mixed_line_endings.csv",
        b"Client ID,Company,Email\r\n1,CRLF,c1@example.com\n2,LF,c2@example.com\r3,CR,c3@example.com\r\n",
    )


def make_workbooks() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    ws.append(["Client list (exported from CRM)"])
    ws.append([])
    ws.append(["Client ID", "Company", "E-mail address", "Account manager", "Since", "Revenue", "Active"])
    ws.append(["00123", "Müller & Söhne GmbH", "info@mueller.example", "anna.manager@sandbox.example",
               dt.date(2020, 5, 17), 1250000, True])  # fmt: skip
    ws.append(
        [124, "Café Lumière", "contact@lumiere.example", "NA", dt.datetime(2021, 3, 1, 14, 30), 99.5, False]
    )
    ws.append([])
    ws.append(["C-126", "NA", "na@example.com", "", None, None, None])
    for row in ws.iter_rows(min_row=4, max_row=7, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    notes = wb.create_sheet("Notes")
    notes.append(["This sheet is not a client list"])
    write("title_rows.xlsx", workbook_bytes(wb))

    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "Lookup"
    hidden.append(["Code", "Meaning"])
    hidden.sheet_state = "hidden"
    first = wb.create_sheet("Active clients")
    text_cells(first, [HEADER, *ROWS])
    second = wb.create_sheet("Prospects")
    text_cells(second, [["Prospect #", "Organisation", "Mail"], ["P-1", "Future Corp", "future@example.net"]])
    write("multi_sheet.xlsx", workbook_bytes(wb))

    wb = openpyxl.Workbook()
    text_cells(wb.active, [HEADER, *ROWS])
    plain = workbook_bytes(wb)
    write("plain.xlsx", plain)
    content_types = (
        zipfile.ZipFile(io.BytesIO(plain))
        .read("[Content_Types].xml")
        .replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    )
    write("macro.xlsm", normalized_zip(plain, extra={"xl/vbaProject.bin": b"\xcc" * 64},
                                       patch={"[Content_Types].xml": content_types}))  # fmt: skip

    wb = openpyxl.Workbook()
    text_cells(wb.active, [HEADER])
    write("header_only.xlsx", workbook_bytes(wb))

    wb = openpyxl.Workbook()
    write("empty.xlsx", workbook_bytes(wb))

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Client ID"
    ws["B1"] = "Company"
    ws["A2"] = "1"
    ws["B2"] = "Far Away"
    ws["XFD1048576"] = "corner"  # tiny file, but a 17-billion-cell grid if materialised
    write("sparse_grid.xlsx", workbook_bytes(wb))

    write("corrupt_truncated.xlsx", plain[: len(plain) // 2])
    write("text_named.xlsx", csv_text([HEADER, *ROWS]).encode())
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr(zipfile.ZipInfo("[Content_Types].xml", FIXED_TIME), "<Types/>")
        zf.writestr(zipfile.ZipInfo("word/document.xml", FIXED_TIME), "<w:document/>")
    write("word_renamed.xlsx", docx.getvalue())
    write("xlsx_named.csv", plain)


def make_bombs() -> None:
    """ZIP members that expand far beyond what any client list needs."""
    wb = openpyxl.Workbook()
    text_cells(wb.active, [HEADER, *ROWS])
    base = workbook_bytes(wb)
    # 300 MB of zeros: over max_uncompressed_bytes by declared size alone (file is ~300 KB).
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        src = zipfile.ZipFile(io.BytesIO(base))
        for info in src.infolist():
            zf.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), src.read(info), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("xl/media/padding.bin", FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    write("zip_bomb.xlsx", buf.getvalue())
    # 20 MB of zeros: under the total limit, caught by the compression-ratio check.
    write("zip_ratio.xlsx", normalized_zip(base, extra={"xl/media/pad.bin": bytes(20 * 1024 * 1024)}))


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_cell(value: object) -> str:
    if isinstance(value, bool):
        return f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}"/>'
    if isinstance(value, int | float):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    if isinstance(value, dt.date):
        return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'
    if value in (None, ""):
        return "<table:table-cell/>"
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def ods_bytes(tables: dict[str, str]) -> bytes:
    body = "".join(f'<table:table table:name="{n}">{rows}</table:table>' for n, rows in tables.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype", FIXED_TIME), "application/vnd.oasis.opendocument.spreadsheet")
        for name, text in (("META-INF/manifest.xml", manifest), ("content.xml", content)):
            zf.writestr(zipfile.ZipInfo(name, FIXED_TIME), text, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def ods_rows(rows: list[list[object]]) -> str:
    return "".join("<table:table-row>" + "".join(ods_cell(v) for v in r) + "</table:table-row>" for r in rows)


def make_ods() -> None:
    trailing = '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'  # fmt: skip
    clients = ods_rows([["Client export"], [], HEADER, *ROWS, [127, "Numbers Inc", "n@example.com", "", 1.5, dt.date(2024, 2, 29)]])  # fmt: skip
    write("clients.ods", ods_bytes({"Clients": clients + trailing, "Other": ods_rows([["x"]])}))
    bomb = ods_rows([HEADER]) + (
        '<table:table-row table:number-rows-repeated="1000000">'
        + ods_cell("1")
        + ods_cell("Copy")
        + "</table:table-row>"
    )
    write("ods_repeat_bomb.ods", ods_bytes({"Clients": bomb}))


def cfb(streams: list[str]) -> bytes:
    """A minimal OLE/CFB container (Excel's envelope for an encrypted workbook) naming ``streams``."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0] = sector 0 (the FAT)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)  # sector 0: FAT, sector 1: directory
    directory = bytearray()
    for i, name in enumerate(["Root Entry", *streams]):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), 5 if i == 0 else 2, 1)
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if i == 0 and streams else 0xFFFFFFFF)
        struct.pack_into("<II", entry, 116, 0xFFFFFFFE, 0)
        directory += entry
    directory += bytes(-len(directory) % 512)
    return bytes(header) + bytes(fat) + bytes(directory)


def make_ole() -> None:
    write("encrypted.xlsx", cfb(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"]))
    write("ole_not_encrypted.xlsx", cfb(["Workbook"]))
    write("legacy.xls", cfb(["Workbook"]))


def main() -> None:
    make_csv_files()
    make_workbooks()
    make_bombs()
    make_ods()
    make_ole()
    print(f"corpus: {len([p for p in HERE.iterdir() if p.suffix != '.py'])} files in {HERE}")


if __name__ == "__main__":
    main()
