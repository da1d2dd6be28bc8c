"""Settings > Blueprint: a pattern placeholder no row can fill is pointed out as it is typed."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from support.apptest import unescape, upload_sample


def _warnings(at: AppTest) -> list[str]:
    return [unescape(w.value) for w in at.warning]


def test_a_typo_in_the_title_pattern_is_named_with_the_files_columns(app: AppTest, sandbox: object) -> None:
    """{nme} with the example list uploaded: a warning names it as neither a client field nor a
    column of clients.xlsx (every row would be refused); {Industry}, a column of the file, is not
    named; the blueprint stays valid (a file may have such a column), so Save stays enabled."""
    at = upload_sample(app.run())
    at.switch_page("pages/settings.py").run()
    at.text_input(key="bp_title_pattern").input("Client - {nme} ({Industry})").run()
    assert not at.exception
    (warning,) = [w for w in _warnings(at) if "{nme}" in w]
    assert "neither a client field" in warning and "nor a column of clients.xlsx" in warning
    assert "{Industry}" not in warning
    assert not at.button(key="bp_save_button").disabled
    at.text_input(key="bp_title_pattern").input("Client - {name} ({Industry})").run()
    assert not any("neither a client field" in w for w in _warnings(at))
