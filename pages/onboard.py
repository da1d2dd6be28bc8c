"""Onboard: the blueprint in brief, the plan, per-client actions, and batches with live progress."""

from __future__ import annotations

import math

import streamlit as st

from onboarding import TO_ONBOARD, Action, BatchPlan, ClientStatus, RunStatus
from ui import auth, chrome, conflicts, display, labels, live, session

PAGE_SIZE = 10
ARCHIVED = "onboard_archived_row"
"""The row whose room was just archived (its Archive menu is closed on the next run)."""
TITLE = "Room title (as stored)"
TOKEN = "onboard_page_token"
"""The journal's state when the page was last drawn in full (a change means: draw it again)."""


def live_section(polling: bool) -> None:
    """Progress of live runs; re-rendered every second while one is running."""
    with chrome.guard():
        svc = session.service()
        runs = live.live_runs(svc)
        if runs:
            records = svc.records_of({c for r in runs for c in r.progress.client_steps})
            names = {cid: rec.name for cid, rec in records.items()}
            st.subheader("Progress", anchor=False)
            for run in runs:
                live.render_run(svc, run, names)
        if (
            polling
            and not any(r.alive for r in runs)
            and live.journal_token(svc) != st.session_state.get(TOKEN)
        ):
            st.rerun(scope="app")  # a run ended: refresh the plan and the per-client statuses


LEFT_OUT = {
    Action.DONE: "already done",
    Action.BLOCKED: "blocked",
    Action.CONFLICT: "waiting for a conflict choice",
    Action.SKIP: "kept out (offboarded or archived)",
}
"""How the start banner names the selected clients a run has nothing to do for."""


def to_onboard(plan: BatchPlan) -> int:
    """The clients a run of this plan writes for (what the start button and its banner count)."""
    return sum(1 for cp in plan.clients if cp.action in TO_ONBOARD)


def run_scope(plan: BatchPlan) -> str:
    """``11 of the 14 selected clients (2 already done, 1 blocked)``: whom the run onboards (rows
    skipped by a conflict choice are not selected: ``session.selected_clients``)."""
    todo, selected = to_onboard(plan), len(plan.clients)
    if todo == selected:
        return display.plural(selected, "selected client")
    rest = [f"{plan.count(action)} {said}" for action, said in LEFT_OUT.items() if plan.count(action)]
    return f"{todo} of the {display.plural(selected, 'selected client')} ({', '.join(rest)})"


def start_selected(plan: BatchPlan, *, queued: bool) -> None:
    svc = session.service()
    what = run_scope(plan)
    if queued:
        live.queue(svc, plan, what)
    else:
        live.start(svc, plan, what)


with chrome.page("Onboard clients") as s:
    svc = session.service()
    live.show_notices()
    polling = bool(live.active_handles(svc)) or any(r.status == RunStatus.RUNNING for r in svc.runs(limit=5))
    st.session_state[TOKEN] = live.journal_token(svc)
    st.fragment(run_every=1 if polling else None)(live_section)(polling)

    with st.expander("Blueprint in brief", icon=":material/architecture:"):
        for item, value in display.blueprint_brief(svc.blueprint):
            st.markdown(f"**{item}:** {display.md(value)}")
        st.page_link("pages/settings.py", label="Edit the blueprint", icon=":material/settings:")

    clients = session.selected_clients()
    if not clients:
        st.info(
            "No clients selected. Upload a client list and select the rows to onboard.",
            icon=":material/info:",
        )
        st.page_link("pages/upload.py", label="Upload a client list", icon=":material/upload_file:")
        st.stop()

    head = refresh = st.container(horizontal=True, vertical_alignment="bottom", gap="small", wrap=True)
    head.subheader(f"Plan for {display.plural(len(clients), 'selected client')}", anchor=False)
    again = refresh.button("Refresh plan", key="onboard_refresh_plan", icon=":material/refresh:")
    plan = live.plan_for(svc, clients, refresh=again)
    summary = plan.summary()
    m = chrome.metric_row(6)
    m[0].metric("To create", summary["create"])
    m[1].metric("To resume", summary["resume"])
    m[2].metric("Already done", summary["done"])
    m[3].metric("Conflicts", summary["conflict"])
    m[4].metric("Blocked", summary["blocked"])
    share = plan.writes / max(1, s.daily_write_budget)
    m[5].metric(
        "Writes needed",
        f"{plan.writes:,}",
        help=f"{share:.1%} of the daily budget of {s.daily_write_budget:,}",
    )
    st.caption(
        f"{plan.writes:,} writes and about {plan.reads:,} reads: {svc.estimate_text(plan)}. "
        f"The portal allows {s.daily_write_budget:,} writes per day."
    )
    if plan.days_of_writes(s.daily_write_budget) > 1:
        st.warning(
            f"This batch needs {plan.days_of_writes(s.daily_write_budget)} days of the portal's write budget: "
            "clients beyond today's budget are deferred, and a later run resumes them.",
            icon=":material/hourglass_top:",
        )
    for problem in plan.problems:
        st.warning(display.md(problem), icon=":material/warning:")
    if blocked := display.blocked_lines(plan):
        st.warning("\n\n".join(blocked), icon=":material/block:")
    batch = session.readable_batch()
    in_upload = {c.client_id for c in batch.clients} if batch else set()
    conflicts.render(plan, lambda: in_upload | {r.client_id for r in svc.records()})

    busy = live.busy_clients(svc)
    todo = to_onboard(plan)
    running_here = busy & {cp.client_id for cp in plan.clients}
    may_write, read_only_why = auth.can_write(), auth.why_not()
    if not todo:
        start_label = "Nothing to onboard"
    elif todo == len(clients):
        start_label = f"Onboard {display.plural(todo, 'client')}"
    else:
        start_label = f"Onboard {todo} remaining"
    queued = svc.shared_journal and st.toggle(
        "Queue for a worker",
        key="onboard_queue_for_worker",
        help="Leave the run to `docspace-onboard worker` on a server: it continues without this dashboard.",
    )
    if st.button(
        start_label,
        key="onboard_start_batch",
        type="primary",
        icon=":material/rocket_launch:",
        disabled=todo == 0 or bool(running_here) or not may_write,
        help=read_only_why or "Runs in the background: you may leave this page or close the tab.",
    ):
        start_selected(plan, queued=queued)
        st.rerun()
    if running_here:
        n = len(running_here)
        st.caption(f"{n} of these clients {'is' if n == 1 else 'are'} being onboarded right now.")

    records = svc.records_of([cp.client_id for cp in plan.clients])
    frame = display.plan_frame(plan)
    if len(frame):  # a room that exists shows its real title, not what the pattern makes today
        frame[TITLE] = [
            (rec.room_title if (rec := records.get(cp.client_id)) and rec.room_id is not None else "")
            or cp.title
            for cp in plan.clients
        ]
    st.dataframe(
        frame,
        hide_index=True,
        key="onboard_plan_table",
        height=min(38 + 35 * max(len(plan.clients), 1), 600),
        column_config={"Reasons and warnings": st.column_config.TextColumn(width="large")},
    )

    head = st.container(horizontal=True, vertical_alignment="bottom", gap="small", wrap=True)
    head.subheader("Clients", anchor=False)
    head.page_link(
        "pages/clients.py", label="Every client, with filters and actions", icon=":material/group:"
    )
    pages = max(1, math.ceil(len(plan.clients) / PAGE_SIZE))
    page_no = 1
    if pages > 1:
        if st.session_state.get("onboard_page", 1) > pages:
            st.session_state["onboard_page"] = pages
        pager, _ = st.columns([1, 4])
        page_no = int(
            pager.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key="onboard_page")
        )
    row_notice = st.session_state.pop(live.ROW_NOTICE, None)
    if row_notice:
        st.toast(display.md(row_notice[1]), icon=":material/rocket_launch:")
    for cp in plan.clients[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]:
        cid, rec = cp.client_id, records.get(cp.client_id)
        wid = live.widget_id(cid)
        with st.container(border=True, key=f"onboard_row_{wid}"):
            c = st.columns([2, 3], vertical_alignment="center")
            status = ClientStatus.RUNNING if cid in busy else (rec.status if rec else ClientStatus.PENDING)
            c[0].markdown(
                f"**{display.md(cp.client.name)}** · {display.md(cid)}  \n"
                f"{labels.label(Action, cp.action)} · {labels.status_label(status)}"
            )
            actions = c[1].container(horizontal=True, horizontal_alignment="right", gap="small", wrap=True)
            if rec and rec.room_url and rec.status != ClientStatus.ARCHIVED:
                actions.link_button(
                    display.md(rec.room_title or "Open room"),
                    rec.room_url,
                    key=f"onboard_room_{wid}",
                    icon=":material/open_in_new:",
                    help="Open the room in DocSpace",
                )
            retry = rec is not None and rec.status in (
                ClientStatus.FAILED,
                ClientStatus.DEFERRED,
                ClientStatus.LOCKED,
            )
            label, icon = ("Retry", ":material/replay:") if retry else ("Onboard", ":material/play_arrow:")
            if actions.button(
                label,
                key=f"onboard_one_{wid}",
                icon=icon,
                disabled=cid in busy or cp.action not in TO_ONBOARD or not may_write,
                help=read_only_why or None,
            ):
                one = svc.plan([cp.client], **session.plan_choices())
                outcome = live.start(svc, one, f"{cp.client.name} ({cid})")
                live.row_notice(wid, f"{cp.client.name}: run {outcome.run_id} started (progress at the top).")
                st.rerun()
            has_room = rec is not None and rec.room_id is not None and rec.status != ClientStatus.ARCHIVED
            menu = f"onboard_archive_menu_{wid}"
            if st.session_state.get(ARCHIVED) == wid:
                st.session_state[menu] = False  # close the menu: the room is archived
                st.session_state.pop(ARCHIVED)
            with actions.popover(
                "Archive",
                icon=":material/archive:",
                disabled=not has_room or cid in busy or not may_write,
                help=read_only_why or None,
                key=menu,
                on_change="rerun",
            ):
                st.markdown(f"Move **{display.md(rec.room_title if rec else cid)}** to the portal's Archive?")
                st.caption(
                    "This is the roll-back: the client loses access; the room can be restored from "
                    "the Archive section of DocSpace."
                )
                if st.button(
                    "Archive the room",
                    key=f"onboard_archive_{wid}",
                    type="secondary",
                    icon=":material/archive:",
                ):
                    auth.require_write("archive rooms")
                    with st.spinner("Archiving…"):
                        room_id = svc.archive(cid)
                    live.forget_plan()
                    live.row_notice(wid, f"Room {room_id} of {cp.client.name} moved to the Archive.")
                    live.notify(
                        "success", f"Room {room_id} of {display.md(cp.client.name)} moved to the Archive."
                    )
                    st.session_state[ARCHIVED] = wid
                    st.rerun()
            if cp.reasons:
                hint = ""
                if rec is not None and rec.status == ClientStatus.ARCHIVED:
                    hint = " To restore the room, unarchive it in DocSpace (Rooms → Archive), then refresh the plan."
                st.caption(display.md("; ".join(cp.reasons)) + hint)
            elif not (rec and rec.room_url and rec.status != ClientStatus.ARCHIVED):
                st.caption(f"Room title: {display.md(cp.title)}")
            if row_notice and row_notice[0] == wid:
                st.info(display.md(row_notice[1]), icon=":material/info:")
