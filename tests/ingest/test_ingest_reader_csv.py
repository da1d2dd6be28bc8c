"""Reading CSV: encodings, delimiters, header detection and exact text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from onboarding.ingest import read_table

Corpus = Callable[[str], bytes]
FIRST_ROW = ["00123", "Müller & Söhne GmbH", "info@mueller.example", "anna.manager@sandbox.example",
             "Manufacturing", "DE"]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("utf8.csv", "utf-8"),
        ("utf8_bom.csv", "utf-8-sig"),
        ("utf16_le_bom.txt", "utf-16"),
        ("utf16_be_bom.csv", "utf-16"),
        ("utf16_le_nobom.csv", "utf-16-le"),
        ("cp1252_semicolon.csv", "cp1252"),
        ("latin1.csv", "latin-1"),
    ],
)
def test_encoding_is_detected_and_text_is_exact(corpus: Corpus, name: str, encoding: str) -> None:
    """Each encoding is detected and accented text survives unchanged."""
    table = read_table(corpus(name), name)
    assert table.encoding == encoding
    assert table.rows[0] == FIRST_ROW


def test_bom_is_not_part_of_the_first_header(corpus: Corpus) -> None:
    """A UTF-8 BOM does not end up glued to 'Client ID'."""
    assert read_table(corpus("utf8_bom.csv"), "utf8_bom.csv").headers[0] == "Client ID"


def test_cp1252_specific_characters_decode(corpus: Corpus) -> None:
    """The euro sign and en dash (cp1252-only bytes) decode correctly."""
    table = read_table(corpus("cp1252_semicolon.csv"), "cp1252_semicolon.csv")
    assert table.rows[-1][1] == "Déjà Vu – Café €"


@pytest.mark.parametrize(
    ("name", "delimiter"),
    [("utf8.csv", ","), ("cp1252_semicolon.csv", ";"), ("tab.tsv", "\t"), ("pipe.csv", "|")],
)
def test_delimiter_is_detected(corpus: Corpus, name: str, delimiter: str) -> None:
    """Comma, semicolon, tab and pipe are each detected."""
    table = read_table(corpus(name), name)
    assert table.delimiter == delimiter
    assert len(table.headers) == 6


def test_commas_inside_semicolon_file_do_not_fool_detection(corpus: Corpus) -> None:
    """Unquoted commas in names do not make the comma win over the semicolon."""
    table = read_table(corpus("semicolon_commas.csv"), "semicolon_commas.csv")
    assert table.delimiter == ";"
    assert table.rows[0][1] == "Acme, Inc."


def test_excel_sep_hint_is_honoured_and_dropped(corpus: Corpus) -> None:
    """A leading 'sep=;' line sets the delimiter and is not counted as a row."""
    table = read_table(corpus("sep_hint.csv"), "sep_hint.csv")
    assert (table.delimiter, table.header_row_number, table.row_numbers[0]) == (";", 1, 2)


def test_explicit_delimiter_overrides_detection() -> None:
    """A caller-chosen delimiter is used as given."""
    data = b"Client ID;Company,Ltd\n1;Acme,Inc\n"
    assert read_table(data, "x.csv").delimiter == ","
    assert read_table(data, "x.csv", delimiter=";").headers == ["Client ID", "Company,Ltd"]


def test_header_found_below_title_rows(corpus: Corpus) -> None:
    """Title lines above the header are skipped and row numbers count them."""
    table = read_table(corpus("title_rows.csv"), "title_rows.csv")
    assert table.header_row_number == 4
    assert table.row_numbers == [5, 6, 7]


def test_explicit_header_row_overrides_detection() -> None:
    """header_row (1-based) picks the header row."""
    table = read_table(b"a,b\nClient ID,Company\n1,X\n", "x.csv", header_row=1)
    assert table.headers == ["a", "b"]


def test_leading_zeros_and_literal_na_survive(corpus: Corpus) -> None:
    """'00123', '0007', 'NA', 'N/A', 'null' and empty cells are read exactly."""
    table = read_table(corpus("leading_zeros_na.csv"), "leading_zeros_na.csv")
    assert table.rows[0] == ["00123", "NA", "na@example.com", "NA", "01234"]
    assert table.rows[1] == ["0007", "N/A", "nz@example.com", "null", "00000"]
    assert table.rows[2][3] == ""


def test_ragged_rows_are_padded_and_surplus_cells_kept(corpus: Corpus) -> None:
    """Short rows are padded with '' and a value past the header gets a 'Column G' header."""
    table = read_table(corpus("ragged.csv"), "ragged.csv")
    assert table.headers[-1] == "Column G"
    assert table.rows[0][-1] == ""
    assert table.rows[1][-1] == "surplus"


def test_quoted_newline_keeps_one_row_number_per_record(corpus: Corpus) -> None:
    """A cell spanning two lines is one row, as in Excel."""
    table = read_table(corpus("multiline.csv"), "multiline.csv")
    assert table.rows[0][3] == "Main St 1\nSpringfield"
    assert table.row_numbers == [2, 3]


def test_mixed_line_endings(corpus: Corpus) -> None:
    """CRLF, LF and bare CR line endings in one file all split rows."""
    assert len(read_table(corpus("mixed_line_endings.csv"), "m.csv").rows) == 3


def test_duplicate_and_blank_headers_get_unique_names(corpus: Corpus) -> None:
    """Repeated headers get ' (2)' and blank ones 'Column X'."""
    headers = read_table(corpus("duplicate_headers.csv"), "d.csv").headers
    assert headers == ["Client ID", "Company", "Email", "Email (2)", "Column E"]


def test_blank_rows_are_skipped_but_numbering_kept() -> None:
    """An empty line between clients does not shift later row numbers."""
    table = read_table(b"ID,Name\n1,A\n\n,\n2,B\n", "x.csv")
    assert table.row_numbers == [2, 5]


def test_unicode_line_separator_inside_a_cell_does_not_split_the_row() -> None:
    """U+2028 in a name is text, not a line break."""
    table = read_table("ID,Name\n1,A\u2028B\n".encode(), "x.csv")
    assert table.rows == [["1", "A\u2028B"]]


def test_html_and_rtl_are_kept_as_text(corpus: Corpus) -> None:
    """Markup and right-to-left text are carried as plain strings."""
    assert read_table(corpus("html.csv"), "h.csv").rows[0][1] == "<script>alert(1)</script>"
    assert read_table(corpus("emoji_rtl.csv"), "e.csv").rows[0][1] == "شركة الأمل"


def test_a_mostly_utf8_file_with_a_cp1252_line_keeps_both_right_and_says_so() -> None:
    """Line 3 typed in Windows-1252 in a UTF-8 file: each line is read in its own encoding
    (Müller stays Müller, Café is Café) and a file warning names line 3, with or without the BOM
    Excel's "CSV UTF-8" writes; a plain cp1252 file and a plain UTF-8 file get no such warning."""
    from onboarding.ingest import load_clients

    data = (
        b"Client ID,Company,E-mail\n"
        + "M-1,Müller GmbH,it@mueller.example\n".encode()
        + "M-2,Café Noir,hi@cafe.example\n".encode("cp1252")
    )
    batch = load_clients(data, "mixed.csv")
    assert [c.name for c in batch.clients] == ["Müller GmbH", "Café Noir"]
    (warning,) = [i for i in batch.file_issues if i.code == "mixed_encoding"]
    assert warning.severity == "warning" and warning.message.startswith("Line 3 of the file is not UTF-8")
    bom = load_clients(b"\xef\xbb\xbf" + data, "excel-csv-utf8.csv")  # Excel's "CSV UTF-8" adds a BOM
    assert [c.name for c in bom.clients] == ["Müller GmbH", "Café Noir"]
    assert [i.code for i in bom.file_issues if i.code == "mixed_encoding"] == ["mixed_encoding"]
    for whole in ("cp1252", "utf-8"):
        plain = load_clients(
            "Client ID,Company,E-mail\nM-2,Café Noir,a@b.example\n".encode(whole), "plain.csv"
        )
        assert plain.clients[0].name == "Café Noir"
        assert not [i for i in plain.file_issues if i.code == "mixed_encoding"]


def test_the_corrected_list_reads_back_as_it_was_uploaded() -> None:
    """The apostrophe our exports put before '=7', '@Work Ltd', '-Minus Co' is dropped on upload: same IDs and names again."""
    from onboarding.review import corrected_csv

    data = b"Client ID,Company,E-mail,Phone\n=7,@Work Ltd,a@example.com,+1 555 0100\nC-2,-Minus Co,b@example.com,\n"
    first = read_table(data, "clients.csv")
    again = read_table(corrected_csv(first, excel=True), "clients-corrected.csv")
    assert again.headers == first.headers
    assert (
        again.rows
        == first.rows
        == [
            ["=7", "@Work Ltd", "a@example.com", "+1 555 0100"],
            ["C-2", "-Minus Co", "b@example.com", ""],
        ]
    )


def test_an_apostrophe_of_the_data_itself_is_kept() -> None:
    """ "'Twas Ltd" and a phone typed as "'+1 555" (not how an export writes it) keep their apostrophe."""
    table = read_table(b"ID,Company,Email,Phone\n1,'Twas Ltd,a@example.com,'+1 555\n", "x.csv")
    assert table.rows == [["1", "'Twas Ltd", "a@example.com", "'+1 555"]]
