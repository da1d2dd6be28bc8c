"""The Settings page's Connection tab: where each setting comes from, a connection test, and a
portal and key for this browser session only (kept in memory, never written to disk)."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from onboarding import Onboarding, Settings, access, load_settings
from ui import auth, chrome, display, session


def use_session_key() -> None:
    url = (st.session_state.get("settings_session_url") or "").strip()
    key = (st.session_state.get("settings_session_key") or "").strip()
    st.session_state["settings_session_key"] = ""  # the key lives only in the connection entry
    if refusal := access.trial_refusal(auth.current()):  # checked before any connection is made
        st.session_state["settings_session_problem"] = refusal
        return
    if not url or not key:
        st.session_state["settings_session_problem"] = "Enter both the portal address and the API key."
        return
    try:
        trial = load_settings(explicit={"portal_url": url, "api_key": key})
        with Onboarding(trial) as svc:
            me = svc.whoami()
    except Exception as exc:
        what, todo = access.trial_failure(exc) or chrome.explain(exc)
        st.session_state["settings_session_problem"] = (
            f"{display.md(chrome.redact(what).replace(key, '•••'))} {chrome.redact(todo)}"
        )
        return
    st.session_state[session.CONNECTION] = {"portal_url": url, "api_key": key}
    session.reset_connection()
    st.session_state["settings_session_ok"] = display.md(
        f"Connected to {url} as {me.display_name or me.email} ({me.user_type})."
    )


def forget_session_key() -> None:
    st.session_state.pop(session.CONNECTION, None)
    session.reset_connection()


def render(s: Settings | None) -> None:
    """The whole tab (``s`` is None when the settings in force cannot be resolved)."""
    if s is not None:
        sources_table(s)
        connection_test()
    session_key_form()


def sources_table(s: Settings) -> None:
    """Each connection setting in force and where it came from."""
    st.dataframe(
        pd.DataFrame(
            [
                ("Portal", s.portal_url or "", display.source_label(s.sources.get("portal_url"))),
                ("API key", s.masked_key(), display.source_label(s.sources.get("api_key"))),
                (
                    "Journal",
                    s.journal_shown,
                    display.source_label(s.sources.get("journal_url", s.sources.get("journal_path"))),
                ),
                (
                    "Blueprint file",
                    str(session.blueprint_path(s)),
                    display.source_label(s.sources.get("blueprint_path")),
                ),
            ],
            columns=["Setting", "Value", "Source"],
        ),
        hide_index=True,
        key="settings_sources",
    )


def connection_test() -> None:
    """A button that asks the portal who the key belongs to, and how fast it answered."""
    if st.button("Test connection", key="settings_test", icon=":material/network_check:"):
        with chrome.guard():
            started = time.perf_counter()
            me = session.service().whoami()
            ms = (time.perf_counter() - started) * 1000
            st.success(
                display.md(
                    f"Connected: the key belongs to {me.display_name or me.email} ({me.email}), "
                    f"{me.user_type}. Answered in {ms:.0f} ms."
                ),
                icon=":material/check_circle:",
            )


def session_key_form() -> None:
    """A portal address and key for this browser session only (tested before use)."""
    st.markdown("##### Use another portal or key for this session")
    st.caption(
        "Kept in this browser session's memory only — never written to disk, and gone when the "
        "tab closes. For a permanent setting use `.streamlit/secrets.toml` or the environment."
    )
    if ok := st.session_state.pop("settings_session_ok", None):
        st.success(ok, icon=":material/check_circle:")
    if problem := st.session_state.pop("settings_session_problem", None):
        st.error(problem, icon=":material/error:")
    with st.form("settings_session_form", border=True):
        st.text_input(
            "Portal address", key="settings_session_url", placeholder="https://yourcompany.onlyoffice.com"
        )
        st.text_input("API key", key="settings_session_key", type="password", autocomplete="off")
        st.form_submit_button(
            "Test and use for this session",
            key="settings_session_submit",
            on_click=use_session_key,
            type="primary",
            disabled=bool(trial_refused := access.trial_refusal(auth.current())),
            help=trial_refused or None,
        )
    if st.session_state.get(session.CONNECTION):
        st.info("A key entered in this session is in use.", icon=":material/key:")
        st.button("Forget the session key", key="settings_session_forget", on_click=forget_session_key)
