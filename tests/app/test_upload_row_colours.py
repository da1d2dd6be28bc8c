"""Upload grid: a row's number cell carries its check's colour, so problem rows show at 1000 px too."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from ui import tables

MESSY = (
    b"Client ID,Company,E-mail,Account manager\n"
    b"C-1,Alpha GmbH,alpha@example.com,am@example.com\n"
    b"C-2,,beta@example.com,am@example.com\n"
    b"5-Jan,Gamma KG,gamma@example.com,am@example.com\n"
)


def test_the_row_number_is_coloured_by_the_check(app: AppTest, sandbox: object) -> None:
    """Row 3 (an error) has a red number cell, row 4 (a warning) a yellow one, row 2 (valid) none."""
    at = app.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_file_0").upload("colours.csv", MESSY, "text/csv").run()
    assert not at.exception
    grid = at.data_editor[0]
    col = list(grid.value.columns).index(tables.ROW)
    css = grid.proto.arrow_data.styler.styles

    def colour(position: int) -> str | None:
        found = re.search(rf"_row{position}_col{col}\b[^{{]*\{{([^}}]*)\}}", css)
        return found.group(1).strip() if found else None

    positions = {int(n): p for p, n in enumerate(grid.value[tables.ROW])}
    assert colour(positions[3]) is not None and tables.ERROR_BG.split(": ")[1] in colour(positions[3])
    assert colour(positions[4]) is not None and tables.WARNING_BG.split(": ")[1] in colour(positions[4])
    assert colour(positions[2]) is None or "background" not in colour(positions[2])
