"""Check one e-mail against the account-manager rule, as the plan would apply it to a row."""

from __future__ import annotations

import streamlit as st

from onboarding import Blueprint
from ui import chrome, display, session


def render(blueprint: Blueprint) -> None:
    """An e-mail box and a button; the answer comes from ``Onboarding.check_manager``."""
    st.markdown("##### Check an account manager")
    e1, e2 = st.columns([3, 1], vertical_alignment="bottom")
    e1.text_input("E-mail", key="settings_check_email", placeholder="anna.manager@yourcompany.com")
    if not (
        e2.button("Check eligibility", key="settings_check_button")
        and st.session_state["settings_check_email"]
    ):
        return
    with chrome.guard():
        check = session.service().check_manager(st.session_state["settings_check_email"], blueprint)
        email, user, decision = check.email, check.user, check.decision
        if decision.blocked:
            st.error(display.md(decision.blocked), icon=":material/block:")
        elif decision.role is None:
            st.info(display.md(decision.note or f"{email} will not be invited."), icon=":material/info:")
        else:
            who = f"{user.display_name} ({user.user_type})" if user else email
            st.success(
                display.md(f"{who} is invited as {decision.role.label}. {decision.note}"),
                icon=":material/check_circle:",
            )
