"""XLSX cells that read as empty though the sheet shows something: merged cells, formulas never calculated."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl

from onboarding.ingest import load_clients

HEADER = ["Client ID", "Company", "E-mail", "Account manager"]
MANAGER = "anna@example.com"


def _workbook(rows: list[list[object]], merge: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _edit_sheet(data: bytes, edit: re.Pattern[bytes], to: bytes) -> bytes:
    """The workbook with its first sheet's XML edited (what openpyxl cannot write, such as a saved result)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = edit.sub(to, part)
            zout.writestr(info, part)
    return out.getvalue()


def test_manager_merged_down_several_rows_is_said_on_each_row_it_does_not_reach() -> None:
    """A manager merged over D2:D4 warns on rows 3 and 4, naming the range and the value; no row is lost."""
    rows: list[list[object]] = [
        ["X-1", "Alpha", "a@example.com", MANAGER],
        ["X-2", "Beta", "b@example.com", None],
        ["X-3", "Gamma", "c@example.com", None],
    ]
    batch = load_clients(_workbook(rows, "D2:D4"), "clients.xlsx")
    assert [c.client_id for c in batch.clients] == ["X-1", "X-2", "X-3"]
    merged = [i for i in batch.issues if i.code == "merged_cell"]
    assert [(i.row_number, i.column, i.severity) for i in merged] == [
        (3, "Account manager", "warning"),
        (4, "Account manager", "warning"),
    ]
    assert "D2:D4" in merged[0].message and MANAGER in merged[0].message and "D3" in merged[0].message


def test_merged_empty_cells_and_single_row_merges_say_nothing() -> None:
    """Merging empty cells (formatting) or cells of one row is not reported."""
    rows: list[list[object]] = [
        ["X-1", "Alpha", "a@example.com", None],
        ["X-2", "Beta", "b@example.com", None],
    ]
    assert not load_clients(_workbook(rows, "D2:D3"), "clients.xlsx").issues
    across = load_clients(_workbook(rows, "B2:C2"), "clients.xlsx")  # C2 is emptied by the merge
    assert not [i for i in across.issues if i.code == "merged_cell"]


def test_formula_without_saved_result_is_named_where_the_cell_reads_empty() -> None:
    """A name made by a formula a program wrote and nothing calculated: the row's error comes with the formula and what to do."""
    rows: list[list[object]] = [["X-1", '=CONCAT("Al","pha")', "a@example.com", MANAGER]]
    batch = load_clients(_workbook(rows), "clients.xlsx")
    found = {i.code: i for i in batch.issues_for_row(2)}
    assert set(found) == {"required", "formula_without_value"}
    assert '=CONCAT("Al","pha")' in found["formula_without_value"].message
    assert "save it" in found["formula_without_value"].message


def test_formula_whose_saved_result_is_empty_text_says_nothing() -> None:
    """=IF(…,"",…) saved by Excel (t="str", empty value) is an empty cell on purpose: no warning."""
    rows: list[list[object]] = [["X-1", "Alpha", "a@example.com", MANAGER, '=IF(1,"","x")']]
    data = _edit_sheet(_workbook(rows), re.compile(rb'<c r="E2"><f>'), b'<c r="E2" t="str"><f>')
    batch = load_clients(data, "clients.xlsx")
    assert [c.client_id for c in batch.clients] == ["X-1"]
    assert not [i for i in batch.issues if i.code == "formula_without_value"]


def test_number_ids_formatted_with_leading_zeros_read_as_excel_shows_them() -> None:
    """123 in a cell formatted 00000 reads '00123' (as Excel shows it, and as the CRM's CSV has it); longer, decimal and text cells stay."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for value in (123, 1234567, 12.5, "00042"):
        ws.append([value, "Acme", "a@example.com", MANAGER])
        ws.cell(ws.max_row, 1).number_format = "00000"
    ws.append([7, "Plain", "p@example.com", MANAGER])  # no padding format: 7 stays 7
    buf = io.BytesIO()
    wb.save(buf)
    batch = load_clients(buf.getvalue(), "clients.xlsx")
    assert [c.client_id for c in batch.clients] == ["00123", "1234567", "12.5", "00042", "7"]


def test_a_padded_number_and_the_same_id_as_text_are_one_client() -> None:
    """00123 typed as a formatted number and '00123' as text are the same ID: the later row is refused as a repeat."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    ws.append([123, "Acme", "a@example.com", MANAGER])
    ws.cell(2, 1).number_format = "00000"
    ws.append(["00123", "Acme again", "b@example.com", MANAGER])
    buf = io.BytesIO()
    wb.save(buf)
    batch = load_clients(buf.getvalue(), "clients.xlsx")
    assert [c.client_id for c in batch.clients] == ["00123"]
    assert [i.code for i in batch.issues] == ["duplicate_key"]


def test_hidden_rows_are_read_and_said() -> None:
    """Rows hidden in Excel (a filter, Hide) are read, each with a warning that says it is left out
    unless ticked, and the batch names their clients as hidden (the doors leave them unselected)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for i in range(4):
        ws.append([f"X-{i}", f"Company {i}", f"a{i}@example.com", MANAGER])
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[5].hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    batch = load_clients(buf.getvalue(), "clients.xlsx")
    assert len(batch.clients) == 4
    hidden = [i for i in batch.issues if i.code == "hidden_row"]
    assert [(i.row_number, i.severity) for i in hidden] == [(3, "warning"), (5, "warning")]
    assert "Row 3 is hidden" in hidden[0].message and "left out" in hidden[0].message
    assert batch.hidden_ids == {"X-1", "X-3"}
    plain = load_clients(_workbook([["Y-1", "Company", "y@example.com", MANAGER]]), "clients.xlsx")
    assert plain.hidden_ids == frozenset()
