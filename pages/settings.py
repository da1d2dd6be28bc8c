"""Settings: the connection (and a session-only key), the blueprint editor, and the limits."""

from __future__ import annotations

import streamlit as st

from ui import blueprint_editor, chrome, connection_panel, limits_form, manager_check, session

with chrome.page_any("Settings") as s:
    connection_tab, blueprint_tab, limits_tab = st.tabs(["Connection", "Blueprint", "Limits"])
    with connection_tab:
        connection_panel.render(s)
    with blueprint_tab:
        if s is None:
            st.stop()
        edited = blueprint_editor.render(s)
        manager_check.render(edited or session.blueprint_state(s).blueprint)
    with limits_tab:
        if s is None:
            st.stop()
        limits_form.render(s)
