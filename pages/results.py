"""Results: every client in the journal, filtered, with links, step outcomes, exports and charts."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable

import pandas as pd
import streamlit as st

from onboarding import WEBHOOK_MIN_SECRET_LENGTH, ClientRecord, ClientStatus, Onboarding, in_id_order
from ui import auth, charts, chrome, display, labels, session
from ui.drift_panel import drift_panel

ALL_RUNS = "All runs"
RESEND_NOTICE = "results_resend_notice"
WEBHOOK_HOWTO = (
    "**CRM webhook: not configured.** To push every onboarded client to your CRM as a signed JSON "
    f"POST, set `DOCSPACE_WEBHOOK_URL` and `DOCSPACE_WEBHOOK_SECRET` (at least {WEBHOOK_MIN_SECRET_LENGTH} characters) in the "
    "environment, or `webhook_url` and `webhook_secret` in the `[docspace]` table of "
    "`.streamlit/secrets.toml`, then restart the dashboard."
)


def resend(svc: Onboarding, client_ids: list[str]) -> None:
    """Send these clients to the CRM again (delivered or not), then show what happened."""
    auth.require_write("re-send clients to the CRM")
    with st.spinner(f"Sending {len(client_ids)} client{'s' if len(client_ids) != 1 else ''} to the CRM…"):
        report = svc.deliver(client_ids, force=True)
    if report is None:
        return
    if report.failed:
        first = next(iter((report.errors or {}).values()), "")
        text = f"Re-sent {report.sent}; {report.failed} failed (first: {chrome.redact(first)})."
        st.session_state[RESEND_NOTICE] = ("warning", text)
    else:
        st.session_state[RESEND_NOTICE] = ("success", f"Re-sent {report.sent} to the CRM.")
    st.rerun()


COUNTED: dict[str, str] = {
    ClientStatus.DONE: "Onboarded",
    ClientStatus.FAILED: "Failed or blocked",
    ClientStatus.BLOCKED: "Failed or blocked",
    ClientStatus.ARCHIVED: "Archived",
    ClientStatus.OFFBOARDED: "Archived",
}
"""Which metric a stored status counts under (anything else: "Other")."""


def export_of(svc: Onboarding, fmt: str, records: list[ClientRecord], *, excel: bool) -> Callable[[], bytes]:
    """The export, made only when its download button is clicked."""
    return lambda: svc.export(fmt, records=records, excel=excel)


def file_part(text: str) -> str:
    """A piece of a download's file name (only letters, digits and a few safe marks)."""
    return re.sub(r"[^A-Za-z0-9@.+_]+", "_", text).strip("_.") or "x"


with chrome.page(
    "Results", "Every client this portal's journal knows, whatever its status: from all runs, or from one."
) as s:
    svc = session.service()
    runs = svc.runs(limit=200)
    batch_runs = [r for r in runs if r.kind == "run"]
    run_names = {
        r.run_id: f"{display.when(r.started_at)} · {r.run_id} · {display.plural(r.total, 'client')}"
        for r in batch_runs
    }

    # The day filter's column is wide enough for its label on two lines at 1000 px (sidebar open).
    f1, f2, f3, f4 = st.columns([3, 3, 3, 2])
    run_choice = f1.selectbox(
        "Run",
        [ALL_RUNS, *run_names],
        key="results_run",
        format_func=lambda v: run_names.get(v, v),
    )
    run_id = None if run_choice == ALL_RUNS else run_choice
    records = in_id_order(svc.records(run_id))  # the export's order; the table sorts by any column
    statuses = sorted({r.status for r in records})
    managers = sorted({r.manager_email for r in records if r.manager_email})
    chosen_status = f2.multiselect(
        "Status", statuses, key="results_status", format_func=labels.status_label, placeholder="Any status"
    )
    chosen_managers = f3.multiselect(
        "Account manager", managers, key="results_manager", placeholder="Any manager"
    )
    waited = f4.number_input(
        "Not joined (days)",
        min_value=0,
        value=0,
        key="results_not_joined",
        help="Not joined after this many days: only clients invited at least this many days ago who "
        "have not joined yet (0: everyone).",
    )
    shown = [
        r
        for r in records
        if (not chosen_status or r.status in chosen_status)
        and (not chosen_managers or r.manager_email in chosen_managers)
        and (not waited or display.not_joined_after(r, waited))
    ]

    if not records:
        st.info("Nothing onboarded yet on this portal.", icon=":material/info:")
        st.page_link("pages/upload.py", label="Upload a client list", icon=":material/upload_file:")
        st.stop()

    m = chrome.metric_row(5)
    tally = Counter(COUNTED.get(r.status, "Other") for r in shown)
    m[0].metric("Clients shown", len(shown))
    for box, what in zip(m[1:], ("Onboarded", "Failed or blocked", "Archived", "Other"), strict=True):
        box.metric(what, tally[what])

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    scope = [run_id or "all"]
    if chosen_status:
        scope.append("+".join(chosen_status))
    if chosen_managers:
        scope.append("+".join(m.split("@")[0] for m in chosen_managers))
    base = "docspace-clients-" + "-".join(file_part(p) for p in scope) + f"-{stamp}"
    downloads = (
        ("CSV", "text/csv"),
        ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
    row = st.container(horizontal=True, gap="small", wrap=True, vertical_alignment="center")
    excel = row.toggle(
        "CSV for Excel",
        key="results_csv_excel",
        help="Adds a byte-order mark, so Excel reads accented names right (like `export --excel`).",
    )
    for label, mime in downloads:
        # The file is made when the button is clicked, not on every run of the page (an XLSX of
        # 2,000 clients takes seconds to write).
        row.download_button(
            f"Download {label}",
            export_of(svc, label.lower(), shown, excel=excel and label == "CSV"),
            file_name=f"{base}.{label.lower()}",
            mime=mime,
            key=f"results_download_{label.lower()}",
            icon=":material/download:",
            on_click="ignore",
        )

    frame = display.records_frame(shown)
    clean = chrome.redactor()
    frame["Error"] = [clean(e) for e in frame["Error"]]
    deliveries, crm_events = svc.deliveries(), svc.crm_events()
    delivery = [
        display.delivery_label(r, deliveries.get(r.client_id), crm_events.get(r.client_id, ())) for r in shown
    ]
    if s.webhook_url:
        frame.insert(3, display.DELIVERY_COLUMN, [clean(d) for d in delivery])
    event = st.dataframe(
        frame,
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
            display.DELIVERY_COLUMN: st.column_config.TextColumn(display.DELIVERY_COLUMN, width="medium"),
        },
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        rec = shown[rows[0]]
        with st.container(border=True):
            st.markdown(
                f"**{display.md(rec.name)}** ({display.md(rec.client_id)}) — {labels.status_label(rec.status)}"
            )
            if rec.error and rec.status == ClientStatus.DEFERRED:
                st.info(display.md(chrome.redact(rec.error)), icon=":material/hourglass_top:")
            elif rec.error:
                st.error(display.md(chrome.redact(rec.error)), icon=":material/error:")
            if s.webhook_url:
                st.caption(f"CRM delivery: {display.md(chrome.redact(delivery[rows[0]]))}")
            events = svc.events(rec.run_id, client_id=rec.client_id) if rec.run_id else []
            if events:
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                "Time": display.when(e.at),
                                "Step": e.step,
                                "Outcome": labels.outcome_label(e.outcome),
                                "Detail": chrome.redact(e.detail or ""),
                            }
                            for e in events
                        ]
                    ),
                    hide_index=True,
                    key="results_events",
                )
    else:
        st.caption("Select a row to see each step's outcome for that client.")

    st.subheader("CRM", anchor=False)
    if notice := st.session_state.pop(RESEND_NOTICE, None):
        kind, text = notice
        (st.warning if kind == "warning" else st.success)(display.md(text), icon=":material/send:")
    if not s.webhook_url:
        st.caption(WEBHOOK_HOWTO)
    else:
        counts = display.delivery_counts(delivery)
        st.caption(
            f"Webhook {display.md(s.webhook_url)} · of the clients shown: {counts['delivered']} delivered, "
            f"{counts['failed']} failed, {counts['not sent']} not sent. Each onboarded client is sent "
            "once after its run, then each change (joined, link renewed, offboarded…) as it happens; "
            "re-send to deliver again."
        )
        picked = [shown[rows[0]]] if rows else shown
        targets = [r.client_id for r in picked if r.status == ClientStatus.DONE]
        what = "the selected client" if rows else "the clients shown"
        if st.button(
            f"Re-send {len(targets)} to CRM",
            key="results_resend",
            icon=":material/send:",
            disabled=not targets or not auth.can_write(),
            help=auth.why_not() or f"Deliver {what} (onboarded ones) to the CRM again.",
        ):
            resend(svc, targets)

    drift_panel(svc, shown)

    st.subheader("At a glance", anchor=False)
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Outcomes per run**")
        by_run = display.outcomes_by_run(runs)
        if by_run.empty:
            st.caption("No finished batch runs yet.")
        else:
            st.altair_chart(display.outcomes_chart(by_run), width="stretch")
            st.caption(
                f"The latest {display.CHART_RUNS} onboarding runs at most, oldest first (times in UTC); "
                "repairs, restores and audits are not onboarding runs and are left out."
            )
    with c2:
        st.markdown("**Clients onboarded over time**")
        over_time = charts.thin(display.onboarded_over_time(records))
        if over_time.empty:
            st.caption("No client onboarded yet.")
        else:
            st.altair_chart(display.over_time_chart(over_time), width="stretch")
