"""Settings page: connection and sources, session-only key, blueprint editor, limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import metric, table, texts, unescape

from onboarding.blueprint import Blueprint


def settings_page(app: AppTest) -> AppTest:
    at = app.run()
    return at.switch_page("pages/settings.py").run()


def test_sources_are_shown_and_the_key_only_masked(app: AppTest, sandbox: object) -> None:
    """The connection table names each setting's source and never shows the whole key."""
    at = settings_page(app)
    assert not at.exception
    grid = table(at, "Source")
    assert "environment (DOCSPACE_API_KEY)" in set(grid["Source"])
    key = sandbox.api_key  # type: ignore[attr-defined]
    assert key not in grid.to_string()
    assert key not in texts(at)


def test_test_connection_names_the_account(app: AppTest, sandbox: object) -> None:
    """ "Test connection" reports whom the key belongs to."""
    at = settings_page(app)
    at.button(key="settings_test").click().run()
    assert not at.exception
    assert any("owner@sandbox.example" in unescape(s.value) for s in at.success)


def test_session_key_is_used_but_never_stored(
    app: AppTest, other_portal: object, clean_app_state: Path
) -> None:
    """A key entered for the session is tested, used, shown masked, and written nowhere."""
    sandbox = other_portal
    at = app.run()  # zero configuration: the built-in sandbox
    at.switch_page("pages/settings.py").run()
    at.text_input(key="settings_session_url").input(sandbox.url)  # type: ignore[attr-defined]
    at.text_input(key="settings_session_key").input(sandbox.api_key)  # type: ignore[attr-defined]
    at.button(key="settings_session_submit").click().run()
    assert not at.exception
    assert any("Connected to" in s.value for s in at.success)
    grid = table(at, "Source")
    assert "this session (Settings page)" in set(grid["Source"])
    assert sandbox.api_key not in texts(at)  # type: ignore[attr-defined]
    for path in clean_app_state.rglob("*"):
        if path.is_file():
            assert sandbox.api_key.encode() not in path.read_bytes()  # type: ignore[attr-defined]
    at.button(key="settings_session_forget").click().run()
    assert "built-in sandbox" in set(table(at, "Source")["Source"])


def test_wrong_session_key_is_refused(app: AppTest, sandbox: object) -> None:
    """A key the portal refuses is not taken into use, and the reason is shown."""
    at = settings_page(app)
    at.text_input(key="settings_session_url").input(sandbox.url)  # type: ignore[attr-defined]
    at.text_input(key="settings_session_key").input("sk-wrong-key-0000")
    at.button(key="settings_session_submit").click().run()
    assert not at.exception
    assert any("refused the API key" in e.value for e in at.error)
    assert "sk-wrong-key-0000" not in texts(at)


def test_blueprint_is_saved_to_toml_and_loaded_back(
    app: AppTest, sandbox: object, clean_app_state: Path
) -> None:
    """Edits are validated, saved to the blueprint TOML, and in force on the next page."""
    at = settings_page(app)
    at.text_input(key="bp_title_pattern").input("Room for {name}")
    at.text_area(key="bp_folders").input("Contracts\nDeliverables\nReports")
    at.run()
    assert any("Unsaved changes" in i.value for i in at.info)
    at.button(key="bp_save_button").click().run()
    assert not at.exception
    saved = Blueprint.load(clean_app_state / "blueprint.toml")
    assert saved.title_pattern == "Room for {name}"
    assert saved.folders == ["Contracts", "Deliverables", "Reports"]
    at.switch_page("pages/onboard.py").run()
    assert "Room for {name}" in texts(at)


def test_invalid_blueprint_cannot_be_saved(app: AppTest, sandbox: object, clean_app_state: Path) -> None:
    """A tag pattern without {client_id} is explained and the Save button stays disabled."""
    at = settings_page(app)
    at.text_input(key="bp_tag_pattern").input("client").run()
    assert not at.exception
    assert any("{client_id}" in unescape(e.value) for e in at.error)
    assert at.button(key="bp_save_button").disabled
    assert not (clean_app_state / "blueprint.toml").exists()


def test_room_type_limits_the_roles_offered(app: AppTest, sandbox: object) -> None:
    """Only the roles a room type allows are offered (a public room has no viewer role for people)."""
    at = settings_page(app)
    at.selectbox(key="bp_room_type").select_index(3).run()  # Public room
    assert not at.exception
    labels = [str(o) for o in at.selectbox(key="bp_client_role").options]
    assert all("Viewer" not in label for label in labels)


def test_template_files_are_picked_by_browsing_the_portal(app: AppTest, sandbox: object) -> None:
    """Browsing My documents adds a file as a template source."""
    at = settings_page(app)
    at.toggle(key="settings_browse").set_value(True).run()
    assert not at.exception
    files = at.multiselect(key="settings_browse_files")
    assert files.options, "My documents should list files"
    files.set_value([files.options[0]]).run()
    at.button(key="settings_browse_add").click().run()
    assert not at.exception
    sources = at.data_editor[0].value["source"].tolist()
    assert f"@my/{files.options[0]}" in sources


def test_manager_eligibility_check(app: AppTest, sandbox: object) -> None:
    """A plain user cannot be Room manager: the check says which role applies instead."""
    at = settings_page(app)
    at.text_input(key="settings_check_email").input("carl.user@sandbox.example")
    at.button(key="settings_check_button").click().run()
    assert not at.exception
    assert any("Content creator" in s.value for s in at.success)


def test_limits_apply_to_the_session(app: AppTest, sandbox: object) -> None:
    """Limits chosen here are in force for the session (the Limits tab's "in force" figures show them)."""
    at = settings_page(app)
    assert metric(at, "Writes in flight") == "15"
    at.number_input(key="settings_limit_writes_in_flight").set_value(3)
    at.button(key="settings_limits_apply").click().run()
    assert not at.exception
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/settings.py").run()
    assert metric(at, "Writes in flight") == "3"


def limit_sources(at: AppTest) -> list[str]:
    """The "from …" caption under each limit input, in the form's order."""
    return [c.value for c in at.caption if c.value.startswith("from ")]


def test_a_limit_out_of_range_is_named_and_only_changed_limits_become_the_sessions(
    app: AppTest, sandbox: object
) -> None:
    """Writes in flight = 100 (the portal allows 1 to 15): Apply names the field and its range and
    applies nothing. A valid change then makes only that field this session's; the others still
    say where they come from."""
    at = settings_page(app)
    at.number_input(key="settings_limit_writes_in_flight").set_value(100)
    at.button(key="settings_limits_apply").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Writes in flight must be between 1 and 15 (not 100). Nothing was applied."
    ]
    assert metric(at, "Writes in flight") == "15"
    assert limit_sources(at) == ["from default"] * 4
    at.number_input(key="settings_limit_writes_in_flight").set_value(3)
    at.button(key="settings_limits_apply").click().run()
    assert not at.exception and not at.error
    assert metric(at, "Writes in flight") == "3"
    assert limit_sources(at) == [
        "from this session (Settings page)",
        "from default",
        "from default",
        "from default",
    ]
    assert [s.value for s in at.success] == ["In force for this session: Writes in flight 3."]
    at.number_input(key="settings_limit_reads_in_flight").set_value(20)
    at.button(key="settings_limits_apply").click().run()
    assert metric(at, "Writes in flight") == "3" and metric(at, "Reads in flight") == "20"
    assert limit_sources(at)[:3] == ["from this session (Settings page)"] * 2 + ["from default"]


def test_the_request_rate_is_learned_off_or_fixed_by_name(app: AppTest, sandbox: object) -> None:
    """The request rate's three settings are chosen by name: Off applies "never paced" (a 0 typed
    as a number used to mean "learn"), Fixed with no number is refused, Fixed 600 paces at 600."""
    at = settings_page(app)
    assert metric(at, "Request rate") == "learned"
    assert at.selectbox(key="settings_limit_rate_mode").value == "learn"
    assert at.number_input(key="settings_limit_requests_per_minute").disabled
    at.selectbox(key="settings_limit_rate_mode").set_value("off")
    at.button(key="settings_limits_apply").click().run()
    assert metric(at, "Request rate") == "off"
    assert [s.value for s in at.success] == ["In force for this session: request rate off."]
    at.selectbox(key="settings_limit_rate_mode").set_value("fixed").run()
    assert not at.number_input(key="settings_limit_requests_per_minute").disabled
    at.button(key="settings_limits_apply").click().run()
    assert [e.value for e in at.error] == [
        "A fixed request rate must be at least 1 per minute (Off paces nothing). Nothing was applied."
    ]
    assert metric(at, "Request rate") == "off"
    at.number_input(key="settings_limit_requests_per_minute").set_value(600)
    at.button(key="settings_limits_apply").click().run()
    assert metric(at, "Request rate") == "600/min"
    at.button(key="settings_limits_reset").click().run()
    assert metric(at, "Request rate") == "learned"
    assert at.selectbox(key="settings_limit_rate_mode").value == "learn"


def test_a_rate_turned_off_in_the_environment_shows_as_off(
    app: AppTest, sandbox: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DOCSPACE_REQUESTS_PER_MINUTE=0 means off; the form shows Off, and applying another limit keeps it off."""
    monkeypatch.setenv("DOCSPACE_REQUESTS_PER_MINUTE", "0")
    at = settings_page(app)
    assert metric(at, "Request rate") == "off"
    assert at.selectbox(key="settings_limit_rate_mode").value == "off"
    at.number_input(key="settings_limit_writes_in_flight").set_value(3)
    at.button(key="settings_limits_apply").click().run()
    assert [s.value for s in at.success] == ["In force for this session: Writes in flight 3."]
    assert metric(at, "Request rate") == "off"


def test_known_members_are_saved_and_a_wrong_entry_is_named(
    app: AppTest, sandbox: object, clean_app_state: Path
) -> None:
    """Known members (one per line) are saved to the blueprint; an entry that is neither an
    address nor @domain is named and blocks saving."""
    at = settings_page(app)
    at.text_area(key="bp_known_members").input("support team").run()
    assert any("'support team'" in unescape(e.value) for e in at.error)
    assert at.button(key="bp_save_button").disabled
    at.text_area(key="bp_known_members").input("Support@Acme.example\n@our-team.example").run()
    at.button(key="bp_save_button").click().run()
    assert not at.exception
    saved = Blueprint.load(clean_app_state / "blueprint.toml")
    assert saved.known_members == ["support@acme.example", "@our-team.example"]


def test_known_members_sit_with_the_people_of_the_room(app: AppTest, sandbox: object) -> None:
    """The audit's known members follow the account manager and the client (the people a room
    gets), before the client link and the per-segment blueprints, under a heading that says what
    they are."""
    at = settings_page(app)
    headings = [str(m.value) for m in at.markdown if str(m.value).startswith("##### ")]
    order = [h.removeprefix("##### ") for h in headings]
    members = order.index("Other room members (audit)")
    assert order[members - 1 : members + 2] == ["Client", "Other room members (audit)", "Client link"], order
    assert members < order.index("Blueprint per segment")
