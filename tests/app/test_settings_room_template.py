"""Settings' blueprint editor: the room's contents come from folders and files or from a room template
picked from the portal's Templates section (exclusive, as the blueprint requires)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from support.apptest import texts, unescape
from support.room_templates import make_template
from support.sandbox_api import Api

from docspace_sandbox.server import Sandbox
from onboarding.blueprint import Blueprint
from onboarding.docspace import RoomType

SOURCE, TEMPLATE = "bp_contents_source", "bp_room_template"


def _settings(app: AppTest) -> AppTest:
    at = app.run()
    return at.switch_page("pages/settings.py").run()


def _errors(at: AppTest) -> str:
    return " ".join(unescape(e.value) for e in at.error)


def test_without_templates_the_editor_says_how_to_make_one(
    app: AppTest, sandbox: Sandbox, clean_app_state: Path
) -> None:
    """A portal with no templates: choosing "A room template" explains Save as template; Save stays off."""
    at = _settings(app)
    assert at.radio(key=SOURCE).value == "files"
    at.radio(key=SOURCE).set_value("template").run()
    assert not at.exception
    assert "no room templates yet" in texts(at) and "Save as template" in texts(at)
    assert "choose a room template" in _errors(at)
    assert at.button(key="bp_save_button").disabled


def test_a_picked_template_replaces_folders_and_files_and_is_saved_by_id(
    app: AppTest, sandbox: Sandbox, clean_app_state: Path
) -> None:
    """Picking a template hides folders and files, the summary names it, Save writes its id and no folders;
    switching back brings the folders back."""
    template_id = make_template(Api(sandbox), "Client room")
    at = _settings(app)
    at.radio(key=SOURCE).set_value("template").run()
    assert not at.exception
    assert at.selectbox(key=TEMPLATE).value == str(template_id)
    assert not any(t.key == "bp_folders" for t in at.text_area)
    assert "made from **Client room** (template" in texts(at)
    assert not _errors(at)
    at.button(key="bp_save_button").click().run()
    saved = Blueprint.load(clean_app_state / "blueprint.toml")
    assert (saved.room_template, saved.folders, saved.templates) == (str(template_id), [], [])
    at.radio(key=SOURCE).set_value("files").run()
    assert at.text_area(key="bp_folders").value == ""  # the saved blueprint has none of its own
    at.button(key="bp_defaults_button").click().run()
    at.radio(key=SOURCE).set_value("template").run()
    at.radio(key=SOURCE).set_value("files").run()
    assert at.text_area(key="bp_folders").value == "Invoices\nContracts\nDeliverables"


def test_a_template_of_another_room_type_sets_the_room_type(
    app: AppTest, sandbox: Sandbox, clean_app_state: Path
) -> None:
    """The template decides the room type: a mismatch is named and blocks Save; picking it sets the type."""
    api = Api(sandbox)
    collab = make_template(api, "Collaboration template", room_type=int(RoomType.COLLABORATION))
    custom = make_template(api, "Custom template", room_type=int(RoomType.CUSTOM))
    at = _settings(app)
    at.radio(key=SOURCE).set_value("template").run()
    assert at.selectbox(key=TEMPLATE).value == str(collab)  # the one fitting the room type comes first
    at.selectbox(key=TEMPLATE).set_value(str(custom)).run()
    assert not at.exception
    assert at.selectbox(key="bp_room_type").value == RoomType.CUSTOM
    assert not _errors(at)
    at.selectbox(key="bp_room_type").set_value(RoomType.COLLABORATION).run()
    assert "makes a Custom room, but the room type is Collaboration room" in _errors(at)
    assert at.button(key="bp_save_button").disabled


def test_a_blueprint_naming_its_template_by_title_opens_unchanged(
    app: AppTest, sandbox: Sandbox, clean_app_state: Path
) -> None:
    """A TOML blueprint with room_template = "<title>" shows that template picked and no unsaved changes."""
    make_template(Api(sandbox), "Client room")
    clean_app_state.mkdir(parents=True, exist_ok=True)
    Blueprint(room_template="Client room").save(clean_app_state / "blueprint.toml")
    at = _settings(app)
    assert at.radio(key=SOURCE).value == "template"
    assert at.selectbox(key=TEMPLATE).value == "Client room"
    assert not any("Unsaved changes" in i.value for i in at.info)
