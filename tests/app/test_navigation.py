"""Navigation: every page, asked for directly, runs inside the entry script's frame (AppTest).

AppTest decides before every run that an app with a ``pages/`` folder is a "version 1" multipage
app, so each switch below first runs the page script on its own; ``ui/navigation.py`` must hand
it to the entry script, which draws the sidebar and runs the page once, framed.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

HEADINGS = {
    "pages/home.py": "DocSpace Onboarding",
    "pages/upload.py": "Upload clients",
    "pages/onboard.py": "Onboard clients",
    "pages/clients.py": "Clients",
    "pages/results.py": "Results",
    "pages/settings.py": "Settings",
}


@pytest.mark.parametrize("path", list(HEADINGS))
def test_each_page_asked_for_directly_is_framed_once(app: AppTest, path: str) -> None:
    """The page's title is drawn once, under the entry script's sidebar, with no exception."""
    at = app.switch_page(path).run()
    assert not at.exception
    assert [t.value for t in at.title] == [HEADINGS[path]]
    assert "**DocSpace Onboarding**" in [m.value for m in at.sidebar.markdown]
