"""DocSpace Onboarding dashboard: ``streamlit run streamlit_app.py``.

With no portal configured it starts the built-in sandbox portal and says so on every page. Pages
live in ``pages/`` and stay thin; shared Streamlit helpers are in ``ui/``; all onboarding logic is
in ``onboarding/``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from onboarding import Settings
from ui import auth, chrome, navigation, session

FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"
"""Bundled with the app: a Material icon name would be fetched from a font host (fails offline)."""

st.set_page_config(
    page_title="DocSpace Onboarding",
    page_icon=str(FAVICON),
    layout="wide",
    initial_sidebar_state="expanded",
)

page = st.navigation(navigation.pages())
with st.sidebar:
    st.markdown("**DocSpace Onboarding**")
    st.caption("Bulk onboarding of business clients into ONLYOFFICE DocSpace rooms.")
current: Settings | None
try:
    current = session.settings()
except Exception:  # shown by the page itself, with advice
    current = None
chrome.sidebar(current)
auth.sidebar()
with navigation.framed():
    page.run()
