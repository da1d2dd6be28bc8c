"""Plans and background batches as the Onboard page sees them.

A batch runs in the process-wide registry behind :meth:`Onboarding.start`, never in the page's own
thread: leaving the page, reloading or closing the tab does not stop it. The page reads progress
from the journal (:meth:`Onboarding.progress`), so coming back shows the run where it is, and a run started
from the command line shows too.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from onboarding import (
    ALREADY_ONBOARDED,
    BatchPlan,
    ClientLike,
    ClientStatus,
    Onboarding,
    Outcome,
    RunHandle,
    RunProgress,
    RunRecord,
    RunStatus,
    StartOutcome,
    Step,
    change_lines,
)
from ui import auth, chrome, display, session, timing

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
    runs = svc.runs(limit=1)
    if not runs:
        return ()
    r = runs[0]
    return (r.run_id, r.status, r.finished_at)


def rows_digest(clients: Sequence[ClientLike]) -> str:
    """Changes when any row changes, not only its id: a new file reusing the ids for other names or
    e-mails must be planned again (else its identity conflicts hide behind the old plan's "done")."""
    digest = hashlib.sha1()
    for c in clients:
        fields = (c.client_id, c.name, c.email or "", c.manager_email or "", sorted(c.extra.items()))
        digest.update(repr(fields).encode("utf-8"))
    return digest.hexdigest()


def plan_for(svc: Onboarding, clients: Sequence[ClientLike], *, refresh: bool = False) -> BatchPlan:
    """The plan for these clients, read again only when clients, blueprint or journal change.

    While a live run carries out exactly these rows, its own plan is shown: a reload or a new tab
    mid-run would otherwise read the portal again (seconds on a slow portal) for a plan the run
    makes stale at once; the page reads it again when the run ends (the journal changes).
    """
    digest = rows_digest(clients)
    carried = None if refresh else running_plan(svc, digest)
    if carried is not None:
        run_id, run_plan = carried
        st.caption(f"The plan run {run_id} is carrying out; it is read again when the run ends.")
        return run_plan
    token = (
        session.connection_id(svc.settings),
        digest,
        tuple((k, tuple(v)) for k, v in session.plan_choices().items()),
        svc.blueprint.to_toml(),
        journal_token(svc),
    )
    cached = st.session_state.get(PLAN)
    if not refresh and cached is not None and cached[0] == token:
        plan: BatchPlan = cached[1]
        return plan
    with st.spinner(
        f"Planning {display.plural(len(clients), 'client')} (reading the portal, writing nothing)…"
    ):
        plan = svc.plan(clients, **session.plan_choices())
    st.session_state[PLAN] = (token, plan)
    return plan


def running_plan(svc: Onboarding, digest: str) -> tuple[str, BatchPlan] | None:
    """``(run id, plan)`` of a live run of this server started from a plan of exactly these rows."""
    for handle in active_handles(svc):
        plan = handle.plan
        if plan is not None and rows_digest([cp.client for cp in plan.clients]) == digest:
            return handle.run_id, plan
    return None


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
    outcome = svc.start(clients)
    session.remember_run(outcome.run_id)
    forget_plan()
    if outcome.joined:
        notify(
            "info",
            f"Run {outcome.run_id} is already onboarding {display.md(what)}: showing its progress.",
        )
    else:
        notify(
            "success",
            f"Started run {outcome.run_id} for {display.md(what)}. It continues if you leave this page.",
        )
    return outcome


def queue(svc: Onboarding, clients: Sequence[ClientLike] | BatchPlan, what: str) -> str:
    """Queue the batch for a headless worker (shared journal only): it runs without this page."""
    auth.require_write("onboard clients")
    run_id = svc.queue(clients)
    session.remember_run(run_id)
    forget_plan()
    notify(
        "success",
        f"Queued run {run_id} for {display.md(what)}: a worker (`docspace-onboard worker`) carries it out, "
        "and its progress shows here once it starts.",
    )
    return run_id


def active_handles(svc: Onboarding) -> list[RunHandle]:
    return svc.live_runs()


RECENT_SECONDS = 30 * 60
"""A finished run is still shown to a new session (a reload, another tab) for this long."""


def runs_to_show(svc: Onboarding) -> list[str]:
    """Live runs on this portal (this process or another), else this session's or the latest run."""
    ids = [h.run_id for h in active_handles(svc)]
    recent = svc.runs(limit=10)
    for run in recent:
        if run.status == RunStatus.RUNNING and run.run_id not in ids and run.kind == "run":
            ids.append(run.run_id)
    mine = st.session_state.get(session.RUNS) or []
    if mine and mine[-1] not in ids:
        ids.append(mine[-1])
    if not ids:
        last = next((r for r in recent if r.kind == "run"), None)
        if last is not None and time.time() - (last.finished_at or last.started_at) < RECENT_SECONDS:
            ids.append(last.run_id)
    dismissed = st.session_state.get(DISMISSED) or set()
    return [i for i in ids if i not in dismissed]


def busy_clients(svc: Onboarding) -> set[str]:
    out: set[str] = set()
    for h in active_handles(svc):
        out |= h.client_ids
    return out


STOPPING = "onboard_stopping_runs"
"""Runs this session asked to stop (their Stop button reads "Stopping…" until they end)."""
DISMISSED = "onboard_dismissed_runs"
"""Finished runs this session no longer wants to see in the progress panel."""
ROW_NOTICE = "onboard_row_notice"
"""``(widget id, text)``: what a row's button just did, shown next to that row."""


def stop_run(svc: Onboarding, run_id: str) -> None:
    if auth.can_write():
        st.session_state.setdefault(STOPPING, set()).add(run_id)
        svc.stop(run_id)


def dismiss_run(run_id: str) -> None:
    st.session_state.setdefault(DISMISSED, set()).add(run_id)


def row_notice(wid: str, text: str) -> None:
    st.session_state[ROW_NOTICE] = (wid, text)


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
        handle = svc.run_handle(run_id)
        alive = handle.alive if handle else None
        progress = svc.progress(run_id, live=alive)
        out.append(
            LiveRun(run_id, progress, progress.running, handle is not None, handle.error if handle else "")
        )
    return out


COUNT_ORDER = (
    ClientStatus.DONE,
    ALREADY_ONBOARDED,
    ClientStatus.FAILED,
    ClientStatus.BLOCKED,
    ClientStatus.LOCKED,
    ClientStatus.DEFERRED,
    ClientStatus.RUNNING,
)


def outcome_counts(p: RunProgress) -> str:
    """``6 onboarded, 24 deferred`` in a fixed order (statuses with no client are left out)."""
    order = [k for k in COUNT_ORDER if p.status_counts.get(k)]
    order += sorted(k for k in p.status_counts if k not in COUNT_ORDER and p.status_counts[k])
    return ", ".join(f"{p.status_counts[k]} {k}" for k in order)


def run_summary(p: RunProgress, run_status: str, alive: bool, stopping: bool) -> tuple[float, str]:
    """The bar's fill and its text. Deferred clients are not counted as finished."""
    deferred = p.status_counts.get(ClientStatus.DEFERRED, 0)
    settled = max(0, p.finished - deferred)
    fill = min(settled / p.total, 1.0) if p.total else 1.0
    noun = "client" if p.total == 1 else "clients"
    if alive:
        text = f"{settled} of {p.total} {noun} finished"
        if deferred:
            text += f", {deferred} deferred"
        return fill, ("Stopping: finishing the steps in flight… " + text if stopping else text)
    prefix = "Stopped" if run_status == RunStatus.STOPPED or stopping else "Finished"
    counts = outcome_counts(p)
    return fill, f"{prefix}: {counts}" if counts else f"{prefix}: no clients"


def deferred_clients(svc: Onboarding, run_id: str, p: RunProgress) -> list[ClientLike]:
    """The run's clients that are still deferred, ready to start again.

    The uploaded rows are used when the file is still loaded (they carry every column); otherwise
    the clients are rebuilt from their journal records, so a resume needs no upload.
    """
    wanted = {cid for cid, status in p.client_status.items() if status == ClientStatus.DEFERRED}
    if not wanted:
        return []
    batch = session.readable_batch()
    rows: dict[str, ClientLike] = {c.client_id: c for c in batch.clients} if batch is not None else {}
    out: list[ClientLike] = []
    for rec in svc.records(run_id):
        if rec.client_id in wanted and rec.status == ClientStatus.DEFERRED:
            out.append(rows.get(rec.client_id, rec))
    return out


def _details(run: LiveRun, names: dict[str, str], fill: float, text: str) -> None:
    p = run.progress
    if run.alive and p.total == 0:
        st.progress(0.0, text="Planning: reading the portal…")
    else:
        st.progress(fill, text=text)
    wait = timing.wait_message(p, time.time()) if run.alive else ""
    if wait:
        st.info(wait, icon=":material/hourglass_top:")
    if p.client_steps:
        st.dataframe(
            display.progress_frame(p, names),
            hide_index=True,
            key=f"onboard_progress_{run.run_id}",
            height=min(38 + 35 * len(p.client_steps), 600),
        )
    failed = [
        (cid, m) for cid, m in p.errors.items() if m and p.client_status.get(cid) == ClientStatus.FAILED
    ]
    for cid, message in failed[:MAX_ERRORS]:
        text = chrome.redact(f"{names.get(cid) or cid}: {message}")
        st.error(display.md(text), icon=":material/error:")
    if len(failed) > MAX_ERRORS:
        st.caption(f"…and {display.plural(len(failed) - MAX_ERRORS, 'more failure')}: see the table above.")
    held = [
        (cid, m)
        for cid, m in p.errors.items()
        if m and p.client_status.get(cid) in (ClientStatus.BLOCKED, ClientStatus.LOCKED)
    ]
    for cid, message in held[:MAX_ERRORS]:
        text = chrome.redact(f"{names.get(cid) or cid}: {message}")
        st.warning(display.md(text), icon=":material/block:")
    deferred = [cid for cid, status in p.client_status.items() if status == ClientStatus.DEFERRED]
    if deferred:
        reasons = sorted({p.errors.get(cid) or "" for cid in deferred} - {""})
        why = f" ({display.md(chrome.redact('; '.join(reasons[:2])))})" if reasons else ""
        many = len(deferred) != 1
        st.info(
            f"{len(deferred)} client{'s were' if many else ' was'} deferred{why}: nothing is lost, "
            "a later run picks up where each one stopped.",
            icon=":material/hourglass_top:",
        )
    if run.error:
        st.error(
            f"The run stopped unexpectedly: {display.md(chrome.redact(run.error))}",
            icon=":material/error:",
        )


MAX_CHANGES = 10
"""Changed clients listed under a finished run (the rest are counted)."""


CHANGES = "onboard_run_changes"
"""Session cache of each finished run's change lines, by run id: they never change once the run
has ended, and the page redraws every second while another run is live."""


def _changes(svc: Onboarding, p: RunProgress, journal_run: RunRecord | None) -> None:
    """Under a finished run: the onboarded clients it changed (hand-overs, updated records)."""
    cache: dict[str, list[str]] = st.session_state.setdefault(CHANGES, {})
    lines = cache.get(p.run_id)
    if lines is None:
        lines = _change_lines(svc, p, journal_run)
        if journal_run is not None and journal_run.status != RunStatus.RUNNING:  # its summary is final
            cache[p.run_id] = lines
    if lines:
        st.caption("**Changed by this run**  \n" + "  \n".join(lines))


def _change_lines(svc: Onboarding, p: RunProgress, journal_run: RunRecord | None) -> list[str]:
    summary = journal_run.summary if journal_run is not None and isinstance(journal_run.summary, dict) else {}
    updated = summary.get("updated")
    if not updated or not isinstance(updated, list):
        return []
    records = svc.records_of([str(cid) for cid in updated])
    managers = {cid: rec.manager_email or "" for cid, rec in records.items()}
    handle = svc.run_handle(p.run_id)
    plan = handle.plan if handle is not None else None
    handed = {cp.client_id for cp in plan.clients if cp.update_manager} if plan is not None else set()
    access = {e.client_id: e.detail for e in p.events if e.step == Step.ACCESS and e.outcome == Outcome.DONE}
    lines = change_lines([str(cid) for cid in updated], access, managers, handed)
    more = len(lines) - MAX_CHANGES
    shown = [display.md(chrome.redact(line)) for line in lines[:MAX_CHANGES]]
    if more > 0:
        shown.append(f"…and {display.plural(more, 'more client')} (the run's events list each one)")
    return shown


def render_run(svc: Onboarding, run: LiveRun, names: dict[str, str]) -> None:
    """One run: a live run in full; a finished one as a line with its details folded away."""
    p = run.progress
    journal_run = svc.run_record(run.run_id)
    stopping = run.run_id in (st.session_state.get(STOPPING) or set())
    fill, text = run_summary(p, journal_run.status if journal_run else "", run.alive, stopping)
    now = time.time()
    if run.alive:
        eta = svc.eta(p) if run.here else None
        clock = timing.live_line(p, now, eta)
        text = f"{text} · {clock}" if clock else text
    else:
        waited = timing.waited_line(journal_run.summary if journal_run else None, p)
        text = f"{text} · {waited}" if waited else text
    may_write = auth.can_write()
    with st.container(border=True, key=f"onboard_run_{run.run_id}"):
        line = st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=True)
        if run.alive:
            line.markdown(f"**Run {run.run_id}** — running")
            if run.here or svc.shared_journal:  # a shared journal carries Stop to any replica
                line.button(
                    "Stopping…" if stopping else "Stop",
                    key=f"onboard_stop_{run.run_id}",
                    icon=":material/stop_circle:",
                    help="Finish the steps in flight, then stop; the rest is deferred and resumes later.",
                    on_click=stop_run,
                    args=(svc, run.run_id),
                    disabled=stopping or not may_write,
                )
            _details(run, names, fill, text)
            return
        line.markdown(f"**Run {run.run_id}** — {display.md(text)}")
        waiting = deferred_clients(svc, run.run_id, p)
        if waiting:
            busy = busy_clients(svc)
            n = len(waiting)
            if line.button(
                f"Resume {n} deferred",
                key=f"onboard_resume_{run.run_id}",
                icon=":material/resume:",
                type="primary",
                disabled=not may_write or any(c.client_id in busy for c in waiting),
                help=auth.why_not()
                or "Start a new run for the clients this run deferred (no upload needed).",
            ):
                start(svc, waiting, f"{n} deferred client{'s' if n != 1 else ''} of run {run.run_id}")
                st.rerun(scope="app")
        line.button(
            "Dismiss",
            key=f"onboard_dismiss_{run.run_id}",
            icon=":material/close:",
            help="Hide this finished run here (Results keeps it).",
            on_click=dismiss_run,
            args=(run.run_id,),
        )
        _changes(svc, p, journal_run)
        with st.expander("Details", icon=":material/list:"):
            _details(run, names, fill, text)
