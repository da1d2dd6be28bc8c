"""DocSpace Onboarding dashboard: ``streamlit run streamlit_app.py``.

With no portal configured it starts the built-in sandbox portal and says so on every page. Pages
live in ``pages/`` and stay thin; shared Streamlit helpers are in ``ui/``; all onboarding logic is
in ``onboarding/``.
"""

from __future__ import annotations

import streamlit as st

from onboarding import Settings
from ui import auth, chrome, session

chrome.ensure_navigation(entry_script=True)
st.set_page_config(
    page_title="DocSpace Onboarding",
    page_icon=":material/domain_add:",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
    st.Page("pages/onboard.py", title="Onboard", icon=":material/rocket_launch:", url_path="onboard"),
    st.Page("pages/results.py", title="Results", icon=":material/table_view:", url_path="results"),
    st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
]

navigation = st.navigation(PAGES)
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
navigation.run()
