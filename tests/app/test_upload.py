"""Upload page: formats, sheet and mapping, validation summary, marked preview, selection."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest
from support.apptest import EXAMPLES, metric, table, texts, unescape, upload_sample
from support.sheets import filtered_workbook

from ui import tables


def test_sample_workbook_is_checked_and_valid_rows_preselected(app: AppTest, sandbox: object) -> None:
    """The example workbook gives 13 valid rows, 2 with errors, 1 warning; valid rows are selected."""
    at = upload_sample(app)
    assert not at.exception
    assert metric(at, "Rows") == "15"
    assert metric(at, "Valid") == "13"
    assert metric(at, "With errors") == "2"
    assert metric(at, "With warnings") == "1"
    assert metric(at, "Selected") == "13"
    assert "sheet **Clients**" in texts(at)


def test_preview_marks_problem_rows_with_their_messages(app: AppTest, sandbox: object) -> None:
    """Rows with problems carry the check result and the message in the preview grid."""
    at = upload_sample(app)
    grid = at.data_editor[0].value
    bad = grid[grid[tables.ROW] == 10].iloc[0]
    assert bad[tables.CHECK] == "✖ error"
    assert "Not a valid e-mail address" in bad[tables.PROBLEMS]
    assert not bad[tables.SELECT]
    dup = grid[grid[tables.ROW] == 13].iloc[0]
    assert "already in row 7" in dup[tables.PROBLEMS]
    warn = grid[grid[tables.ROW] == 14].iloc[0]
    assert warn[tables.CHECK] == "⚠ warning" and warn[tables.SELECT]


def test_grid_leads_with_the_cells_people_fix(app: AppTest, sandbox: object) -> None:
    """The grid opens with the ID, name, e-mail and manager columns, then the check and problems; no column is lost."""
    at = upload_sample(app)
    columns = list(at.data_editor[0].value.columns)
    fields = ["Client ID", "Company", "E-mail address", "Account manager"]
    assert columns[:8] == [tables.SELECT, tables.ROW, *fields, tables.CHECK, tables.PROBLEMS]
    assert sorted(columns) == sorted([*tables.RESERVED, *fields, "Industry", "Country", "Phone"])


def test_rows_with_errors_cannot_be_selected(app: AppTest, sandbox: object) -> None:
    """Ticking a row with errors is taken back, with the reason; the selection stays at 13."""
    at = upload_sample(app)
    position = at.data_editor[0].value[tables.ROW].tolist().index(10)
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {position: {tables.SELECT: True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert any("Cannot select row 10" in w.value for w in at.warning)
    assert metric(at, "Selected") == "13"


def test_unticking_a_row_and_select_all(app: AppTest, sandbox: object) -> None:
    """Unticking a valid row removes it from the selection; "Select all valid" brings it back."""
    at = upload_sample(app)
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {tables.SELECT: False}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert metric(at, "Selected") == "12"
    at.button(key="upload_select_all").click().run()
    assert metric(at, "Selected") == "13"
    at.button(key="upload_select_none").click().run()
    assert metric(at, "Selected") == "0"


def test_sheet_choice_reads_the_other_sheet(app: AppTest, sandbox: object) -> None:
    """A workbook with two sheets offers the choice, and the other sheet is read."""
    at = upload_sample(app)
    assert at.selectbox(key="upload_sheet").options == ["Clients", "Archived clients"]
    at.selectbox(key="upload_sheet").set_value("Archived clients").run()
    assert not at.exception
    assert "sheet **Archived clients**" in texts(at)


def test_mapping_change_is_validated_again(app: AppTest, sandbox: object) -> None:
    """Unmapping the e-mail column makes a file-level error the page explains."""
    at = upload_sample(app, "clients.csv")
    at.selectbox(key="upload_map_email").set_value(None).run()
    assert not at.exception
    assert any("No column is mapped to the e-mail" in unescape(e.value) for e in at.error)
    assert metric(at, "Selected") == "0"


def test_unreadable_file_gets_a_plain_message(app: AppTest, sandbox: object) -> None:
    """A file that is not a spreadsheet is refused with advice, not a traceback."""
    at = app.run()
    at.switch_page("pages/upload.py").run()
    pdf = (EXAMPLES.parent / "tests" / "data" / "ingest" / "pdf_renamed.csv").read_bytes()
    at.file_uploader(key="upload_file_0").upload("clients.csv", pdf, "text/csv").run()
    assert not at.exception
    assert at.error, "expected a message about the file"
    assert "upload it again" in at.error[0].value


def test_ods_upload(app: AppTest, sandbox: object) -> None:
    """OpenDocument spreadsheets are read like the others."""
    at = app.run()
    at.switch_page("pages/upload.py").run()
    ods = (EXAMPLES.parent / "tests" / "data" / "ingest" / "clients.ods").read_bytes()
    at.file_uploader(key="upload_file_0").upload(
        "clients.ods", ods, "application/vnd.oasis.opendocument.spreadsheet"
    ).run()
    assert not at.exception
    assert int(metric(at, "Rows")) > 0


def _mapping(at: AppTest) -> list[object]:
    return [
        at.selectbox(key=f"upload_map_{f}").value for f in ("client_id", "name", "email", "manager_email")
    ]


def test_a_new_file_shows_its_own_automatic_mapping(app: AppTest, sandbox: object) -> None:
    """Loading another file, removing it, or resetting shows the mapping the checks use (not stale)."""
    at = upload_sample(app, "clients.xlsx")
    automatic = _mapping(at)
    assert automatic[1] != "Industry"
    at.selectbox(key="upload_map_name").set_value("Industry").run()
    assert _mapping(at)[1] == "Industry"

    # Another file through the picker: the drop-downs follow its automatic mapping.
    data = (EXAMPLES / "clients.csv").read_bytes()
    at.file_uploader(key="upload_file_0").upload("clients.csv", data, "text/csv").run()
    assert not at.exception
    fresh = _mapping(at)
    assert None not in fresh and "Industry" not in fresh
    # Touching one drop-down keeps the others as shown (nothing blank gets applied).
    at.selectbox(key="upload_map_manager_email").set_value(fresh[3]).run()
    assert _mapping(at) == fresh
    assert not any("No column is mapped" in unescape(e.value) for e in at.error)

    # Reset to automatic mapping after a change.
    at.selectbox(key="upload_map_name").set_value("Industry").run()
    assert not at.button(key="upload_mapping_reset").disabled
    at.button(key="upload_mapping_reset").click().run()
    assert _mapping(at) == fresh
    assert at.button(key="upload_mapping_reset").disabled

    # Remove file: the picker starts afresh (new key), and the next file is mapped automatically.
    at.selectbox(key="upload_map_name").set_value("Industry").run()
    at.button(key="upload_remove").click().run()
    assert not at.exception
    assert "upload_file_1" in [u.key for u in at.get("file_uploader")]
    data = (EXAMPLES / "clients.xlsx").read_bytes()
    at.file_uploader(key="upload_file_1").upload("clients.xlsx", data, "application/octet-stream").run()
    assert _mapping(at) == automatic


def test_a_file_warning_is_shown_as_a_warning_not_an_error(app: AppTest, sandbox: object) -> None:
    """A repeated 'Email' header is a yellow warning naming both columns; the rows are still checked."""
    at = app
    at.switch_page("pages/upload.py").run()
    data = b"ID,Company,Email,Email\n1,Acme,a@example.com,other@example.com\n"
    at.file_uploader(key="upload_file_0").upload("repeated.csv", data, "text/csv").run()
    assert not at.exception
    assert any("2 columns headed 'Email'" in unescape(w.value) for w in at.warning)
    assert not any("columns headed" in unescape(e.value) for e in at.error)
    assert metric(at, "Valid") == "1"
    issues = table(at, "Severity")  # "All problems": the file's own problem has no row number
    (whole,) = issues[issues["Column"] == "the whole file"].itertuples()
    assert pd.isna(whole.Row) and "columns headed 'Email'" in whole.Problem


def test_rows_hidden_in_the_sheet_start_unticked(app: AppTest, sandbox: object) -> None:
    """A workbook filtered to two of its three clients: all three are valid, the hidden one starts
    unticked (with its warning), so the selection is what the person saw in Excel."""
    at = app.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_file_0").upload(
        "filtered.xlsx", filtered_workbook(), "application/octet-stream"
    ).run()
    assert not at.exception
    assert metric(at, "Valid") == "3"
    assert metric(at, "Selected") == "2"
    grid = at.data_editor[0].value
    hidden = grid[grid[tables.ROW] == 3].iloc[0]
    assert not hidden[tables.SELECT] and hidden[tables.CHECK] == "⚠ warning"
