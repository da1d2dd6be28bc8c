"""Reading XLSX, XLSM and ODS through calamine."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from onboarding.ingest import SheetNotFoundError, read_table
from onboarding.ingest.workbook import cell_text

Corpus = Callable[[str], bytes]


def test_xlsx_header_below_title_row(corpus: Corpus) -> None:
    """The header on row 3 is found and data rows keep their sheet row numbers."""
    table = read_table(corpus("title_rows.xlsx"), "title_rows.xlsx")
    assert table.header_row_number == 3
    assert table.row_numbers == [4, 5, 7]


def test_xlsx_text_cells_keep_leading_zeros_and_na(corpus: Corpus) -> None:
    """'00123' stored as text and the literal 'NA' come back unchanged."""
    table = read_table(corpus("title_rows.xlsx"), "title_rows.xlsx")
    assert table.rows[0][0] == "00123"
    assert table.rows[2][1] == "NA"


def test_xlsx_typed_cells_render_as_displayed(corpus: Corpus) -> None:
    """Numbers lose '.0', dates lose a midnight time, booleans read TRUE/FALSE."""
    table = read_table(corpus("title_rows.xlsx"), "title_rows.xlsx")
    assert table.rows[0][4:] == ["2020-05-17", "1250000", "TRUE"]
    assert table.rows[1][0] == "124"
    assert table.rows[1][4:] == ["2021-03-01 14:30:00", "99.5", "FALSE"]


def test_workbook_lists_its_sheets(corpus: Corpus) -> None:
    """All sheet names are reported so the UI can offer a choice."""
    table = read_table(corpus("multi_sheet.xlsx"), "multi_sheet.xlsx")
    assert table.sheets == ["Lookup", "Active clients", "Prospects"]


def test_default_sheet_is_first_visible(corpus: Corpus) -> None:
    """A hidden first sheet is skipped by default."""
    assert read_table(corpus("multi_sheet.xlsx"), "m.xlsx").sheet == "Active clients"


def test_sheet_can_be_chosen(corpus: Corpus) -> None:
    """sheet= reads another sheet of the workbook."""
    table = read_table(corpus("multi_sheet.xlsx"), "m.xlsx", sheet="Prospects")
    assert (table.headers, table.rows) == (["Prospect #", "Organisation", "Mail"],
                                           [["P-1", "Future Corp", "future@example.net"]])  # fmt: skip


def test_unknown_sheet_names_the_available_ones(corpus: Corpus) -> None:
    """Asking for a missing sheet lists the real ones."""
    with pytest.raises(SheetNotFoundError, match="Active clients"):
        read_table(corpus("multi_sheet.xlsx"), "m.xlsx", sheet="Nope")


def test_xlsm_reads_like_xlsx(corpus: Corpus) -> None:
    """A macro-enabled workbook is read; the macros are ignored."""
    table = read_table(corpus("macro.xlsm"), "macro.xlsm")
    assert (table.format, len(table.rows)) == ("xlsm", 3)


def test_ods_reads_with_title_row_and_typed_cells(corpus: Corpus) -> None:
    """ODS: header found on row 3, text kept, numbers and dates rendered."""
    table = read_table(corpus("clients.ods"), "clients.ods")
    assert (table.format, table.header_row_number, table.sheets) == ("ods", 3, ["Clients", "Other"])
    assert table.rows[0][0] == "00123"
    assert table.rows[-1][0] == "127"
    assert table.rows[-1][4:] == ["1.5", "2024-02-29"]


def test_ods_trailing_repeated_empty_rows_are_ignored(corpus: Corpus) -> None:
    """LibreOffice's million repeated empty rows do not count as data."""
    assert len(read_table(corpus("clients.ods"), "clients.ods").rows) == 4


def test_workbook_content_wins_over_a_csv_name(corpus: Corpus) -> None:
    """An xlsx saved with a .csv name is still read as a workbook."""
    assert read_table(corpus("xlsx_named.csv"), "xlsx_named.csv").format == "xlsx"


@pytest.mark.parametrize(
    ("value", "text"), [(None, ""), (1.0, "1"), (0.1, "0.1"), (True, "TRUE"), (1e20, "1e+20")]
)
def test_cell_text(value: object, text: str) -> None:
    """calamine values render as the text a user expects."""
    assert cell_text(value) == text
