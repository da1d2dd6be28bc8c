"""Upload page review step: cells edited in place and re-checked, bulk fixes, the corrected download,
counts against the journal, and a rejected file that never replaces the file in use."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from support.apptest import EXAMPLES, edit_cell, grid_row, metric, onboard_row, texts, unescape, upload_sample

from onboarding.journal import Journal
from ui import review_fixes, tables

MESSY = (
    b"Client ID,Company,E-mail,Account manager\n"
    b"C-1,Alpha GmbH,alpha@example.com,am@example.com\n"
    b"C-2,Beta AG, beta@gmial.com ,\n"
    b"C-3,Gamma KG,gamma.example.com,am@example.com\n"
    b"C-4,Delta SE,delta@yahoo.con,\n"
)


def _upload_messy(app: AppTest) -> AppTest:
    at = app.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_file_0").upload("messy.csv", MESSY, "text/csv").run()
    assert not at.exception
    return at


def _notices(at: AppTest) -> str:
    return "\n".join(
        unescape(str(e.value)) for kind in ("success", "warning", "error") for e in getattr(at, kind)
    )


def test_editing_a_bad_cell_checks_the_row_again(app: AppTest, sandbox: object) -> None:
    """Fixing row 10's e-mail in the grid makes it valid at once; a new bad value gets the row's own message."""
    at = upload_sample(app)
    assert metric(at, "Valid") == "13"
    at = edit_cell(at, 10, "E-mail address", "research@tyrell.example.com")
    assert not at.exception
    assert grid_row(at, 10)[tables.CHECK] == "✔ valid"
    assert grid_row(at, 10)["E-mail address"] == "research@tyrell.example.com"
    assert metric(at, "Valid") == "14" and metric(at, "Selected") == "14"
    assert "Row 10 is valid now." in _notices(at)

    at = edit_cell(at, 10, "Company", "")
    assert grid_row(at, 10)[tables.CHECK] == "✖ error"
    assert "Row 10 still has a problem — Company: The client name is empty." in _notices(at)
    assert metric(at, "Valid") == "13"


def test_computed_columns_are_not_editable(app: AppTest, sandbox: object) -> None:
    """Only the selection and the file's own columns can be typed in; check, problems and title cannot."""
    at = upload_sample(app)
    config = json.loads(at.data_editor[0].proto.columns)
    disabled = {name for name, c in config.items() if c.get("disabled")}
    editable = {"E-mail address", "Company", "Client ID", tables.SELECT}
    assert not editable & disabled
    assert {tables.CHECK, tables.PROBLEMS, tables.TITLE, tables.ROW} <= disabled


def test_bulk_fixes_tidy_suggest_and_fill_managers(app: AppTest, sandbox: object) -> None:
    """Trim e-mails, apply the suggested corrections, and set a manager for every empty cell."""
    at = _upload_messy(app)
    assert "did you mean beta@gmail.com?" in grid_row(at, 3)[tables.PROBLEMS]
    assert at.button(key="upload_fix_tidy").label == "Trim and normalise e-mails (1)"
    at.button(key="upload_fix_tidy").click().run()
    assert grid_row(at, 3)["E-mail"] == "beta@gmial.com"

    assert at.button(key="upload_fix_suggestions").label == "Apply 2 suggested corrections"
    at.session_state[review_fixes.SUGGESTIONS] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert at.button(key="upload_fix_suggestions").label == "Apply 1 selected suggestion"
    at.button(key="upload_fix_suggestions").click().run()
    assert not at.exception
    assert grid_row(at, 3)["E-mail"] == "beta@gmial.com" and grid_row(at, 5)["E-mail"] == "delta@yahoo.com"
    assert "Applied 1 suggested e-mail correction(s)." in _notices(at)
    assert at.button(key="upload_fix_suggestions").label == "Apply 1 suggested correction"
    at.button(key="upload_fix_suggestions").click().run()
    assert grid_row(at, 3)["E-mail"] == "beta@gmail.com"

    at.text_input(key=review_fixes.MANAGER_FIELD).input("boss@").run()
    at.button(key="upload_fix_manager_apply").click().run()
    assert "'boss@' is not a valid e-mail address" in _notices(at)
    assert grid_row(at, 3)["Account manager"] == ""
    at.text_input(key=review_fixes.MANAGER_FIELD).input("boss@example.com").run()
    at.button(key="upload_fix_manager_apply").click().run()
    assert [grid_row(at, n)["Account manager"] for n in (2, 3, 4, 5)] == [
        "am@example.com",
        "boss@example.com",
        "am@example.com",
        "boss@example.com",
    ]
    assert metric(at, "Valid") == "3"  # row 4 has no @: no suggestion, it waits for a person

    at.button(key="upload_undo_edits").click().run()
    assert grid_row(at, 3)["E-mail"] == " beta@gmial.com "


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """The bytes of every download button, by file name (AppTest keeps them in its media storage)."""
    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(
        self: MemoryMediaFileStorage, path_or_data: Any, mimetype: str, kind: Any, filename: str | None = None
    ) -> str:
        if filename and isinstance(path_or_data, bytes):
            seen[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    yield seen


def test_download_corrected_list_has_the_edits(
    app: AppTest, sandbox: object, downloads: dict[str, bytes]
) -> None:
    """The corrected CSV holds every row with the edits; "For Excel" adds the byte-order mark."""
    at = _upload_messy(app)
    at = edit_cell(at, 4, "E-mail", "gamma@example.com")
    assert at.get("download_button")[0].proto.label == "Download corrected list (CSV)"
    data = downloads["messy-corrected.csv"]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["Client ID", "Company", "E-mail", "Account manager"]
    assert len(rows) == 5 and rows[3][2] == "gamma@example.com"
    assert not data.startswith(b"\xef\xbb\xbf")
    at.toggle(key=review_fixes.EXCEL_TOGGLE).set_value(True).run()
    assert downloads["messy-corrected.csv"].startswith(b"\xef\xbb\xbf")


def test_counts_new_onboarded_and_conflicts_before_the_plan(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """After one client is onboarded the review says 12 new / 1 onboarded; renaming it in the grid is a conflict."""
    at = upload_sample(app)
    assert (metric(at, "New"), metric(at, "Already onboarded"), metric(at, "Conflicts")) == ("13", "0", "0")
    at = onboard_row(at, journal(), "CL-1001")
    at.switch_page("pages/upload.py").run()
    assert (metric(at, "New"), metric(at, "Already onboarded"), metric(at, "Conflicts")) == ("12", "1", "0")
    position = at.data_editor[0].value["Client ID"].tolist().index("CL-1001")
    at = edit_cell(
        at, int(at.data_editor[0].value[tables.ROW].iloc[position]), "Company", "Firma 2 Ärzte & Co"
    )
    assert (metric(at, "New"), metric(at, "Already onboarded"), metric(at, "Conflicts")) == ("12", "0", "1")


def test_a_rejected_file_keeps_the_file_in_use(app: AppTest, sandbox: object) -> None:
    """A file that cannot be read is refused with the reason; the previous upload and its edits stay."""
    at = upload_sample(app)
    at = edit_cell(at, 10, "E-mail address", "research@tyrell.example.com")
    pdf = (EXAMPLES.parent / "tests" / "data" / "ingest" / "pdf_renamed.csv").read_bytes()
    at.file_uploader(key="upload_file_0").upload("other.csv", pdf, "text/csv").run()
    assert not at.exception
    said = texts(at)
    assert "**other.csv** was not used" in said and "The file in use is still **clients.xlsx**" in said
    assert "In use: **clients.xlsx**" in said
    assert metric(at, "Rows") == "15" and metric(at, "Valid") == "14"
    # The picker is cleared (it never names a file that is not in use).
    assert "upload_file_1" in [u.key for u in at.get("file_uploader")]


def test_a_rejected_first_file_leaves_nothing_in_use(app: AppTest, sandbox: object) -> None:
    """With no file in use yet, a rejected file is explained and the page still asks for a spreadsheet."""
    at = app.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_file_0").upload("big.csv", b"", "text/csv").run()
    assert not at.exception
    assert "**big.csv** was not used" in texts(at)
    assert "Upload a spreadsheet with one client per row" in texts(at)
