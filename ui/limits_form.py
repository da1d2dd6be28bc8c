"""The Settings page's Limits tab: client-side limits for runs started from this session.

Each input's bounds are the ``Settings`` field's own constraints, so the form can never offer a
value the settings would refuse, nor refuse one they accept.
"""

from __future__ import annotations

import streamlit as st

from onboarding import Settings
from ui import display, session, state
from ui.bounds import field_bounds

PREFIX = "settings_limit_"
FIELDS = {
    "writes_in_flight": "Writes in flight",
    "reads_in_flight": "Reads in flight",
    "requests_per_minute": "Requests per minute (0: learn from the portal)",
    "daily_write_budget": "Writes per day",
}


def apply() -> None:
    chosen: dict[str, int | None] = {name: int(st.session_state[PREFIX + name]) for name in FIELDS}
    chosen["requests_per_minute"] = chosen["requests_per_minute"] or None  # 0: learn from the portal
    st.session_state[session.LIMITS] = chosen


def reset() -> None:
    st.session_state.pop(session.LIMITS, None)
    state.drop(PREFIX)


def render(s: Settings) -> None:
    st.caption(
        "Client-side limits for runs started from this session. The portal's own defaults are 15 "
        "concurrent writes, 50 concurrent reads, 1,500 requests per minute and 10,000 writes a day per user. "
        "The request rate is learned from the portal unless you set one here."
    )
    cols = st.columns(len(FIELDS))
    for col, (name, label) in zip(cols, FIELDS.items(), strict=True):
        low, high = field_bounds(Settings, name)
        state.seed(PREFIX + name, int(getattr(s, name) or 0))
        col.number_input(label, min_value=low, max_value=high, step=1, key=PREFIX + name)
        col.caption(f"from {display.source_label(s.sources.get(name))}")
    a1, a2, _ = st.columns([1, 1, 3])
    a1.button("Apply to this session", key="settings_limits_apply", type="primary", on_click=apply)
    a2.button("Use configured values", key="settings_limits_reset", on_click=reset)
