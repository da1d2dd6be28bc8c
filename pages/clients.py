"""Clients: one table of every client (the current upload and the journal), with row actions.

Where a person works on clients: filter, select rows, onboard or retry, archive, restore, copy the
link or the invitation e-mail, re-send to the CRM. Onboard keeps the plan and batch progress,
Results the history, exports and charts. While a run goes on the table re-draws every second, so
a client's state changes in place.
"""

from __future__ import annotations

import streamlit as st

from onboarding import Onboarding, RunStatus
from ui import chrome, clients_actions, clients_detail, clients_table, display, live, session

TOKEN = "clients_page_token"
"""The journal's state when the page was last drawn in full (a change means: draw it again)."""


def running_bars(svc: Onboarding) -> None:
    """One progress bar per live run (its details stay on the Onboard page)."""
    for run in live.live_runs(svc):
        if run.alive:
            fill, text = live.run_summary(run.progress, RunStatus.RUNNING, alive=True, stopping=False)
            st.progress(fill, text=f"Run {run.run_id}: {text}")


def clients_section(polling: bool) -> None:
    """Filters, actions, the table and the drawer; re-run every second while a run is live."""
    with chrome.guard():
        svc = session.service()
        batch = session.readable_batch()
        rows = batch.clients if batch is not None and not batch.blocked else []
        entries = svc.clients(rows, choices=session.conflict_choices())
        holder = clients_table.shown_now()
        holder.entries, holder.total = [], len(entries)
        if not entries:
            st.info("No clients yet: upload a client list to start.", icon=":material/info:")
            st.page_link("pages/upload.py", label="Upload a client list", icon=":material/upload_file:")
            return
        found = clients_table.filters(svc, entries, has_upload=bool(rows))
        shown = holder.entries = clients_table.apply(entries, found)
        line = st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=True)
        line.caption(
            f"{len(shown)} of {display.plural(len(entries), 'client')} shown: {clients_table.summary(shown)}"
        )
        if not polling:  # while polling the download is drawn once, outside (see the page below)
            clients_table.download(svc, line, holder, live=False)
        busy = live.busy_clients(svc)
        if polling:
            running_bars(svc)
        redact = chrome.redactor()
        webhook = bool(svc.settings.webhook_url)
        actions = st.container()
        st.space(20)  # the grid's toolbar floats 34 px above it: clear of the action buttons
        selected = clients_table.grid(shown, redact)
        with actions:
            clients_actions.bar(svc, selected, busy, webhook)
        if len(selected) == 1:
            clients_detail.drawer(svc, selected[0], redact, webhook, lambda: {e.client_id for e in entries})
        elif selected:
            st.caption(f"{len(selected)} clients selected: select one row to see its details.")
        if (
            polling
            and not live.active_handles(svc)
            and live.journal_token(svc) != st.session_state.get(TOKEN)
        ):
            st.rerun(scope="app")  # the run ended: stop polling, draw everything once more


with chrome.page(
    "Clients",
    "Every client in one table: the current upload and everything the journal knows. "
    "Select rows to act on them; one selected row shows its details.",
):
    svc = session.service()
    live.show_notices()
    polling = bool(live.active_handles(svc)) or any(r.status == RunStatus.RUNNING for r in svc.runs(limit=5))
    st.session_state[TOKEN] = live.journal_token(svc)
    if polling:
        # The table re-draws every second; its download must not: each drawing revokes the file
        # id a click may still hold (``clients_table.Shown``). So it stands above, drawn once.
        line = st.container(horizontal=True, horizontal_alignment="right", gap="small")
        st.fragment(run_every=1)(clients_section)(polling)
        clients_table.download(svc, line, clients_table.shown_now(), live=True)
    else:
        st.fragment(clients_section)(polling)
