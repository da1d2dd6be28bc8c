"""The Upload page's segment column: which column of the file picks each row's blueprint.

Shown only when the blueprint has segments. It is seeded, like the other mapping drop-downs, with
the header the checks were made with (``batch.mapping.segment``: the one the person chose, else the
header spelling the configured name, ignoring case and spaces), so a renamed header can be mapped
here instead of renaming it in the file or in Settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from onboarding import ClientBatch
from ui import display, session

FIELD = "segment"


def select(where: Any, batch: ClientBatch, key: str, on_change: Callable[[], None]) -> None:
    """The drop-down (nothing without segments); its value goes to ``ColumnMapping.segment``."""
    rules = session.blueprint().segments
    if rules is None:
        return
    options: list[str | None] = [None, *batch.headers]
    used = batch.mapping.segment
    if key not in st.session_state or st.session_state[key] != used:
        st.session_state[key] = used if used in options else None
    where.selectbox(
        "Segment (chooses the blueprint)",
        options,
        key=key,
        format_func=lambda h: "— not in the file: every row gets the default —" if h is None else str(h),
        on_change=on_change,
        help=f"Settings name the segment column “{display.md(rules.column)}”; a column of that name is "
        "found by itself (letter case and spaces ignored). Each row's value picks its blueprint "
        f"({display.md(', '.join(rules.names))}); an empty cell gets the default.",
    )


def title_note() -> str:
    """How the caption on room titles ends: a segment's blueprint may have its own title pattern."""
    if session.blueprint().segments is None:
        return "."
    return " (or the row's segment's blueprint's: the grid shows each row's own title)."
