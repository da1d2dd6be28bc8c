"""The Clients table's detail drawer: one client's room, link, invitation e-mail, steps and events.

Shown under the table when exactly one row is selected. The link and the invitation e-mail are
code blocks, whose copy button puts them on the clipboard as they are (Streamlit's own button, no
script of ours). Everything that came from the journal or the portal is shown as literal text.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from onboarding import ClientEntry, ClientState, Onboarding, new_client_id
from ui import display, labels, live, session


def drawer(
    svc: Onboarding,
    e: ClientEntry,
    redact: Callable[[str], str],
    webhook: bool,
    taken: Callable[[], set[str]],
) -> None:
    """``taken`` gives the client ids in use (for a conflict's new id), read only when needed."""
    with st.container(border=True, key="clients_drawer"):
        st.markdown(
            f"**{display.md(e.name or e.client_id)}** · {display.md(e.client_id)} — {labels.state_label(e.state)}"
        )
        facts = [f"E-mail: {e.email or '–'}", f"Account manager: {e.manager_email or '–'}"]
        if e.onboarded_at:
            facts.append(f"Onboarded {display.when(e.onboarded_at)}")
        st.caption(display.md(" · ".join(facts)))
        _problem(e, redact)
        if e.state == ClientState.CONFLICT:
            _conflict_choices(e, taken())
        left, right = st.columns(2)
        with left:
            _room_and_link(e)
        with right:
            _invitation(svc, e)
        _steps_and_events(svc, e, redact)
        if webhook and e.record is not None:
            delivery = svc.deliveries().get(e.client_id)
            said = display.delivery_label(e.record, delivery, svc.crm_events().get(e.client_id, ()))
            st.caption(f"CRM delivery: {display.md(redact(said))}")


def _problem(e: ClientEntry, redact: Callable[[str], str]) -> None:
    if e.state == ClientState.CONFLICT:
        said = "; ".join(f"{field}: journal “{old}”, file “{new}”" for field, old, new in e.differences)
        st.warning(
            display.md(f"This row reuses an id the journal onboarded for someone else ({said}).")
            + " Nothing is written for it until you choose below (or on the **Onboard** page).",
            icon=":material/warning:",
        )
    elif e.error and e.state == ClientState.DEFERRED:
        st.info(display.md(redact(e.error)), icon=":material/hourglass_top:")
    elif e.error and e.state in (ClientState.FAILED, ClientState.BLOCKED):
        st.error(display.md(redact(e.error)), icon=":material/error:")


def _conflict_choices(e: ClientEntry, taken: set[str]) -> None:
    """Skip the row, update the journal's record to it, or onboard it under a new id."""
    new_id = new_client_id(e.client_id, taken)
    choices = {
        "skip": ("Skip this row", "Nothing is written for it."),
        "update": ("Update the record", "The next run updates the journal (a new e-mail is invited)."),
        f"new:{new_id}": (f"Onboard as {display.md(new_id)}", "It gets its own room under the new id."),
    }
    row = st.container(horizontal=True, gap="small", wrap=True)
    for choice, (label, why) in choices.items():
        if row.button(label, key=f"clients_conflict_{choice.split(':')[0]}", help=why):
            session.set_conflict_choices({**session.conflict_choices(), e.client_id: choice})
            live.forget_plan()
            st.rerun(scope="app")


def _room_and_link(e: ClientEntry) -> None:
    st.markdown("**Room**")
    if e.room_url:
        st.link_button(
            display.md(e.room_title or f"Room {e.room_id}"),
            e.room_url,
            key="clients_drawer_room",
            icon=":material/open_in_new:",
            help="Open the room in DocSpace",
        )
    elif e.room_id is not None:
        st.caption(
            display.md(
                f"“{e.room_title}” (room {e.room_id}): its address is recorded once onboarding finishes."
            )
        )
    else:
        st.caption("No room yet.")
    if e.state == ClientState.ARCHIVED:
        st.caption(
            "The room is in the portal's Archive: the client link is hidden. Restore brings both back."
        )
        return
    st.markdown("**Client link**")
    if not e.link_url:
        st.caption("No link yet.")
        return
    st.code(e.link_url, language=None, wrap_lines=True)
    terms = []
    if e.link_expires:
        terms.append(f"expires {e.link_expires[:10]}")
    terms.append(
        "opens for signed-in portal users only" if e.link_sign_in_only else "opens for anyone with the link"
    )
    st.caption(display.md("; ".join(terms).capitalize()) + " · copy it with the button at the right.")


def _invitation(svc: Onboarding, e: ClientEntry) -> None:
    st.markdown("**Invitation e-mail**")
    mail = svc.invitation(e)
    if mail is None:
        st.caption("Ready once the client has a link.")
        return
    st.code(mail.text, language=None, wrap_lines=True, height=220)
    st.caption("Copy it with the button at the top right, then paste it into your mail program.")


def _steps_and_events(svc: Onboarding, e: ClientEntry, redact: Callable[[str], str]) -> None:
    if e.record is None:
        st.caption("Not onboarded yet: the journal has no steps for this client.")
        return
    steps = display.steps_summary(e.record)
    st.markdown(f"**Steps:** {display.md(steps) if steps else 'none recorded'}")
    events = svc.events(e.run_id, client_id=e.client_id) if e.run_id else []
    if not events:
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Time": [display.when(ev.at) for ev in events],
                "Step": [ev.step for ev in events],
                "Outcome": [labels.outcome_label(ev.outcome) for ev in events],
                "Detail": [redact(ev.detail or "") for ev in events],
            }
        ),
        hide_index=True,
        key="clients_drawer_events",
        height=min(38 + 35 * len(events), 300),
    )
