"""Upload page: many row problems are summed up by kind (errors first), each with its rows and one message whole."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from support.apptest import unescape

ROWS = [b"Client ID,Company,E-mail,Account manager"]
ROWS += [f"C-{n},Firm {n},c{n}@firm{n}.com,am@example.com".encode() for n in range(1, 41)]
ROWS += [
    b"C-41,,c41@firm41.com,am@example.com",  # empty name: error
    b"C-42,,c42@firm42.com,am@example.com",  # empty name: error
    b"1.23457E+18,Firm 43,c43@firm43.com,am@example.com",  # rounded ID: error
    b"2024-01-05,Firm 44,c44@firm44.com,am@example.com",  # ID made a date: warning
    b"5-Jan,Firm 45,c45@firm45.com,am@example.com",  # ID made a date: warning
]
MESSY = b"\n".join(ROWS) + b"\n"


def test_row_problems_are_grouped_by_kind(app: AppTest, sandbox: object) -> None:
    """Five row problems of three kinds read as three lines: errors first, with their row numbers and advice."""
    at = app.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_file_0").upload("kinds.csv", MESSY, "text/csv").run()
    assert not at.exception
    box = next(e for e in at.expander if e.label.startswith("Problems by kind"))
    assert box.label == "Problems by kind — 2 kinds of error and 1 of warning"
    lines = [unescape(m.value) for m in box.markdown if "error**]" in m.value or "warning**]" in m.value]
    assert len(lines) == 3
    assert "**Company: empty** — rows 42, 43" in lines[0] and ":red[" in lines[0]
    assert "**Client ID: rounded by a spreadsheet (scientific notation)** — row 44" in lines[1]
    assert "Format the ID column as Text" in lines[1]
    assert "**Client ID: turned into a date** — rows 45, 46" in lines[2] and ":orange[" in lines[2]
