"""Widget state that survives leaving a page.

Streamlit forgets a widget's value when its page is not shown. Pages keep what matters in plain
session-state entries and *seed* each widget from them when it is created again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st


def seed(key: str, value: Any, options: Iterable[Any] | None = None) -> None:
    """Give widget ``key`` the value ``value`` unless it already has a (still valid) value."""
    if options is not None:
        allowed = list(options)
        if key in st.session_state and st.session_state[key] not in allowed:
            del st.session_state[key]
        if value not in allowed:
            value = allowed[0] if allowed else None
    if key not in st.session_state:
        st.session_state[key] = value


def drop(prefix: str) -> None:
    """Forget every widget whose key starts with ``prefix`` (they are seeded again next run)."""
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]


def bump(counter: str) -> int:
    """Increase a counter used in a widget key, which makes that widget start afresh."""
    st.session_state[counter] = st.session_state.get(counter, 0) + 1
    return int(st.session_state[counter])
