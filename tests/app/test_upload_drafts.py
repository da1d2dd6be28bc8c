"""Restore after reload: the upload, its sheet, mapping, edits, selection and conflict choices come back
in a new session (a reload or a new tab is a new AppTest); removing the file removes the draft."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest
from support.apptest import EXAMPLES, OIDC, edit_cell, grid_row, metric, onboard_row, texts, upload_sample

from onboarding.access import ANONYMOUS_ALLOWED
from onboarding.drafts import Draft, DraftStore
from onboarding.journal import Journal
from tests.app.conftest import APP
from ui import live, session, tables

RESTORED = "Restored your last upload, **clients.xlsx**"


def _reload(user: str | None = None) -> AppTest:
    """A new browser session on the same server (what a reload or a new tab is), signed in as
    ``user`` through OpenID Connect when one is given."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    if user is not None:
        at.secrets["auth"] = OIDC
        at.user = {"is_logged_in": True, "email": user, "name": user.split("@")[0]}
    at.run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def test_reload_restores_file_mapping_edits_and_selection(app: AppTest, sandbox: object) -> None:
    """After a reload the same file, sheet, mapping, edited cell and selection are back, and it says so."""
    at = upload_sample(app)
    at = edit_cell(at, 10, "E-mail address", "research@tyrell.example.com")
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {tables.SELECT: False}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.selectbox(key="upload_map_manager_email").set_value(None).run()
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {1: {tables.SELECT: False}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert (metric(at, "Valid"), metric(at, "Selected")) == ("14", "13")

    again = _reload()
    assert RESTORED in texts(again)
    assert "In use: **clients.xlsx**" in texts(again)
    assert again.selectbox(key="upload_map_manager_email").value is None
    assert grid_row(again, 10)["E-mail address"] == "research@tyrell.example.com"
    assert (metric(again, "Valid"), metric(again, "Selected")) == ("14", "13")
    assert not grid_row(again, 5)[tables.SELECT] and grid_row(again, 10)[tables.SELECT]
    # The notice is said once, not on every rerun.
    again.run()
    assert RESTORED not in texts(again)


def test_other_sheet_and_its_edits_come_back(app: AppTest, sandbox: object) -> None:
    """The chosen sheet is restored, and each sheet keeps its own edits."""
    at = upload_sample(app)
    at.selectbox(key="upload_sheet").set_value("Archived clients").run()
    first = int(at.data_editor[0].value[tables.ROW].iloc[0])
    at = edit_cell(at, first, "Company", "Renamed Ltd")
    again = _reload()
    assert "sheet **Archived clients**" in texts(again)
    assert grid_row(again, first)["Company"] == "Renamed Ltd"


def test_conflict_choices_come_back(app: AppTest, sandbox: object, journal: Callable[[], Journal]) -> None:
    """A choice made for an identity conflict on the Onboard page is kept with the upload."""
    j = journal()
    at = onboard_row(upload_sample(app), j, "CL-1001")
    rec = next(r for r in j.clients() if r.client_id == "CL-1001")
    j.upsert_client(rec.portal, "CL-1001", name="Müller & Söhne GmbH")
    at.run()
    at.button(key="onboard_refresh_plan").click().run()
    wid = live.widget_id("CL-1001")
    at.radio(key=f"conflict_choice_{wid}").set_value("skip").run()
    at.button(key=f"conflict_apply_{wid}").click().run()
    assert at.session_state[session.CHOICES] == {"CL-1001": "skip"}

    again = _reload()
    assert again.session_state[session.CHOICES] == {"CL-1001": "skip"}


def test_removing_the_file_removes_the_draft(app: AppTest, sandbox: object, clean_app_state: Path) -> None:
    """ "Remove file" forgets the draft: the next session starts with an empty Upload page."""
    at = upload_sample(app)
    assert list((clean_app_state / "drafts").glob("*.json"))
    at.button(key="upload_remove").click().run()
    assert not list((clean_app_state / "drafts").iterdir())
    again = _reload()
    assert "Upload a spreadsheet with one client per row" in texts(again)


def test_a_draft_is_private_and_holds_no_key(app: AppTest, sandbox: object, clean_app_state: Path) -> None:
    """Draft files are 0600 in a 0700 folder and never contain the API key."""
    upload_sample(app)
    key = sandbox.api_key.encode()  # type: ignore[attr-defined]
    folder = clean_app_state / "drafts"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert len(files) == 2
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert key not in path.read_bytes()


def test_a_read_only_visitor_keeps_no_draft(app: AppTest, real_portal: object, clean_app_state: Path) -> None:
    """Anonymous read-only visitors of a real portal share one identity, so their uploads are not kept."""
    at = upload_sample(app)
    assert not at.exception
    assert metric(at, "Rows") == "15"
    assert not (clean_app_state / "drafts").exists() or not list((clean_app_state / "drafts").iterdir())


def test_a_draft_that_no_longer_reads_can_be_removed(
    app: AppTest, sandbox: object, clean_app_state: Path
) -> None:
    """A kept file the reader now refuses is explained with a way out ("Remove file"), not a dead end."""
    pdf = (EXAMPLES.parent / "tests" / "data" / "ingest" / "pdf_renamed.csv").read_bytes()
    DraftStore(clean_app_state / "drafts").save(ANONYMOUS_ALLOWED, Draft(name="old.csv", data=pdf))
    at = _reload()
    assert "**old.csv** cannot be used" in texts(at)
    at.button(key="upload_remove").click().run()
    assert not at.exception
    assert "Upload a spreadsheet with one client per row" in texts(at)
    assert not list((clean_app_state / "drafts").glob("*.json"))


def test_each_signed_in_user_has_their_own_draft(app: AppTest, real_portal: object) -> None:
    """Ann's upload comes back for Ann in a new session, never for Bob."""
    app.secrets["auth"] = OIDC
    app.user = {"is_logged_in": True, "email": "ann@example.com", "name": "Ann"}
    at = upload_sample(app)
    assert not at.exception and metric(at, "Rows") == "15"
    bob = _reload("bob@example.com")
    assert "Upload a spreadsheet with one client per row" in texts(bob)
    ann = _reload("ann@example.com")
    assert RESTORED in texts(ann)
