"""Home: which portal and account, the limits in force, the last runs, and the next step."""

from __future__ import annotations

import streamlit as st

from onboarding import ClientStatus, RunStatus
from ui import chrome, display, resources, session


def last_runs(polling: bool) -> None:
    """The last runs, with the counts of a run still going read from its events (every second)."""
    svc = session.service()
    runs = svc.runs(limit=5)
    if not runs:
        st.caption("No runs yet on this portal.")
        return
    live = {r.run_id: svc.progress(r.run_id).status_counts for r in runs if r.status == RunStatus.RUNNING}
    st.dataframe(display.runs_frame(runs, live), hide_index=True, key="home_runs")
    st.page_link("pages/results.py", label="All results", icon=":material/table_view:")
    if polling and not live:
        st.rerun(scope="app")  # the run ended: the rest of the page (next step) changes too


with chrome.page(
    "DocSpace Onboarding", "Onboard business clients into ONLYOFFICE DocSpace rooms, in bulk."
) as s:
    svc = session.service()
    connection = session.connection_id(s)

    with st.container(border=True):
        st.subheader("Portal", anchor=False)
        st.markdown(f"**{'Sandbox portal' if s.sandbox else 'Portal'}:** `{s.portal_url}`")
        with chrome.guard():
            me = resources.whoami(connection, svc)
            st.markdown(
                f"**API key belongs to:** {display.md(me.display_name or me.email)} ({display.md(me.email)})"
                f" — **{display.md(me.user_type)}**"
            )
            if not me.can_manage_rooms:
                st.warning(
                    "This account cannot create rooms. Use the key of a DocSpace admin or room admin.",
                    icon=":material/block:",
                )
        st.caption(f"Key {s.masked_key()} · from {display.source_label(s.sources.get('api_key'))}")
        # The ops detail (calls at once, request rate) is on Settings → Limits; here only what a
        # person plans a day around.
        st.caption(
            f"Up to {s.daily_write_budget:,} changes a day on this portal; a bigger batch continues the next day. "
            "Technical limits: **Settings → Limits**."
        )

    st.subheader("Next step", anchor=False)
    batch = session.readable_batch()
    active = svc.live_runs()
    if active:
        st.info(f"A batch is running ({active[0].run_id}).", icon=":material/sync:")
        st.page_link("pages/onboard.py", label="Watch its progress", icon=":material/rocket_launch:")
    elif batch is None:
        st.markdown("Upload a client spreadsheet (CSV, XLSX or ODS) and check it before onboarding.")
        st.page_link("pages/upload.py", label="Upload a client list", icon=":material/upload_file:")
    else:
        chosen = session.selected_clients()
        st.markdown(
            f"**{display.md(batch.source.filename)}** is loaded: {len(batch.clients)} valid of {display.plural(batch.total_rows, 'row')}, "
            f"{len(chosen)} selected."
        )
        done = svc.records_of([c.client_id for c in chosen])
        left_to_do = [
            c for c in chosen if (rec := done.get(c.client_id)) is None or rec.status != ClientStatus.DONE
        ]
        if not chosen:
            st.page_link(
                "pages/upload.py", label="Select the clients to onboard", icon=":material/upload_file:"
            )
        elif not left_to_do:
            st.markdown("Every selected client is onboarded already.")
            st.page_link("pages/results.py", label="See their rooms and links", icon=":material/table_view:")
            st.page_link("pages/upload.py", label="Upload another client list", icon=":material/upload_file:")
        else:
            n = len(left_to_do)
            st.page_link(
                "pages/onboard.py",
                label=f"Review the plan for {n} client{'' if n == 1 else 's'}"
                + (f" ({len(chosen) - n} already onboarded)" if n < len(chosen) else ""),
                icon=":material/rocket_launch:",
            )

    st.subheader("Last runs", anchor=False)
    running = any(r.status == RunStatus.RUNNING for r in svc.runs(limit=5))
    st.fragment(run_every=1 if running else None)(last_runs)(running)
