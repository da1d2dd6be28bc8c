"""Results: every client in the journal, filtered, with links, step outcomes, exports and charts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from onboarding import export
from ui import chrome, format, session

ALL_RUNS = "All runs"

with chrome.page("Results", "Every client onboarded on this portal, from the journal (all runs).") as s:
    svc = session.service()
    runs = svc.journal.runs(svc.portal_key, limit=200)
    batch_runs = [r for r in runs if r.kind == "run"]
    labels = {r.run_id: f"{format.when(r.started_at)} · {r.run_id} · {r.total} clients" for r in batch_runs}

    f1, f2, f3 = st.columns([2, 2, 2])
    run_choice = f1.selectbox(
        "Run",
        [ALL_RUNS, *labels],
        key="results_run",
        format_func=lambda v: labels.get(v, v),
    )
    run_id = None if run_choice == ALL_RUNS else run_choice
    records = svc.results(run_id)
    statuses = sorted({r.status for r in records})
    managers = sorted({r.manager_email for r in records if r.manager_email})
    chosen_status = f2.multiselect(
        "Status", statuses, key="results_status", format_func=format.status_label, placeholder="Any status"
    )
    chosen_managers = f3.multiselect(
        "Account manager", managers, key="results_manager", placeholder="Any manager"
    )
    shown = [
        r
        for r in records
        if (not chosen_status or r.status in chosen_status)
        and (not chosen_managers or r.manager_email in chosen_managers)
    ]

    if not records:
        st.info("Nothing onboarded yet on this portal.", icon=":material/info:")
        st.page_link("pages/upload.py", label="Upload a client list", icon=":material/upload_file:")
        st.stop()

    m = st.columns(4)
    m[0].metric("Clients shown", len(shown))
    m[1].metric("Onboarded", sum(r.status == "onboarded" for r in shown))
    m[2].metric("Failed or blocked", sum(r.status in ("failed", "blocked") for r in shown))
    m[3].metric("Other", sum(r.status not in ("onboarded", "failed", "blocked") for r in shown))

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    base = f"docspace-clients-{run_id or 'all'}-{stamp}"
    d1, d2, _ = st.columns([1, 1, 4])
    d1.download_button(
        "Download CSV",
        export.to_csv(shown),
        file_name=f"{base}.csv",
        mime="text/csv",
        key="results_download_csv",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
    d2.download_button(
        "Download XLSX",
        export.to_xlsx(shown),
        file_name=f"{base}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="results_download_xlsx",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )

    event = st.dataframe(
        format.records_frame(shown),
        hide_index=True,
        key="results_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "Room": st.column_config.LinkColumn(
                "Room", display_text="Open room", help="The room in DocSpace"
            ),
            "Client link": st.column_config.LinkColumn("Client link", display_text="Open link"),
            "Error": st.column_config.TextColumn("Error", width="large"),
        },
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        rec = shown[rows[0]]
        with st.container(border=True):
            st.markdown(f"**{rec.name}** (`{rec.client_id}`) — {format.status_label(rec.status)}")
            if rec.error:
                st.error(rec.error, icon=":material/error:")
            events = svc.journal.events(rec.run_id, client_id=rec.client_id) if rec.run_id else []
            if events:
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                "Time": format.when(e.at),
                                "Step": e.step,
                                "Outcome": format.STEP_MARKS.get(e.outcome, e.outcome) + f" {e.outcome}",
                                "Detail": e.detail,
                            }
                            for e in events
                        ]
                    ),
                    hide_index=True,
                    key="results_events",
                )
    else:
        st.caption("Select a row to see each step's outcome for that client.")

    st.subheader("At a glance", anchor=False)
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Outcomes per run**")
        by_run = format.outcomes_by_run(runs)
        if by_run.empty:
            st.caption("No finished batch runs yet.")
        else:
            st.bar_chart(
                by_run, x="Run", y="Clients", color="Outcome", stack=True, horizontal=True, height=260
            )
    with c2:
        st.markdown("**Clients onboarded over time**")
        over_time = format.onboarded_over_time(records)
        if over_time.empty:
            st.caption("No client onboarded yet.")
        else:
            st.line_chart(over_time, x="Time", y="Onboarded clients", height=260)
