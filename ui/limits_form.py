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
HELP = {
    "writes_in_flight": "Changes (creating rooms, folders, files, invitations) sent to the portal at the same "
    "time. DocSpace refuses more than 15 at once per user.",
    "reads_in_flight": "Look-ups sent to the portal at the same time. DocSpace refuses more than 50 at once per user.",
    "requests_per_minute": "Calls per minute. By default the dashboard learns the portal's limit from its first "
    "refusal and paces itself under it; set a number to pace from the start.",
    "daily_write_budget": "Changes per day. DocSpace allows 10,000 per user; clients beyond it wait for the next day.",
}
"""What each limit means, in words (the Home page no longer shows these; they are ops detail)."""


def apply() -> None:
    chosen: dict[str, int | None] = {name: int(st.session_state[PREFIX + name]) for name in FIELDS}
    chosen["requests_per_minute"] = chosen["requests_per_minute"] or None  # 0: learn from the portal
    st.session_state[session.LIMITS] = chosen


def reset() -> None:
    st.session_state.pop(session.LIMITS, None)
    state.drop(PREFIX)


def in_force(s: Settings) -> None:
    """The limits in force for this session, each with what it means."""
    a, b, c, d = st.columns(4)
    a.metric(FIELDS["writes_in_flight"], s.writes_in_flight, help=HELP["writes_in_flight"])
    b.metric(FIELDS["reads_in_flight"], s.reads_in_flight, help=HELP["reads_in_flight"])
    c.metric("Writes / day", f"{s.daily_write_budget:,}", help=HELP["daily_write_budget"])
    rate = {None: "learned", 0: "off"}.get(s.requests_per_minute, f"{s.requests_per_minute or 0:,}/min")
    d.metric("Request rate", rate, help=HELP["requests_per_minute"])
    st.caption(f"Requests per minute: {s.rate_text}.")


def render(s: Settings) -> None:
    st.subheader("Limits in force", anchor=False)
    in_force(s)
    st.subheader("Change them for this session", anchor=False)
    st.caption(
        "Client-side limits for runs started from this session. The portal's own defaults are 15 "
        "concurrent writes, 50 concurrent reads, 1,500 requests per minute and 10,000 writes a day per user. "
        "The request rate is learned from the portal unless you set one here."
    )
    cols = st.columns(len(FIELDS))
    for col, (name, label) in zip(cols, FIELDS.items(), strict=True):
        low, high = field_bounds(Settings, name)
        state.seed(PREFIX + name, int(getattr(s, name) or 0))
        col.number_input(label, min_value=low, max_value=high, step=1, key=PREFIX + name, help=HELP[name])
        col.caption(f"from {display.source_label(s.sources.get(name))}")
    buttons = st.container(horizontal=True, gap="small")
    buttons.button("Apply to this session", key="settings_limits_apply", type="primary", on_click=apply)
    buttons.button("Use configured values", key="settings_limits_reset", on_click=reset)
