"""Labels and tables for display: plans, live progress, journal records, runs, the blueprint.

Everything returned here is plain text (rendered by Streamlit as text, never as HTML).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from onboarding import (
    ALREADY_ONBOARDED,
    DONE,
    RUN_ALREADY_ONBOARDED,
    STEPS,
    Action,
    BatchPlan,
    Blueprint,
    ClientPlan,
    ClientRecord,
    ClientStatus,
    ManagerDecision,
    Outcome,
    RunProgress,
    RunRecord,
    RunStatus,
    idempotency_key,
)
from ui.labels import label, status_label

PROGRESS_STEPS = (*STEPS[:-1], "record")
SOURCE_LABELS = {"explicit": "this session (Settings page)"}


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=\"'^@%])")
WORD_JOINER = "\u2060"
"""Invisible, zero-width and unbreakable: put where an autolink would start, it stops the link."""
_AUTOLINK_START = re.compile(r"(?i)(https?|mailto|xmpp|www)(?=[:.])|(@)")
"""Where GitHub-flavoured Markdown makes a bare address a link: ``http://``, ``https://``,
``www.`` (any letter case), ``mailto:``/``xmpp:`` and the ``@`` of an e-mail address."""


def plural(n: int, noun: str) -> str:
    """``1 client``, ``3 clients`` (nouns whose plural adds an s)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def md(value: object) -> str:
    """``value`` as literal text inside Markdown (``st.markdown``, ``st.error``, captions, labels).

    Every ASCII punctuation character that Markdown, HTML, Streamlit's directives (``:red[…]``,
    ``:material/…:``, emoji shortcodes) or its math (``$…$``) could interpret is backslash-escaped,
    and line breaks become spaces, so user data (client names, file names, sheet names, error
    messages quoting cells) is shown exactly as written and never as formatting, links or HTML.
    """
    text = " ".join(str(value).splitlines())
    text = _AUTOLINK_START.sub(_break_autolink, text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def _break_autolink(m: re.Match[str]) -> str:
    # Streamlit's Markdown finds literal autolinks (``www.x.y``, ``http://…``, ``a@b.c``) in the text
    # *after* backslash escapes are resolved, so ``http\://`` is still a link: an invisible word
    # joiner between the scheme and its ``:`` (after ``www``, after ``@``) is what stops it.
    return f"{m.group(1)}{WORD_JOINER}" if m.group(1) else f"@{WORD_JOINER}"


BLOCKED_REASONS_SHOWN = 5
"""Reasons listed above the plan table (each with its count); the table has every client's."""


def blocked_lines(plan: BatchPlan) -> list[str]:
    """``**179 clients** are blocked: account manager … is not a user of this portal (C-1, C-2, …)``:
    why the plan blocks clients, one line per reason, the most common first (Markdown, escaped)."""
    groups = plan.blocked_reasons()
    lines = []
    for group in groups[:BLOCKED_REASONS_SHOWN]:
        n = len(group.ids)
        lines.append(
            f"**{plural(n, 'client')}** {'is' if n == 1 else 'are'} blocked: {md(group.reason)} ({md(group.some)})"
        )
    if len(groups) > BLOCKED_REASONS_SHOWN:
        rest = sum(len(group.ids) for group in groups[BLOCKED_REASONS_SHOWN:])
        lines.append(f"…and {plural(rest, 'more client')} for other reasons: see the table below.")
    return lines


def source_label(source: str | None) -> str:
    if not source:
        return "default"
    return SOURCE_LABELS.get(source, source)


def when(ts: float | None) -> str:
    """A timestamp as ``2026-11-26 18:15 UTC`` ("" when unknown)."""
    if not ts:
        return ""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


# -- plans -------------------------------------------------------------------------------------


def manager_text(decision: ManagerDecision | None) -> tuple[str, str]:
    """(who, access) for the plan table."""
    if decision is None:
        return "", ""
    who = decision.email or "(key's account)"
    if decision.blocked:
        return who, "■ not eligible"
    if decision.role is None:
        if decision.kept:  # the room's manager, kept (reassign.keep_manager)
            return who, decision.note
        return who, "no manager — the API key's account owns the room" if decision.user_id else "not invited"
    return who, decision.role.label


def plan_manager_text(cp: ClientPlan) -> tuple[str, str]:
    """(who, access) of the room's manager after the run: a finished client whose row names
    another manager keeps the room's unless it is handed over, so the table shows the one who
    stays, not the row's (which the hand-over table and the notes name)."""
    if cp.manager_before is not None and not cp.update_manager:  # manager_named is set with it
        return cp.manager_before or "(none)", f"kept: the file names {cp.manager_named}"
    return manager_text(cp.manager)


def plan_notes(cp: ClientPlan) -> str:
    notes = [*cp.reasons, *cp.warnings]
    if cp.action == Action.RESUME and cp.resume_step:
        notes.insert(0, f"room {cp.room.id if cp.room else ''} exists; resumes at '{cp.resume_step}'")
    return "; ".join(n for n in notes if n)


def plan_frame(plan: BatchPlan) -> pd.DataFrame:
    rows = []
    segmented = plan.context.blueprint.segments is not None  # which blueprint each row gets
    for cp in plan.clients:
        who, access = plan_manager_text(cp)
        rows.append(
            {
                "Client ID": cp.client_id,
                "Client": cp.client.name,
                "Action": label(Action, cp.action),
                "Room title (as stored)": cp.title,
                **({"Blueprint": cp.blueprint_name} if segmented else {}),
                "Account manager": who,
                "Manager access": access,
                "Writes": cp.writes,
                # Last: the widest column; before it, the manager's columns were off screen at 1000 px.
                "Reasons and warnings": plan_notes(cp),
            }
        )
    return pd.DataFrame(rows, columns=list(rows[0]) if rows else None)


# -- live progress -----------------------------------------------------------------------------


def progress_frame(progress: RunProgress, names: dict[str, str]) -> pd.DataFrame:
    rows = []
    for cid, steps in progress.client_steps.items():
        row = {
            "Client ID": cid,
            "Client": names.get(cid, ""),
            "Status": status_label(progress.client_status.get(cid, ClientStatus.PENDING)),
        }
        for step in PROGRESS_STEPS:
            row[step.capitalize()] = label(Outcome, steps.get(step, ""))
        if "plan" in steps and steps["plan"] == Outcome.BLOCKED:
            row["Room"] = "■ blocked"
        row["Error"] = progress.errors.get(cid, "")
        rows.append(row)
    columns = ["Client ID", "Client", "Status", *(s.capitalize() for s in PROGRESS_STEPS), "Error"]
    return pd.DataFrame(rows, columns=columns).fillna("")


# -- journal records ---------------------------------------------------------------------------


def steps_summary(rec: ClientRecord) -> str:
    """Which steps are recorded as done for a client (from its progress document)."""
    marks = []
    for step in STEPS[:-1]:
        if rec.progress.get(step) is not None and rec.progress.get(step) is not False:
            marks.append(f"{step} ✓")
        elif rec.status in (ClientStatus.FAILED, ClientStatus.DEFERRED) and rec.step == step:
            marks.append(f"{step} ✗")
    return " · ".join(marks)


HIDDEN_LINK = frozenset({ClientStatus.ARCHIVED, ClientStatus.OFFBOARDED})
"""An archived room's client link leads nowhere the client may go: it is not shown."""


def records_frame(records: Sequence[ClientRecord]) -> pd.DataFrame:
    rows = [
        {
            "Client ID": r.client_id,
            "Client": r.name,
            "Status": status_label(r.status),
            "Account manager": r.manager_email,
            "Room": r.room_url,
            "Room title": r.room_title,
            "Client link": "" if r.status in HIDDEN_LINK else r.link_url,
            "Link expires": "" if r.status in HIDDEN_LINK else r.link_expires,
            "Link opens for": "" if r.status in HIDDEN_LINK else link_audience(r),
            "Steps": steps_summary(r),
            "Error": r.error,
            "Onboarded": when(r.onboarded_at),
            "Joined": joined_label(r),
            "Run": r.run_id,
        }
        for r in records
    ]
    columns = [
        "Client ID",
        "Client",
        "Status",
        "Account manager",
        "Room",
        "Room title",
        "Client link",
        "Link expires",
        "Link opens for",
        "Steps",
        "Error",
        "Onboarded",
        "Joined",
        "Run",
    ]
    return pd.DataFrame(rows, columns=columns)


def link_audience(rec: ClientRecord) -> str:
    """Who the client's link opens for: a portal that restricts sharing makes it sign-in only."""
    if not rec.link_url:
        return ""
    return "signed-in portal users only" if rec.link_sign_in_only else "anyone with the link"


def not_joined_after(rec: ClientRecord, days: float, now: float | None = None) -> bool:
    """Onboarded at least ``days`` ago and not seen as joined (as ``check-joins`` last found)."""
    now = dt.datetime.now(dt.UTC).timestamp() if now is None else now
    invited = rec.onboarded_at
    return bool(
        rec.status == ClientStatus.DONE and not rec.joined_at and invited and now - invited >= days * 86400
    )


def joined_label(rec: ClientRecord) -> str:
    """Whether the invited client joined (``check-joins``): when, "not yet", or nothing to say."""
    if rec.joined_at:
        return when(rec.joined_at)
    return "not yet" if rec.status == ClientStatus.DONE else ""


DELIVERY_COLUMN = "CRM delivery"


def delivery_label(
    rec: ClientRecord,
    delivery: Mapping[str, Any] | None,
    events: Sequence[Mapping[str, Any]] = (),
) -> str:
    """A client's CRM delivery: its ``client.onboarded`` delivered, failed (with the receiver's
    answer) or not sent, then the last lifecycle event sent after it (``events``, oldest first:
    a renewed link, a join, an offboarding…) and how many there were, so a client whose renewed
    link reached the CRM does not read as never sent."""
    if rec.status != DONE:
        first = "–"
    elif delivery is None:
        first = "○ not sent"
    elif delivery.get("key") != idempotency_key(rec.client_id, rec.room_id):
        first = "○ not sent for the current room"
    elif delivery.get("status") == "delivered":
        first = "✔ delivered"
    else:
        first = f"✖ failed: {delivery.get('detail') or 'no answer'}"
    if not events:
        return first
    last = events[-1]
    what = str(last.get("event", "")).removeprefix("client.")
    at = last.get("at")
    stamp = f" {short_time(float(at))}" if isinstance(at, int | float) and at else ""
    if last.get("status") == "delivered":
        said = f"{what} ✔ delivered{stamp}"
    else:
        said = f"{what} ✖ failed{stamp}: {last.get('detail') or 'no answer'}"
    count = f"{len(events)} events, last " if len(events) > 1 else ""
    return f"{first} · {count}{said}" if rec.status == DONE else f"{count}{said}"


def short_time(ts: float) -> str:
    """``01 Dec 17:05`` (UTC, like every time on the pages): a time where a column is narrow."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%d %b %H:%M")


def delivery_counts(labels: Sequence[str]) -> dict[str, int]:
    """How many shown clients were delivered, failed, or are not sent yet (onboarded ones only)."""
    return {
        "delivered": sum(label.startswith("✔") for label in labels),
        "failed": sum(label.startswith("✖") for label in labels),
        "not sent": sum(label.startswith("○") for label in labels),
    }


def run_counts(run: RunRecord) -> dict[str, int]:
    counts = run.summary.get("counts") if isinstance(run.summary, dict) else None
    return {str(k): int(v) for k, v in (counts or {}).items()}


def runs_frame(
    runs: Sequence[RunRecord], live: Mapping[str, Mapping[str, int]] | None = None
) -> pd.DataFrame:
    """One line per run. A run still going has no summary yet: ``live`` gives its counts so far
    (run id -> status -> clients, as folded from its events), so the table moves with the run."""
    rows = []
    for r in runs:
        counts = dict((live or {}).get(r.run_id) or run_counts(r))
        rows.append(
            {
                "Started": when(r.started_at),
                "Run": r.run_id,
                "Kind": r.kind,
                "Status": label(RunStatus, r.status),
                "Clients": r.total,
                "Onboarded": counts.get(ClientStatus.DONE, 0),
                "Failed or blocked": counts.get(ClientStatus.FAILED, 0) + counts.get(ClientStatus.BLOCKED, 0),
                "By": r.actor,
            }
        )
    # The counts next to the status: at 1000 px the table's right-hand columns need scrolling.
    columns = ["Started", "Status", "Clients", "Onboarded", "Failed or blocked", "Run", "Kind", "By"]
    return pd.DataFrame(rows, columns=columns)


OUTCOME_COLOURS: dict[str, str] = {
    "onboarded": "#2e7d32",
    ALREADY_ONBOARDED: "#a5d6a7",
    "failed": "#c62828",
    "blocked": "#ef6c00",
    "locked": "#8d6e63",
    "deferred": "#9e9e9e",
    "archived": "#546e7a",
    "offboarded": "#546e7a",
    "pending": "#90caf9",
    "running": "#1e88e5",
}
"""Each outcome's colour, the same in every chart: onboarded green, failed red, blocked orange,
deferred grey (a bar chart's default palette drew "onboarded" red and "blocked" blue)."""
CHART_RUNS = 12
"""Runs in the outcomes chart (the latest): more bars would not fit its height readably."""
BAR_HEIGHT = 26
LEGEND_COLUMNS = 1


def outcomes_by_run(runs: Sequence[RunRecord], last: int = CHART_RUNS) -> pd.DataFrame:
    """Long format (run, outcome, clients) of the latest batch runs, for a stacked bar chart.

    Only batch runs (``kind`` ``run``): a repair's or a restore's run of the steps, an audit or a
    renewal would count clients onboarded once again. A run's ``onboarded`` are what it did:
    those an earlier run had onboarded (it skipped them) are ``already onboarded``. Each run is
    labelled by its number among the runs charted and its start (to the second when all started
    the same day), so runs started within a minute read apart; the tooltip names the run.
    """
    batch = sorted((r for r in runs if r.kind == "run"), key=lambda r: r.started_at)[-last:]
    days = {dt.datetime.fromtimestamp(r.started_at, dt.UTC).date() for r in batch}
    shape = "%H:%M:%S" if len(days) <= 1 else "%d %b %H:%M"
    rows = []
    for number, r in enumerate(batch, start=1):
        label = f"#{number} {dt.datetime.fromtimestamp(r.started_at, dt.UTC).strftime(shape)}"
        counts = run_counts(r)
        already = int(r.summary.get(RUN_ALREADY_ONBOARDED, 0)) if isinstance(r.summary, dict) else 0
        if already:
            counts[ClientStatus.DONE] = counts.get(ClientStatus.DONE, 0) - already
            counts[ALREADY_ONBOARDED] = already
        for outcome, n in counts.items():
            if n > 0:
                rows.append({"Run": label, "Outcome": outcome, "Clients": n, "Run id": r.run_id})
    return pd.DataFrame(rows, columns=["Run", "Outcome", "Clients", "Run id"])


def outcomes_chart(frame: pd.DataFrame) -> alt.Chart:
    """Horizontal stacked bars of :func:`outcomes_by_run`, one colour per outcome, every run
    labelled, the legend under the bars in one column: it fits half a 1000 px page with the
    sidebar open (in a row, or two columns, it was cut, and widened the chart past its column)."""
    present = set(frame["Outcome"])
    domain = [o for o in OUTCOME_COLOURS if o in present] + sorted(present - set(OUTCOME_COLOURS))
    colours = [OUTCOME_COLOURS.get(o, "#bdbdbd") for o in domain]
    runs = list(dict.fromkeys(frame["Run"]))
    order = {o: i for i, o in enumerate(domain)}
    data = frame.assign(order=[order[o] for o in frame["Outcome"]])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("Run:N", sort=runs, title=None, axis=alt.Axis(labelLimit=160, labelOverlap=False)),
            x=alt.X("sum(Clients):Q", title="Clients", stack="zero"),
            color=alt.Color(
                "Outcome:N",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom", columns=LEGEND_COLUMNS, title=None, labelLimit=140),
            ),
            order=alt.Order("order:Q"),
            tooltip=["Run:N", "Run id:N", "Outcome:N", "Clients:Q"],
        )
        # The height is the bars' alone: the chart fits the page's width only ("fit-x"), and the
        # axis and the legend add to the height (with "fit", Streamlit's default, the legend's rows
        # squeezed the bars to nothing).
        .properties(
            height=max(len(runs), 2) * BAR_HEIGHT,
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        )
    )


def onboarded_over_time(records: Sequence[ClientRecord]) -> pd.DataFrame:
    """Cumulative onboarded clients by time (one point per onboarding)."""
    times = sorted(r.onboarded_at for r in records if r.onboarded_at and r.status == ClientStatus.DONE)
    frame = pd.DataFrame(
        {
            "Time": pd.to_datetime(times, unit="s", utc=True),
            "Onboarded clients": range(1, len(times) + 1),
        }
    )
    return frame


TIME_AXIS = "%d %b %H:%M"
"""Times on chart axes: 24-hour, in UTC like every other time on the pages (Vega's default is
12-hour, "06 PM", in the browser's zone)."""


def time_axis_format(frame: pd.DataFrame) -> str:
    """:data:`TIME_AXIS`, with seconds when the points span less than an hour: runs minutes
    apart would otherwise label every tick "01 Dec 17:10"."""
    times = frame["Time"] if "Time" in frame and len(frame) else None
    if times is not None and (times.max() - times.min()).total_seconds() < 3600:
        return "%H:%M:%S"
    return TIME_AXIS


def over_time_chart(frame: pd.DataFrame, height: int = 260) -> alt.Chart:
    """The cumulative onboarded line of :func:`onboarded_over_time`, with a 24-hour UTC time axis."""
    return (
        alt.Chart(frame)
        .mark_line(point=len(frame) < 30)
        .encode(
            # A UTC scale and UTC time units: Vega then formats in UTC by itself. (An explicit
            # ``formatType="utc"`` on the raw field was ignored on the axis, 12-hour local
            # labels, and gave "NaN" in the tooltip: the field was never parsed as a date there.)
            x=alt.X(
                "Time:T",
                title="Time (UTC)",
                scale=alt.Scale(type="utc"),
                axis=alt.Axis(format=time_axis_format(frame), labelOverlap=True, labelFlush=True),
            ),
            y=alt.Y("Onboarded clients:Q"),
            tooltip=[
                alt.Tooltip(
                    "utcyearmonthdatehoursminutes(Time):T", title="Time", format="%Y-%m-%d %H:%M UTC"
                ),
                alt.Tooltip("Onboarded clients:Q"),
            ],
        )
        .properties(height=height)
    )


# -- blueprint ---------------------------------------------------------------------------------


def blueprint_brief(bp: Blueprint) -> list[tuple[str, str]]:
    """The blueprint as (item, value) lines for a short summary."""
    templates = ", ".join(
        f"{t.title or t.source.rsplit('/', 1)[-1]} → {t.folder or 'room root'}" for t in bp.templates
    )
    manager = f"{bp.manager_role.label}"
    if bp.manager_fallback == "role":
        manager += f" (else {bp.manager_fallback_role.label})"
    elif bp.manager_fallback == "skip":
        manager += " (else not invited)"
    else:
        manager += " (else the client is blocked)"
    if bp.default_manager_email:
        manager += f"; default manager {bp.default_manager_email}"
    link = "none"
    if bp.link.enabled:
        link = f"{bp.link_kind} link, {bp.link.access.label}"
        if bp.link.expires_in_days:
            link += f", expires after {bp.link.expires_in_days} days"
        if bp.link.max_use_count:
            link += f", at most {bp.link.max_use_count} uses"
        if bp.link.password:
            link += ", password protected"
    client = f"invited by e-mail as {bp.client_role.label}" if bp.invite_client else "not invited"
    if bp.invite_client:
        client += " (with notification e-mail)" if bp.notify else " (no notification e-mail)"
    return [
        ("Room", f"{bp.room_type.label}, titled “{bp.title_pattern}”, tagged “{bp.tag_pattern}”"),
        *(
            [("Folders and files", f"from the room template “{bp.room_template}” (one write per room)")]
            if bp.room_template
            else [("Folders", ", ".join(bp.folders) or "none"), ("Template files", templates or "none")]
        ),
        ("Account manager", manager),
        ("Client", client),
        ("Client link", link),
    ]
