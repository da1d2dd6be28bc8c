"""Settings configures per-segment blueprints; the Onboard page's plan shows each row's blueprint."""

from __future__ import annotations

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest
from support.apptest import EXAMPLES, metric, table, unescape, upload_sample

from onboarding.blueprint import Blueprint
from onboarding.docspace import RoomType
from ui import tables


def _settings(app: AppTest) -> AppTest:
    at = app.run()
    return at.switch_page("pages/settings.py").run()


def test_segments_are_configured_in_settings_and_saved(
    app: AppTest, sandbox: object, clean_app_state: Path
) -> None:
    """Turning segments on, adding one with the form and saving writes [segments] to the blueprint TOML."""
    at = _settings(app)
    at.toggle(key="bp_segments_on").set_value(True).run()
    at.text_input(key="bp_segments_column").input("Tier")
    at.text_area(key="bp_segments_toml").input("")
    at.text_input(key="bp_segments_new_name").input("Gold")
    at.selectbox(key="bp_segments_new_type").set_value(RoomType.VIRTUAL_DATA)
    at.number_input(key="bp_segments_new_expires").set_value(30)
    at.button(key="bp_segments_add").click().run()
    assert not at.exception
    assert "[Gold]" in str(at.text_area(key="bp_segments_toml").value)
    preview = table(at, "Blueprint")
    gold = preview[preview["Blueprint"] == "Gold"].iloc[0]
    assert (gold["Room type"], gold["Client link"]) == (
        "Virtual data room",
        "invitation, Viewer (read-only), 30 days",
    )
    at.button(key="bp_save_button").click().run()
    saved = Blueprint.load(clean_app_state / "blueprint.toml")
    assert saved.segments is not None and saved.segments.column == "Tier"
    assert saved.for_segment("Gold").room_type == RoomType.VIRTUAL_DATA
    assert saved.for_segment("Gold").link.expires_in_days == 30


def test_a_segment_breaking_a_room_rule_cannot_be_saved(
    app: AppTest, sandbox: object, clean_app_state: Path
) -> None:
    """A segment giving the client a role its room type refuses is named in the error; Save stays off."""
    at = _settings(app)
    at.toggle(key="bp_segments_on").set_value(True).run()
    at.text_area(key="bp_segments_toml").input("[Enterprise]\nroom_type = 8\nclient_role = 5\n").run()
    assert not at.exception
    errors = " ".join(unescape(e.value) for e in at.error)
    assert "segment 'Enterprise': client role Reviewer (5) is not available" in errors
    assert at.button(key="bp_save_button").disabled
    at.text_area(key="bp_segments_toml").input("[Enterprise\n").run()
    assert "not valid TOML" in " ".join(unescape(e.value) for e in at.error)
    assert not (clean_app_state / "blueprint.toml").exists()


def test_the_plan_shows_the_blueprint_each_row_gets(
    app: AppTest, sandbox: object, clean_app_state: Path
) -> None:
    """With the example segmented blueprint, the plan names each row's blueprint; 'Gold' was refused in review."""
    clean_app_state.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "blueprint-segments.toml", clean_app_state / "blueprint.toml")
    at = upload_sample(app, "clients-segments.csv")
    at.switch_page("pages/onboard.py").run()
    assert not at.exception
    plan = table(at, "Blueprint").set_index("Client ID")
    assert plan["Blueprint"].to_dict() == {"SG-2001": "Enterprise", "SG-2002": "SMB", "SG-2003": "default"}
    assert plan.loc["SG-2001", "Room title (as stored)"] == "Data room - Northwind Holdings"


def _segmented(app: AppTest, clean_app_state: Path, csv: bytes) -> AppTest:
    clean_app_state.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "blueprint-segments.toml", clean_app_state / "blueprint.toml")
    at = app.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_file_0").upload("clients.csv", csv, "text/csv").run()
    assert not at.exception
    return at


def test_an_unknown_segment_is_a_row_error_in_the_review(
    app: AppTest, sandbox: object, clean_app_state: Path
) -> None:
    """'Gold' is SG-2004's error in the review grid (value, column, valid names); the other rows stay valid,
    and each row's room title is its own segment's."""
    at = _segmented(app, clean_app_state, (EXAMPLES / "clients-segments.csv").read_bytes())
    grid = at.data_editor[0].value.set_index(tables.ROW)
    problem = grid.loc[5, tables.PROBLEMS]
    assert "segment 'Gold' in column 'Segment'" in problem and "'Enterprise', 'SMB'" in problem
    assert metric(at, "Valid") == "3" and metric(at, "With errors") == "1"
    assert grid.loc[2, tables.TITLE] == "Data room - Northwind Holdings"
    assert grid.loc[3, tables.TITLE] == "Client - Bluebird Bakery"


def test_a_renamed_segment_header_is_mapped_on_the_upload_page(
    app: AppTest, sandbox: object, clean_app_state: Path
) -> None:
    """A 'Tier' column is not found by the name 'Segment'; mapping it routes the rows (titles and plan)."""
    csv = (EXAMPLES / "clients-segments.csv").read_bytes().replace(b",Segment\n", b",Tier\n", 1)
    at = _segmented(app, clean_app_state, csv)
    key = "upload_map_segment"
    assert at.selectbox(key=key).value is None
    assert metric(at, "With errors") == "0"  # every row gets the default: 'Gold' is just text
    at.selectbox(key=key).set_value("Tier").run()
    assert not at.exception
    assert at.selectbox(key=key).value == "Tier"
    assert metric(at, "With errors") == "1"
    grid = at.data_editor[0].value.set_index(tables.ROW)
    assert "segment 'Gold' in column 'Tier'" in grid.loc[5, tables.PROBLEMS]
    assert grid.loc[2, tables.TITLE] == "Data room - Northwind Holdings"
    at.switch_page("pages/onboard.py").run()
    plan = table(at, "Blueprint").set_index("Client ID")
    assert plan["Blueprint"].to_dict() == {"SG-2001": "Enterprise", "SG-2002": "SMB", "SG-2003": "default"}


def test_a_saved_segmented_blueprint_opens_unchanged_in_the_editor(
    app: AppTest, sandbox: object, clean_app_state: Path
) -> None:
    """The example file's segments fill the editor as they are: no spurious "Unsaved changes"."""
    clean_app_state.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "blueprint-segments.toml", clean_app_state / "blueprint.toml")
    at = _settings(app)
    assert not at.exception
    assert at.toggle(key="bp_segments_on").value is True
    assert at.text_input(key="bp_segments_column").value == "Segment"
    assert "[Enterprise.link]" in str(at.text_area(key="bp_segments_toml").value)
    assert not any("Unsaved changes" in i.value for i in at.info)
    preview = table(at, "Blueprint").set_index("Blueprint")
    assert preview.loc["Enterprise", "Room title"] == "Data room - {name}"
    at.toggle(key="bp_segments_on").set_value(False).run()
    assert any("Unsaved changes" in i.value for i in at.info)
