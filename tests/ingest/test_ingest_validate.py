"""Row validation: every problem collected, with the row number the user sees."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import pytest

from onboarding.ingest import ColumnMapping, IngestError, IngestLimits, IngestSettings, Issue, load_clients

Corpus = Callable[[str], bytes]


def codes(issues: list[Issue], row: int) -> list[str]:
    return sorted(i.code for i in issues if i.row_number == row)


def test_invalid_emails_are_errors_per_row(corpus: Corpus) -> None:
    """Each malformed address is an error on its own row and column."""
    batch = load_clients(corpus("invalid_emails.csv"), "invalid_emails.csv")
    for row in (2, 3, 4, 5):
        assert codes(batch.issues, row) == ["invalid_email"]
    assert batch.issues_for_row(2)[0].column == "Email"


def test_surrounding_spaces_in_email_are_trimmed(corpus: Corpus) -> None:
    """'  good@example.com  ' is valid; the bad manager on that row is its only error."""
    batch = load_clients(corpus("invalid_emails.csv"), "invalid_emails.csv")
    assert codes(batch.issues, 6) == ["invalid_manager_email"]


def test_empty_required_email(corpus: Corpus) -> None:
    """An empty e-mail is an error when the blueprint invites by e-mail."""
    batch = load_clients(corpus("invalid_emails.csv"), "invalid_emails.csv")
    assert codes(batch.issues, 7) == ["required"]


def test_email_optional_when_not_required() -> None:
    """With email_required=False an empty e-mail passes."""
    settings = IngestSettings(email_required=False)
    batch = load_clients(b"ID,Company,Email\n1,Acme,\n", "x.csv", settings=settings)
    assert [c.email for c in batch.clients] == [None]


def test_all_errors_of_a_row_are_collected() -> None:
    """An empty ID, an empty name and a bad e-mail on one row are three issues."""
    batch = load_clients(b"ID,Company,Email\n,,nope\n2,Ok,ok@example.com\n", "x.csv")
    assert codes(batch.issues, 2) == ["invalid_email", "required", "required"]
    assert [c.client_id for c in batch.clients] == ["2"]


def test_duplicate_key_later_rows_are_errors(corpus: Corpus) -> None:
    """The first '00123' is imported; the later one is an error pointing back to row 2."""
    batch = load_clients(corpus("duplicates.csv"), "duplicates.csv")
    dup = [i for i in batch.issues if i.code == "duplicate_key"]
    assert [(i.row_number, i.value) for i in dup] == [(4, "00123"), (7, "C-125")]
    assert "row 2" in dup[0].message


def test_duplicate_key_ignores_case(corpus: Corpus) -> None:
    """'c-125' and 'C-125' are the same key (portal tags compare case-insensitively)."""
    batch = load_clients(corpus("duplicates.csv"), "duplicates.csv")
    assert [c.client_id for c in batch.clients if c.client_id.lower() == "c-125"] == ["c-125"]


def test_duplicate_email_is_a_warning(corpus: Corpus) -> None:
    """A repeated e-mail warns but keeps the row."""
    batch = load_clients(corpus("duplicates.csv"), "duplicates.csv")
    assert codes(batch.issues, 6) == ["duplicate_email"]
    assert 6 in [c.row_number for c in batch.clients]


def test_email_as_key_when_no_id_column(corpus: Corpus) -> None:
    """key='email' makes the e-mail the client key, and repeats are duplicate keys."""
    batch = load_clients(corpus("no_id_column.csv"), "no_id_column.csv", settings=IngestSettings(key="email"))
    assert [c.client_id for c in batch.clients] == ["acme@example.com", "BETA@example.com"]
    assert codes(batch.issues, 4) == ["duplicate_key"]


def test_missing_id_column_blocks_with_a_file_issue(corpus: Corpus) -> None:
    """Without an ID column (and no email-as-key choice) nothing is validated."""
    batch = load_clients(corpus("no_id_column.csv"), "no_id_column.csv")
    assert batch.blocked
    assert [i.code for i in batch.file_issues] == ["missing_column"]
    assert batch.clients == []
    assert set(batch.preview["_status"]) == {"not checked"}


def test_mapping_to_unknown_column_is_a_file_issue() -> None:
    """A mapping naming a header the file lacks is reported, not raised."""
    mapping = ColumnMapping(client_id="ID", name="Company", email="Nope")
    batch = load_clients(b"ID,Company,Email\n1,A,a@example.com\n", "x.csv", mapping=mapping)
    assert [i.code for i in batch.file_issues] == ["unknown_column"]


def test_user_mapping_overrides_auto_mapping() -> None:
    """A user-chosen mapping is used and returned."""
    mapping = ColumnMapping(client_id="Code", name="Label", email="Contact")
    batch = load_clients(b"Code,Label,Contact\n7,Seven,s@example.com\n", "x.csv", mapping=mapping)
    assert (batch.mapping, batch.clients[0].name) == (mapping, "Seven")


def test_title_too_long_warns_with_stored_title(corpus: Corpus) -> None:
    """A 200-char name warns and the message shows the 170-char title."""
    batch = load_clients(corpus("long_titles.csv"), "long_titles.csv")
    warning = next(i for i in batch.issues if i.row_number == 2)
    assert warning.code == "title_too_long"
    assert warning.value is not None and len(warning.value) == 170
    assert batch.clients[0].room_title == warning.value


def test_replaced_characters_warn_with_stored_title(corpus: Corpus) -> None:
    """':' '*' '/' in a name warn and show the title the portal will store."""
    batch = load_clients(corpus("long_titles.csv"), "long_titles.csv")
    warning = next(i for i in batch.issues if i.row_number == 3)
    assert warning.code == "title_characters_replaced"
    assert warning.value == "Client - Name_ with _ and _ chars"


def test_emoji_name_warns_and_rtl_does_not(corpus: Corpus) -> None:
    """An emoji is replaced by the portal (warning); Arabic and Hebrew pass untouched."""
    batch = load_clients(corpus("emoji_rtl.csv"), "emoji_rtl.csv")
    assert codes(batch.issues, 4) == ["title_characters_replaced"]
    assert batch.clients[0].room_title == "Client - شركة الأمل"


def test_formula_like_cells_are_flagged_and_kept(corpus: Corpus) -> None:
    """'=…', '+cmd…', '@SUM…' and '-2+3' warn; phone numbers and '-5' do not."""
    batch = load_clients(corpus("formulas.csv"), "formulas.csv")
    flagged = sorted((i.row_number, i.column) for i in batch.issues if i.code == "formula_like")
    assert flagged == [(2, "Name"), (3, "Notes"), (3, "Phone"), (4, "Notes"), (4, "Phone")]
    assert batch.clients[1].extra["Notes"] == "@SUM(A1:A2)"


def test_html_in_cells_is_kept_as_text(corpus: Corpus) -> None:
    """Markup passes through untouched in names and extras."""
    batch = load_clients(corpus("html.csv"), "html.csv")
    assert batch.clients[0].name == "<script>alert(1)</script>"
    assert batch.clients[1].extra["Notes"] == "<img src=x onerror=alert(1)>"


def test_cell_too_long_is_an_error() -> None:
    """A cell over max_cell_chars is rejected on its row."""
    settings = IngestSettings(limits=IngestLimits(max_cell_chars=50))
    batch = load_clients(
        f"ID,Company,Email\n1,{'x' * 60},a@example.com\n".encode(), "x.csv", settings=settings
    )
    assert codes(batch.issues, 2) == ["cell_too_long"]


def test_tag_too_long_refuses_the_row() -> None:
    """A tag over 255 characters refuses the row at upload, as the plan would block it (it used to
    be a warning there and a block in the plan); the next row still goes through."""
    batch = load_clients(
        f"ID,Company,Email\n{'9' * 300},A,a@example.com\nB1,B,b@example.com\n".encode(), "x.csv"
    )
    assert codes(batch.issues, 2) == ["tag_too_long"]
    assert batch.issues[0].severity == "error" and "307 characters" in batch.issues[0].message
    assert [c.client_id for c in batch.clients] == ["B1"]


def test_title_pattern_with_extra_column() -> None:
    """The title pattern can use any header, matched loosely."""
    settings = IngestSettings(title_pattern="{name} ({country})")
    batch = load_clients(b"ID,Company,Email,Country\n1,Acme,a@example.com,DE\n", "x.csv", settings=settings)
    assert batch.clients[0].room_title == "Acme (DE)"


def test_unknown_pattern_field_is_a_file_issue() -> None:
    """A pattern placeholder that matches nothing blocks with a clear message."""
    settings = IngestSettings(title_pattern="{name} {Region}")
    batch = load_clients(b"ID,Company,Email\n1,A,a@example.com\n", "x.csv", settings=settings)
    assert [i.code for i in batch.file_issues] == ["unknown_pattern_field"]


def test_blank_title_is_an_error() -> None:
    """A pattern rendering to an empty title is rejected (the portal would answer 400)."""
    settings = IngestSettings(title_pattern="{Region}")
    batch = load_clients(b"ID,Company,Email,Region\n1,A,a@example.com,\n", "x.csv", settings=settings)
    assert codes(batch.issues, 2) == ["title_empty"]


def test_extras_keep_original_headers_in_order(corpus: Corpus) -> None:
    """Unmapped columns are carried through with their headers."""
    batch = load_clients(corpus("utf8.csv"), "utf8.csv")
    assert list(batch.clients[0].extra) == ["Industry", "Country"]


def test_row_numbers_match_the_sheet(corpus: Corpus) -> None:
    """Issues use sheet row numbers, counting title rows above the header."""
    batch = load_clients(corpus("title_rows.xlsx"), "title_rows.xlsx")
    assert [(i.row_number, i.code) for i in batch.errors] == [(5, "invalid_manager_email")]


def test_preview_has_status_and_original_columns(corpus: Corpus) -> None:
    """The preview holds row, status, issues, room title, then the file's columns."""
    batch = load_clients(corpus("duplicates.csv"), "duplicates.csv")
    assert list(batch.preview.columns[:4]) == ["_row", "_status", "_issues", "_room_title"]
    assert list(batch.preview.columns[4:]) == batch.headers
    assert batch.preview.set_index("_row").loc[4, "_status"] == "error"


def test_counts(corpus: Corpus) -> None:
    """total_rows, valid clients and error rows add up."""
    batch = load_clients(corpus("duplicates.csv"), "duplicates.csv")
    assert (batch.total_rows, len(batch.clients), batch.error_row_count) == (6, 4, 2)


def test_a_workbook_whose_first_sheet_is_notes_points_to_its_other_sheets() -> None:
    """Missing columns on the first sheet of a workbook that has others: besides the missing
    columns, the batch names the other sheets and how to pick one (Upload's list, --sheet); a
    first sheet with a single line (read as a header alone) says the same in its refusal."""
    wb = openpyxl.Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = "Read me"
    notes.append(["Export notes"])
    notes.append(["Made on Monday by the sales team"])
    clients = wb.create_sheet("Clients")
    clients.append(["ID", "Company", "Email"])
    clients.append(["C1", "Acme", "a@example.com"])
    buf = io.BytesIO()
    wb.save(buf)
    batch = load_clients(buf.getvalue(), "book.xlsx")
    hint = next(i for i in batch.issues if i.code == "other_sheets")
    assert "'Read me'" in hint.message and "'Clients'" in hint.message and "--sheet" in hint.message
    assert load_clients(buf.getvalue(), "book.xlsx", sheet="Clients").clients[0].client_id == "C1"
    notes.delete_rows(2)
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(IngestError, match="also has 'Clients'"):
        load_clients(buf.getvalue(), "book.xlsx")


@pytest.mark.parametrize(
    ("lookalike", "named"),
    [
        ("C\u20111", "U+2011 (NON-BREAKING HYPHEN)"),
        ("C\u20131", "U+2013 (EN DASH)"),
        ("C-\uff11", "U+FF11 (FULLWIDTH DIGIT ONE)"),
        ("c\u2212\uff11", "U+2212 (MINUS SIGN)"),
    ],
)
def test_lookalike_client_id_is_refused_naming_the_character(lookalike: str, named: str) -> None:
    """A client ID that reads like an earlier row's (a Word dash, full-width digits) is refused, the character named."""
    data = f"ID,Company,Email\nC-1,Acme,a@example.com\n{lookalike},Acme 2,b@example.com\nC-2,Beta,c@example.com\n"
    batch = load_clients(data.encode(), "x.csv")
    assert [c.client_id for c in batch.clients] == ["C-1", "C-2"]
    issue = next(i for i in batch.issues if i.row_number == 3)
    assert (issue.code, issue.severity, issue.column) == ("lookalike_key", "error", "ID")
    assert named in issue.message and "row 2" in issue.message


def test_ids_that_differ_only_in_inner_spaces_are_lookalikes() -> None:
    """'C 1' and 'C  1' (two spaces) are one ID to the eye: the later row is refused, saying so."""
    batch = load_clients(b"ID,Company,Email\nC 1,Acme,a@example.com\nC  1,Acme 2,b@example.com\n", "x.csv")
    assert [c.client_id for c in batch.clients] == ["C 1"]
    assert "differs only in its spaces" in batch.issues[0].message


def test_distinct_non_ascii_ids_are_not_lookalikes() -> None:
    """IDs in other scripts that differ for real (Müller-1, Muller-1, 客户-1) all pass."""
    batch = load_clients(
        "ID,Company,Email\nMüller-1,A,a@example.com\nMuller-1,B,b@example.com\n客户-1,C,c@example.com\n".encode(),
        "x.csv",
    )
    assert len(batch.clients) == 3 and not batch.issues


@pytest.mark.parametrize("value", ["1.23457E+18", "1,23457E+18", "1.234567890123457e+18", "1E+18"])
def test_client_id_in_scientific_notation_is_refused(value: str) -> None:
    """A long number ID a spreadsheet rounded ('1.23457E+18') is refused with the fix; the other rows go through."""
    data = f'ID,Company,Email\n"{value}",Acme,a@example.com\nC-2,Beta,b@example.com\n'
    batch = load_clients(data.encode(), "x.csv")
    assert [c.client_id for c in batch.clients] == ["C-2"]
    (issue,) = batch.issues
    assert (issue.row_number, issue.code, issue.severity) == (2, "id_scientific", "error")
    assert "Format the ID column as Text" in issue.message


def test_ids_that_only_look_numeric_pass() -> None:
    """'1E5' (a code, no sign), '00123' and '2024-15' are IDs like any other."""
    batch = load_clients(
        b"ID,Company,Email\n1E5,A,a@example.com\n00123,B,b@example.com\n2024-15,C,c@example.com\n", "x.csv"
    )
    assert len(batch.clients) == 3 and not batch.issues


def test_client_id_with_a_decimal_zero_is_a_warning_naming_the_whole_number() -> None:
    """'1001.0' (a program read the IDs as decimals) stays, with a warning that names '1001'."""
    batch = load_clients(b"ID,Company,Email\n1001.0,Acme,a@example.com\n", "x.csv")
    assert [c.client_id for c in batch.clients] == ["1001.0"]
    (issue,) = batch.issues
    assert (issue.code, issue.severity) == ("id_decimal", "warning")
    assert "'1001'" in issue.message


def test_two_rooms_of_one_title_are_a_warning_naming_the_first() -> None:
    """Two clients whose rooms would have one title (same name, or names the portal makes alike) warn on the later row."""
    data = b"ID,Company,Email\nT-1,Alpha,a@example.com\nT-2,Alpha,b@example.com\nT-3,Beta:X,c@example.com\nT-4,Beta|X,d@example.com\n"
    batch = load_clients(data, "x.csv")
    assert len(batch.clients) == 4
    same = [i for i in batch.issues if i.code == "same_room_title"]
    assert [(i.row_number, i.column, i.severity) for i in same] == [
        (3, "Company", "warning"),
        (5, "Company", "warning"),
    ]
    assert "row 2's (client T-1)" in same[0].message and "'Client - Alpha'" in same[0].message
    assert "row 4's (client T-3)" in same[1].message


def test_refused_duplicates_do_not_also_warn_of_the_same_title() -> None:
    """A row refused as a repeated ID is not warned about its title as well."""
    batch = load_clients(b"ID,Company,Email\nT-1,Alpha,a@example.com\nT-1,Alpha,b@example.com\n", "x.csv")
    assert [i.code for i in batch.issues] == ["duplicate_key"]


def test_missing_column_names_the_headers_and_what_to_call_the_column() -> None:
    """No name column (its header cell is empty): the message lists the file's headers and the header names found by themselves."""
    batch = load_clients(b"Client ID,,E-mail\nC-1,Acme,a@example.com\n", "x.csv")
    (issue,) = [i for i in batch.issues if i.code == "missing_column"]
    assert "'Client ID', 'Column B', 'E-mail'" in issue.message
    assert (
        "'Name', 'Client name'" in issue.message and "give the column one of those headers" in issue.message
    )
    assert "in the dashboard's column mapping" in issue.message  # the command line has none


def test_email_mixing_latin_and_cyrillic_is_refused_naming_the_letter() -> None:
    """'b@bеta.example.com' (a Cyrillic 'е') and a manager 'аnna@…' are refused, the letter named; 'x@пример.рф' and 'müller.de' pass."""
    data = "ID,Company,Email,Manager\n1,A,b@bеta.example.com,\n2,B,c@corp.example,аnna@corp.example\n3,C,x@пример.рф,\n4,D,y@müller.de,\n"
    batch = load_clients(data.encode(), "x.csv")
    assert [c.client_id for c in batch.clients] == ["3", "4"]
    found = [(i.row_number, i.column, i.code, i.severity) for i in batch.issues]
    assert found == [
        (2, "Email", "mixed_script_email", "error"),
        (3, "Manager", "mixed_script_email", "error"),
    ]
    assert "'е' (CYRILLIC SMALL LETTER IE) in 'bеta'" in batch.issues[0].message
    assert "another domain" in batch.issues[0].message and "another mailbox" in batch.issues[1].message


def test_a_repeated_header_says_which_column_is_read_and_how_to_take_the_other() -> None:
    """Two 'Email' columns (the first empty): a file warning names both columns and the name the second reads as."""
    batch = load_clients(b"ID,Company,Email,Email\n1,A,,a@example.com\n2,B,,b@example.com\n", "x.csv")
    (warning,) = [i for i in batch.issues if i.row_number is None]
    assert (warning.code, warning.severity, warning.field) == ("repeated_header", "warning", "email")
    assert "2 columns headed 'Email' (columns C, D)" in warning.message and "'Email (2)'" in warning.message
    assert "choose it in the dashboard's column mapping, or rename the headers" in warning.message
    fixed = batch.mapping.model_copy(update={"email": "Email (2)"})
    assert (
        len(load_clients(b"ID,Company,Email,Email\n1,A,,a@example.com\n", "x.csv", mapping=fixed).clients)
        == 1
    )


@pytest.mark.parametrize("value", ["2024-01-05", "2024-01-05 14:30:00", "5-Jan", "Jan-24", "1/5/2024"])
def test_client_id_that_is_a_date_is_a_warning(value: str) -> None:
    """An ID a spreadsheet made a date ('1-5' -> 5-Jan) stays, with a warning saying how to keep it as text."""
    batch = load_clients(
        f"ID,Company,Email\n{value},Acme,a@example.com\nSEP-2,Beta,b@example.com\n".encode(), "x.csv"
    )
    assert [c.client_id for c in batch.clients] == [value, "SEP-2"]
    (issue,) = batch.issues
    assert (issue.row_number, issue.code, issue.severity) == (2, "id_date", "warning")
    assert "format the ID column as Text" in issue.message
