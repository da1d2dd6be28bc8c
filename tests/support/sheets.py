"""Spreadsheets built for tests that need what a CSV cannot hold (rows hidden in a sheet)."""

from __future__ import annotations

import io


def filtered_workbook() -> bytes:
    """An XLSX of three clients H-0…H-2 whose second (sheet row 3, H-1) is hidden, as a filter
    leaves it."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Client ID", "Company", "E-mail", "Account manager"])
    for i in range(3):
        ws.append([f"H-{i}", f"Hidden Test {i} GmbH", f"h{i}@example.com", "anna.manager@sandbox.example"])
    ws.row_dimensions[3].hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
