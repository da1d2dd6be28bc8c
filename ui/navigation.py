"""Navigation through ``st.navigation`` only, with the pages kept in the ``pages/`` folder.

Streamlit treats an app whose entry script has a ``pages/`` folder beside it as a "version 1"
multipage app until some run calls ``st.navigation`` (which switches the server process over for
good; AppTest starts every run afresh). In that mode a requested page's script runs on its own —
without the entry script's page config, navigation and sidebar. So the entry script marks the
page run it frames (:func:`framed`), and a page that finds itself unframed
(:func:`ensure_framed`) runs the entry script in its place — which calls ``st.navigation`` and
runs the same page again, properly framed — and stops; unlike a rerun, this keeps the run's button
clicks. Only public Streamlit calls are used.
"""

from __future__ import annotations

import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from streamlit.navigation.page import StreamlitPage

ENTRY_SCRIPT = Path(__file__).resolve().parent.parent / "streamlit_app.py"

_run = threading.local()
"""Per script-run thread: whether the page running now was started by the entry script."""


def pages() -> list[StreamlitPage]:
    """The dashboard's pages, in sidebar order."""
    return [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
        st.Page("pages/onboard.py", title="Onboard", icon=":material/rocket_launch:", url_path="onboard"),
        st.Page("pages/clients.py", title="Clients", icon=":material/group:", url_path="clients"),
        st.Page("pages/results.py", title="Results", icon=":material/table_view:", url_path="results"),
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
    ]


@contextmanager
def framed() -> Iterator[None]:
    """The entry script runs the chosen page inside this block."""
    _run.framed = True
    try:
        yield
    finally:
        _run.framed = False


def ensure_framed() -> None:
    """Called first by every page: run through the entry script if Streamlit ran us on our own."""
    if getattr(_run, "framed", False):
        return
    runpy.run_path(str(ENTRY_SCRIPT), run_name="__main__")
    st.stop()
