"""Plans and background batches as the Onboard page sees them.

A batch runs in the process-wide :class:`~onboarding.runs.RunRegistry`, never in the page's own
thread: leaving the page, reloading or closing the tab does not stop it. The page reads progress
from the journal (``read_progress``), so coming back shows the run where it is, and a run started
from the command line shows too.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from onboarding.runs import RunHandle, RunProgress, StartOutcome, read_progress
from onboarding.service import Onboarding
from onboarding.workflow.plan import BatchPlan, ClientLike
from ui import auth, chrome, format, session

PLAN = "onboard_plan_cache"
MAX_ERRORS = 5
"""Errors shown as messages under a run's table (all are in its Error column)."""
NOTICES = "onboard_notices"


def widget_id(client_id: str) -> str:
    """A key-safe, collision-free form of a client id (for per-row widget keys)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", client_id)[:40]
    return f"{safe}_{hashlib.sha1(client_id.encode('utf-8')).hexdigest()[:6]}"


def journal_token(svc: Onboarding) -> tuple[object, ...]:
    """Changes whenever a run starts or finishes on this portal (so the plan is read again)."""
    runs = svc.journal.runs(svc.portal_key, limit=1)
    if not runs:
        return ()
    r = runs[0]
    return (r.run_id, r.status, r.finished_at)


def plan_for(svc: Onboarding, clients: Sequence[ClientLike], *, refresh: bool = False) -> BatchPlan:
    """The plan for these clients, read again only when clients, blueprint or journal change."""
    token = (
        session.connection_id(svc.settings),
        tuple(c.client_id for c in clients),
        svc.blueprint.to_toml(),
        journal_token(svc),
    )
    cached = st.session_state.get(PLAN)
    if not refresh and cached is not None and cached[0] == token:
        plan: BatchPlan = cached[1]
        return plan
    with st.spinner(f"Planning {len(clients)} clients (reading the portal, writing nothing)…"):
        plan = svc.plan(clients)
    st.session_state[PLAN] = (token, plan)
    return plan


def forget_plan() -> None:
    st.session_state.pop(PLAN, None)


def notify(kind: str, text: str) -> None:
    """A message for the next run of the page (shown once)."""
    st.session_state.setdefault(NOTICES, []).append((kind, text))


def show_notices() -> None:
    for kind, text in st.session_state.pop(NOTICES, []):
        if kind == "success":
            st.success(text, icon=":material/check_circle:")
        elif kind == "warning":
            st.warning(text, icon=":material/warning:")
        else:
            st.info(text, icon=":material/info:")


def start(svc: Onboarding, clients: Sequence[ClientLike] | BatchPlan, what: str) -> StartOutcome:
    """Start a background batch (or join the live one that already covers these clients)."""
    auth.require_write("onboard clients")
    outcome = session.registry().start(svc, clients)
    session.remember_run(outcome.run_id)
    forget_plan()
    if outcome.joined:
        notify(
            "info",
            f"{format.md(what)} is already being onboarded by run {outcome.run_id}: showing its progress.",
        )
    else:
        notify(
            "success",
            f"Started run {outcome.run_id} for {format.md(what)}. It continues if you leave this page.",
        )
    return outcome


def active_handles(svc: Onboarding) -> list[RunHandle]:
    return [h for h in session.registry().active() if h.engine.portal_key == svc.portal_key]


RECENT_SECONDS = 30 * 60
"""A finished run is still shown to a new session (a reload, another tab) for this long."""


def runs_to_show(svc: Onboarding) -> list[str]:
    """Live runs on this portal (this process or another), else this session's or the latest run."""
    ids = [h.run_id for h in active_handles(svc)]
    recent = svc.journal.runs(svc.portal_key, limit=10)
    for run in recent:
        if run.status == "running" and run.run_id not in ids and run.kind == "run":
            ids.append(run.run_id)
    mine = st.session_state.get(session.RUNS) or []
    if mine and mine[-1] not in ids:
        ids.append(mine[-1])
    if not ids:
        last = next((r for r in recent if r.kind == "run"), None)
        if last is not None and time.time() - (last.finished_at or last.started_at) < RECENT_SECONDS:
            ids.append(last.run_id)
    return ids


def busy_clients(svc: Onboarding) -> set[str]:
    out: set[str] = set()
    for h in active_handles(svc):
        out |= h.client_ids
    return out


def stop_run(run_id: str) -> None:
    if auth.can_write():
        session.registry().stop(run_id)


@dataclass
class LiveRun:
    run_id: str
    progress: RunProgress
    alive: bool
    here: bool
    """True when the run lives in this server process (and can be stopped from here)."""
    error: str = ""


def live_runs(svc: Onboarding) -> list[LiveRun]:
    out = []
    for run_id in runs_to_show(svc):
        handle = session.registry().get(run_id)
        alive = handle.alive if handle else None
        progress = read_progress(svc.journal, run_id, live=alive)
        out.append(
            LiveRun(run_id, progress, progress.running, handle is not None, handle.error if handle else "")
        )
    return out


def render_run(svc: Onboarding, run: LiveRun, names: dict[str, str]) -> None:
    """One run: overall bar, counts, per-client steps and errors inline."""
    p = run.progress
    with st.container(border=True):
        head, action = st.columns([5, 1], vertical_alignment="center")
        state = "running" if run.alive else "finished"
        head.markdown(f"**Run {run.run_id}** — {state}")
        if run.alive and run.here:
            action.button(
                "Stop",
                key=f"onboard_stop_{run.run_id}",
                icon=":material/stop_circle:",
                help="Finish the steps in flight, then stop; the rest is deferred and resumes later.",
                on_click=stop_run,
                args=(run.run_id,),
                disabled=not auth.can_write(),
            )
        if run.alive and p.total == 0:
            st.progress(0.0, text="Planning: reading the portal…")
        else:
            st.progress(min(p.fraction, 1.0), text=f"{p.finished} of {p.total} clients finished")
        if p.status_counts:
            st.caption(
                " · ".join(f"{format.status_label(k)}: {v}" for k, v in sorted(p.status_counts.items()))
            )
        if p.client_steps:
            st.dataframe(
                format.progress_frame(p, names),
                hide_index=True,
                key=f"onboard_progress_{run.run_id}",
                height=min(38 + 35 * len(p.client_steps), 600),
            )
        problems = [(cid, m) for cid, m in p.errors.items() if m]
        for cid, message in problems[:MAX_ERRORS]:
            text = chrome.redact(f"{names.get(cid) or cid}: {message}")
            st.error(format.md(text), icon=":material/error:")
        if len(problems) > MAX_ERRORS:
            st.caption(f"…and {len(problems) - MAX_ERRORS} more: see the Error column above.")
        if run.error:
            st.error(
                f"The run stopped unexpectedly: {format.md(chrome.redact(run.error))}",
                icon=":material/error:",
            )
