"""Regenerate examples/clients.csv and examples/clients.xlsx (byte-for-byte deterministic).

Run: ``.venv/bin/python scripts/make_examples.py``. Fifteen fictional business clients on
reserved example domains; three rows carry deliberate problems for the demo:
an invalid e-mail (CL-1007), a duplicate client ID (CL-1004 twice) and a title with ``:``
(CL-1011, which the portal stores with ``_``). The workbook adds a title row above the header
and a second sheet, as CRM exports often do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parent.parent
FIXED_TIME = (2026, 1, 1, 0, 0, 0)

HEADER = ["Client ID", "Company", "E-mail address", "Account manager", "Industry", "Country", "Phone"]
ANNA, BEN, CARL = "anna.manager@sandbox.example", "ben.manager@sandbox.example", "carl.user@sandbox.example"
CLIENTS = [
    ["CL-1001", "Acme Corporation", "contact@acme.example.com", ANNA, "Manufacturing", "US", "+1 555 0100"],
    ["CL-1002", "Globex Logistics", "ops@globex.example.net", BEN, "Logistics", "US", "+1 555 0101"],
    ["CL-1003", "Initech Software", "it@initech.example.org", ANNA, "Software", "CA", "+1 555 0102"],
    ["CL-1004", "Umbrella Health Partners", "admin@umbrella.example.com", "", "Healthcare", "UK", "+44 20 7946 0000"],
    ["CL-1005", "Stark Renewables", "energy@stark.example.net", BEN, "Energy", "US", "+1 555 0104"],
    ["CL-1006", "Wayne Property Group", "lease@wayne.example.org", CARL, "Real estate", "US", "+1 555 0105"],
    ["CL-1007", "Tyrell Biotech", "research.tyrell.example.com", ANNA, "Biotech", "JP", "+81 3 0000 0000"],
    ["CL-1008", "Müller & Söhne GmbH", "info@mueller.example", BEN, "Engineering", "DE", "+49 30 000000"],
    ["CL-1009", "Café Lumière SARL", "bonjour@lumiere.example", "", "Hospitality", "FR", "+33 1 00 00 00 00"],
    ["CL-1004", "Umbrella Health (duplicate)", "billing@umbrella.example.com", ANNA, "Healthcare", "UK", ""],
    ["CL-1011", "Soylent: Food Systems", "hello@soylent.example.net", BEN, "Food", "US", "+1 555 0110"],
    ["CL-1012", "Nordic Timber AB", "office@nordic-timber.example", ANNA, "Forestry", "SE", "+46 8 000 000"],
    ["CL-1013", "Oscorp Materials", "lab@oscorp.example.org", "", "Chemicals", "US", "+1 555 0112"],
    ["CL-1014", "Hooli Cloud Services", "team@hooli.example.com", CARL, "Software", "US", "+1 555 0113"],
    ["CL-1015", "Duff Beverages", "orders@duff.example.net", BEN, "Beverages", "US", "+1 555 0114"],
]  # fmt: skip


def write_csv(path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(CLIENTS)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def deterministic(data: bytes) -> bytes:
    """openpyxl stamps the current time into docProps and the ZIP; fix both."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", body)
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.properties.created = dt.datetime(2026, 1, 1)
    ws = wb.active
    ws.title = "Clients"
    ws.append(["Client list exported from CRM on 2026-01-01"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(HEADER)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in CLIENTS:
        ws.append(row)
    for column, width in zip("ABCDEFG", (10, 30, 32, 32, 16, 9, 18), strict=True):
        ws.column_dimensions[column].width = width
    notes = wb.create_sheet("Archived clients")
    notes.append(["Client ID", "Company", "E-mail address", "Archived on"])
    notes.append(["CL-0901", "Vandelay Industries", "art@vandelay.example.com", "2025-06-30"])
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(deterministic(buf.getvalue()))


def main() -> None:
    (ROOT / "examples").mkdir(exist_ok=True)
    write_csv(ROOT / "examples" / "clients.csv")
    write_xlsx(ROOT / "examples" / "clients.xlsx")
    print("wrote examples/clients.csv and examples/clients.xlsx")


if __name__ == "__main__":
    main()
