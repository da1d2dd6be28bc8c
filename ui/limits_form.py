"""The Settings page's Limits tab: client-side limits for runs started from this session.

Each input is checked on "Apply" against the ``Settings`` field's own constraints, so the form
never applies a value the settings would refuse, nor refuses one they accept. A value out of range
is named with its allowed range and nothing is applied (an input's own min/max would only turn the
field red in the browser, with no word, and Apply would then quietly use the old value). Only the
fields that differ from the configured values become this session's overrides.
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
    "requests_per_minute": "Requests per minute",
    "daily_write_budget": "Writes per day",
}
RATE = "requests_per_minute"
RATE_MODE = PREFIX + "rate_mode"
LEARN, OFF, FIXED = "learn", "off", "fixed"
RATE_MODES = {LEARN: "Learn", OFF: "Off", FIXED: "Fixed"}
"""The request rate's three settings (``Settings.requests_per_minute`` None, 0 and N): one number
cannot say all three, and the environment's ``0`` means off, so the form names them."""
HELP = {
    "writes_in_flight": "Changes (creating rooms, folders, files, invitations) sent to the portal at the same "
    "time. DocSpace refuses more than 15 at once per user.",
    "reads_in_flight": "Look-ups sent to the portal at the same time. DocSpace refuses more than 50 at once per user.",
    "requests_per_minute": "Calls per minute. By default the dashboard learns the portal's limit from its first "
    "refusal and paces itself under it; Fixed paces from the start, Off never paces (a portal without a limiter).",
    "daily_write_budget": "Changes per day. DocSpace allows 10,000 per user; clients beyond it wait for the next day.",
}
"""What each limit means, in words (the Home page no longer shows these; they are ops detail)."""


PROBLEM = "settings_limits_problem"
APPLIED = "settings_limits_applied"


def allowed(name: str) -> str:
    """``between 1 and 15``: the values the settings accept for this field."""
    low, high = field_bounds(Settings, name)
    if low is not None and high is not None:
        return f"between {low:,} and {high:,}"
    if low is not None:
        return f"at least {low:,}"
    return f"at most {high:,}" if high is not None else "any whole number"


def out_of_range(chosen: dict[str, int]) -> list[str]:
    """``Writes in flight must be between 1 and 15 (not 100)``, for each value the settings refuse."""
    wrong = []
    for name, value in chosen.items():
        low, high = field_bounds(Settings, name)
        if (low is not None and value < low) or (high is not None and value > high):
            wrong.append(f"{FIELDS[name]} must be {allowed(name)} (not {value:,})")
    return wrong


def shown_value(s: Settings, name: str) -> int:
    return int(getattr(s, name) or 0)


def rate_mode(rate: int | None) -> str:
    return LEARN if rate is None else OFF if rate == 0 else FIXED


def chosen_rate() -> int | None:
    """The request rate the form says: None to learn, 0 for off, else the number (0 if left at 0)."""
    mode = st.session_state.get(RATE_MODE, LEARN)
    return None if mode == LEARN else 0 if mode == OFF else int(st.session_state[PREFIX + RATE])


def apply() -> None:
    chosen = {name: int(st.session_state[PREFIX + name]) for name in FIELDS if name != RATE}
    wrong = out_of_range(chosen)
    rate = chosen_rate()
    if rate == 0 and st.session_state.get(RATE_MODE) == FIXED:
        wrong.append("A fixed request rate must be at least 1 per minute (Off paces nothing)")
    elif rate is not None:
        wrong += out_of_range({RATE: rate})
    if wrong:
        st.session_state[PROBLEM] = "; ".join(wrong) + ". Nothing was applied."
        return
    configured = session.settings(session_limits=False)
    changed: dict[str, int | None] = {
        name: value for name, value in chosen.items() if value != shown_value(configured, name)
    }
    if rate != configured.requests_per_minute:
        changed[RATE] = rate
    st.session_state[session.LIMITS] = changed
    said = ", ".join(_said(name, value) for name, value in changed.items())
    st.session_state[APPLIED] = (
        f"In force for this session: {said}." if said else "Nothing differs from the configured values."
    )


def _said(name: str, value: int | None) -> str:
    if name == RATE and not value:
        return "request rate " + ("off" if value == 0 else "learned from the portal")
    return f"{FIELDS[name]} {value:,}"


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
        "The request rate is learned from the portal unless you fix one or turn it off here."
    )
    cols = st.columns(len(FIELDS))
    for col, (name, label) in zip(cols, FIELDS.items(), strict=True):
        state.seed(PREFIX + name, shown_value(s, name))
        state.seed(RATE_MODE, rate_mode(s.requests_per_minute))
        if name == RATE:  # the mode first, in line with the other inputs; its number under it
            col.selectbox(
                "Request rate",
                list(RATE_MODES),
                key=RATE_MODE,
                format_func=RATE_MODES.__getitem__,
                help="Learn: from the portal's first refusal. Off: never paced. Fixed: the number below.",
            )
            label = "Fixed, per minute"
        fixed = name != RATE or st.session_state[RATE_MODE] == FIXED
        # No min/max on the input: the browser would refuse a value out of range silently (Apply says why).
        col.number_input(
            label,
            step=1,
            key=PREFIX + name,
            disabled=not fixed,
            help=f"{HELP[name]} Allowed: {allowed(name)}.",
        )
        col.caption(f"from {display.source_label(s.sources.get(name))}")
    if problem := st.session_state.pop(PROBLEM, None):
        st.error(problem, icon=":material/error:")
    if applied := st.session_state.pop(APPLIED, None):
        st.success(applied, icon=":material/check_circle:")
    buttons = st.container(horizontal=True, gap="small")
    buttons.button("Apply to this session", key="settings_limits_apply", type="primary", on_click=apply)
    buttons.button("Use configured values", key="settings_limits_reset", on_click=reset)
