"""Control characters and text-direction controls are refused per row, anywhere in the file, with
the column named; the other rows still go through."""

from __future__ import annotations

import io

import openpyxl
import pytest

from onboarding.ingest import IngestLimits, IngestSettings, load_clients
from onboarding.ingest.rows import check_email, clear_email_cache

HEAD = "Client ID,Company,Email,Notes\n"


def _csv(rows: list[str], filler: int = 0) -> bytes:
    """A CSV with ``filler`` clean rows first, so the bad rows sit past the first 64 KB."""
    clean = "".join(f"F{i},Filler {i},f{i}@acme.example,ok\n" for i in range(filler))
    return (HEAD + clean + "".join(rows)).encode("utf-8")


@pytest.mark.parametrize(
    ("cell", "column", "shown"),
    [
        ("Acme\x00Ltd", "Company", "U+0000"),
        ("Acme \x1b]8;;https://evil.example\x07Ltd", "Company", "U+001B"),
        ("Acme \x9b31mLtd", "Company", "U+009B"),
        ("Acme\x7fLtd", "Company", "U+007F"),
    ],
)
def test_control_character_far_into_the_file_refuses_only_its_row(cell: str, column: str, shown: str) -> None:
    """A NUL, an OSC/ESC sequence, a C1 CSI or DEL past the first 64 KB errors its row, naming column and character."""
    data = _csv([f"B1,{cell},b1@acme.example,x\n", "G1,Good Ltd,g1@acme.example,x\n"], filler=2_000)
    assert len(data) > 64 * 1024
    batch = load_clients(data, "clients.csv")
    bad_row = 2_000 + 2
    issues = batch.issues_for_row(bad_row)
    assert [(i.code, i.column, i.severity) for i in issues] == [("control_characters", column, "error")]
    assert f"Column '{column}'" in issues[0].message and shown in issues[0].message
    assert "\x1b" not in (issues[0].value or "") and "\x00" not in (issues[0].value or "")
    ids = [c.client_id for c in batch.clients]
    assert "B1" not in ids and "G1" in ids and len(ids) == 2_001


def test_control_character_in_an_unmapped_column_is_refused_too() -> None:
    """Extra columns travel to the journal and the export, so a control character there refuses the row."""
    batch = load_clients(_csv(["B1,Acme,b1@acme.example,note\x1b[2J\n"]), "c.csv")
    assert [(i.code, i.column) for i in batch.issues] == [("control_characters", "Notes")]
    assert batch.clients == []


def test_tabs_and_line_breaks_are_whitespace_not_controls() -> None:
    """Tab, CR and LF inside a quoted cell are allowed; the row is valid. The title warns that its
    line break becomes a space (a room title is one line) and its tab a '_'."""
    batch = load_clients(_csv(['B1,"Acme\tLtd\r\nBerlin",b1@acme.example,"a\nb"\n']), "c.csv")
    assert [i.code for i in batch.issues] == ["title_line_breaks", "title_characters_replaced"]
    assert "'Client - Acme_Ltd Berlin'" in batch.issues[0].message
    assert [c.client_id for c in batch.clients] == ["B1"]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("C\u202e1,Acme,c@acme.example,x", "Client ID"),
        ("C1,Acme \u2067Ltd\u2069,c@acme.example,x", "Company"),
        ("C1,Acme,c\u202d@acme.example,x", "Email"),
    ],
)
def test_bidi_override_or_isolate_in_id_name_or_email_is_refused(row: str, column: str) -> None:
    """RLO/LRO/RLI/PDI in the client ID, name or e-mail error the row with the column named."""
    batch = load_clients(_csv([row + "\n", "G1,Good,g@acme.example,x\n"]), "c.csv")
    issues = batch.issues_for_row(2)
    assert (issues[0].code, issues[0].column) == ("bidi_control", column)
    assert {i.column for i in issues} == {column}
    assert f"Column '{column}'" in issues[0].message and "U+20" in issues[0].message
    assert [c.client_id for c in batch.clients] == ["G1"]


@pytest.mark.parametrize(
    ("row", "column"),
    [("\u200bW-3,Acme,c@acme.example,x", "Client ID"), ("C1,\u200b,c@acme.example,x", "Company")],
)
def test_an_invisible_character_in_an_id_or_name_is_refused(row: str, column: str) -> None:
    """A zero-width space makes "\u200bW-3" look like "W-3" (two clients) and a name of only that
    look filled: the row errors with the column named; a zero-width joiner in a name is fine."""
    joiner = "J1,\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645,j@acme.example,x\n"  # Persian needs U+200C
    batch = load_clients(_csv([row + "\n", "G1,Good,g@acme.example,x\n", joiner]), "c.csv")
    issues = batch.issues_for_row(2)
    assert (issues[0].code, issues[0].column) == ("invisible_character", column)
    assert "U+200B" in issues[0].message and "<U+200B" in issues[0].value
    assert [c.client_id for c in batch.clients] == ["G1", "J1"]


def test_right_to_left_text_and_bidi_in_extra_columns_are_fine() -> None:
    """Hebrew/Arabic names and an RLM mark are accepted; bidi controls in a free-text column are not checked."""
    batch = load_clients(_csv(["C1,\u05e9\u05dc\u05d5\u05dd \u200fLtd,c@acme.example,\u202eabc\n"]), "c.csv")
    assert batch.issues == [] and len(batch.clients) == 1


def test_control_characters_in_a_workbook_cell_are_refused() -> None:
    """An XLSX cell holding ESC (stored as _x001B_, as Excel writes it) errors its row like a CSV cell does."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Client ID", "Company", "Email"])
    ws.append(["X1", "Evil_x001B_Ltd", "x@acme.example"])
    ws.append(["X2", "Good Ltd", "y@acme.example"])
    buf = io.BytesIO()
    wb.save(buf)
    batch = load_clients(buf.getvalue(), "c.xlsx")
    assert [(i.row_number, i.code, i.column) for i in batch.issues] == [(2, "control_characters", "Company")]
    assert [c.client_id for c in batch.clients] == ["X2"]


def test_control_characters_in_a_header_are_made_visible() -> None:
    """A header with ESC is shown with U+FFFD, so messages and extra-column keys hold no control character."""
    batch = load_clients(b"Client ID,Company,Email,No\x1bte\nC1,Acme,c@acme.example,x\n", "c.csv")
    assert "No\ufffdte" in batch.headers and batch.clients[0].extra == {"No\ufffdte": "x"}


def test_a_binary_file_is_still_refused_as_a_whole() -> None:
    """Dense control characters (a binary file named .csv) are still a file-level refusal, not 1,000 row errors."""
    from onboarding.ingest import BinaryContentError

    with pytest.raises(BinaryContentError):
        load_clients(bytes(range(256)) * 64, "x.csv")


@pytest.mark.parametrize(
    "address",
    [
        "Anna.Manager@Example.COM",
        "a+tag@sub.example.org",
        "o'brien@example.co.uk",
        "x@bücher.de",
        "ab@xn--bcher-kva.de",
        "x@localhost",
        "x@foo.test",
        "x@-bad.com",
        "a..b@example.com",
        ".a@example.com",
        '"quoted"@example.com',
        "ünï@example.com",
        "a" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
        "no-at-sign",
        "two@@example.com",
    ],
)
def test_fast_email_check_agrees_with_the_validator(address: str) -> None:
    """The per-domain fast path gives exactly the validator's verdict, normalized form and message."""
    from email_validator import EmailNotValidError, validate_email

    clear_email_cache()
    try:
        expected: tuple[str | None, str | None] = (
            validate_email(address, check_deliverability=False).normalized,
            None,
        )
    except EmailNotValidError as exc:
        expected = (None, str(exc))
    assert check_email(address) == expected
    assert check_email(address) == expected  # and again from the cache


def test_hundred_thousand_rows_are_accepted() -> None:
    """The default row limit admits 100,000 clients."""
    assert IngestSettings().limits.max_rows >= 100_000 and IngestLimits().max_rows >= 100_000


def test_formula_cells_are_found_among_phone_numbers_and_multiline_cells() -> None:
    """The column-wide formula search flags '-2+3' among phone numbers and '\\n=1+1' in a multi-line column, nothing else."""
    rows = [f"P{i},Acme {i},p{i}@acme.example,+49 30 {i:06d}\n" for i in range(50)]
    rows[20] = "P20,Acme 20,p20@acme.example,-2+3\n"
    rows[30] = 'P30,Acme 30,p30@acme.example,"\n=1+1"\n'
    rows[40] = 'P40,Acme 40,p40@acme.example,"x\n=1+1"\n'
    batch = load_clients(_csv(rows), "c.csv")
    flagged = [(i.row_number, i.column) for i in batch.issues if i.code == "formula_like"]
    assert flagged == [(22, "Notes"), (32, "Notes")]
    assert len(batch.clients) == 50


@pytest.mark.parametrize(
    "pattern",
    [
        "Client - {name}",
        "{{x}} {client_id}: {name} {{",
        "  {name}\t",
        "{Account #} / {name}",
        "{name}{name}",
        "plain",
    ],
)
def test_compiled_patterns_render_like_the_plan(pattern: str) -> None:
    """Validation's compiled patterns give exactly titles.room_names' title and tag (what the plan sends)."""
    from onboarding.ingest.validation import _compile, _render
    from onboarding.titles import portal_title, room_names

    fields = {"name": " Acme: A*B 😀 ", "client_id": "C-1", "Account #": "42"}
    names = room_names(pattern, pattern, fields)
    compiled = _compile(pattern)
    assert compiled is not None
    raw = _render(compiled, fields, pattern).strip()
    assert (raw, portal_title(raw), raw) == (names.raw_title, names.title, names.tag)


def test_a_quote_never_closed_is_named_instead_of_an_empty_email() -> None:
    """A quote opened in a cell and never closed reads the rest of the file into that cell (Python's
    csv says nothing): the row is refused with the column named and the quote blamed, not only
    "the e-mail is empty"; a real multi-line cell (an address) is fine."""
    rows = [
        'A0,"Acme\nHQ, Berlin",a0@acme.example,x\n',
        'A1,"Acme,a1@acme.example,x\n',
        "A2,Beta,b@acme.example,y\n",
        "A3,Gamma,c@acme.example,z\n",
    ]
    batch = load_clients(_csv(rows), "c.csv")
    issues = batch.issues_for_row(3)
    assert (issues[0].code, issues[0].column) == ("unclosed_quote", "Company")
    assert "never closed" in issues[0].message and "3 lines" in issues[0].message
    assert [c.client_id for c in batch.clients] == ["A0"]


def test_a_column_of_the_room_title_refuses_text_direction_and_invisible_characters() -> None:
    """With a title pattern '{name} ({Country})', an override or a zero-width space in Country is refused; unused extra columns may hold them."""
    data = "ID,Company,Email,Country\n1,Acme,a@example.com,\u202eKU\n2,Beta,b@example.com,D\u200bE\n3,Gamma,c@example.com,UK\n"
    titled = load_clients(
        data.encode(), "x.csv", settings=IngestSettings(title_pattern="Client - {name} ({Country})")
    )
    assert [c.client_id for c in titled.clients] == ["3"]
    assert [(i.row_number, i.column, i.code) for i in titled.issues] == [
        (2, "Country", "bidi_control"),
        (3, "Country", "invisible_character"),
    ]
    assert "room title" in titled.issues[0].message
    assert len(load_clients(data.encode(), "x.csv").clients) == 3
