"""The Clients table: filters, the grid (one row per client) and its row selection.

The grid is built from plain column lists (no per-cell styling, no per-row frames), so 2,000
clients draw in a fraction of a second. The selection is kept by client id, never by position
alone: the table's key carries a digest of the clients shown, so when a filter or a run changes
which clients are listed the selection starts afresh instead of pointing at other clients.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from onboarding import (
    ClientEntry,
    ClientRecord,
    ClientState,
    Onboarding,
    RunRecord,
    select_clients,
    state_counts,
)
from ui import display, labels

FOLLOW_RUN = "clients_follow_run"
"""Set by an action that started a run (``clients_actions``): filters that would hide it are lifted."""
TABLE_KEY = "clients_table_key"
"""The key of the grid drawn last (tests and the page read the selection under it)."""
ALL_RUNS = "All clients"
UPLOAD_ONLY = "The current upload"
TABLE_HEIGHT = 460

STATE = "State"
ROOM_TITLE = "Room"
ROOM_URL = "Open room"
LINK = "Client link"
COLUMNS = (
    STATE,
    "Client ID",
    "Client",
    ROOM_TITLE,
    ROOM_URL,
    LINK,
    "E-mail",
    "Account manager",
    "Link expires",
    "Onboarded",
    "Run",
    "Error",
)


@dataclass(frozen=True)
class Filters:
    states: list[str]
    text: str
    run_id: str | None
    upload_only: bool


def filters(svc: Onboarding, entries: Sequence[ClientEntry], has_upload: bool) -> Filters:
    """State, search and run filters in one row; the state choices say how many clients each has."""
    tally = state_counts(entries)
    last_runs = {e.run_id for e in entries}
    runs = [r for r in svc.runs(limit=100) if r.kind == "run" or r.run_id in last_runs]
    follow = st.session_state.pop(FOLLOW_RUN, None)
    if follow and _filters_hide_a_run():
        # A run started from the table under filters that would hide its clients the moment
        # they start (a "failed" filter, an older run): those filters are lifted. (Not "this
        # run" as the filter: a client shows under its new run only once the run reaches it.)
        st.session_state["clients_run"], st.session_state["clients_state"] = ALL_RUNS, []
    run_names = {r.run_id: _run_name(r) for r in runs}
    scopes = [ALL_RUNS, *([UPLOAD_ONLY] if has_upload else []), *run_names]
    if st.session_state.get("clients_run") not in scopes:
        st.session_state.pop("clients_run", None)  # a run or an upload that is gone
    f1, f2, f3 = st.columns([3, 3, 2])
    states = f1.multiselect(
        "State",
        [s.value for s in ClientState],
        key="clients_state",
        format_func=lambda v: f"{labels.state_label(v)} ({tally[ClientState(v)]})",
        placeholder="Any state",
    )
    text = f2.text_input(
        "Search",
        key="clients_search",
        placeholder="ID, name, e-mail, room…",  # the whole list was cut off at 1000 px
        help="Finds clients by ID, name, e-mail, account manager or room title (any part of them).",
    )
    scope = f3.selectbox("Run", scopes, key="clients_run", format_func=lambda v: run_names.get(v, v))
    run_id = scope if scope in run_names else None
    return Filters(states, text, run_id, scope == UPLOAD_ONLY)


RUN_KINDS = {"rerun": "repair or restore", "archive": "archive", "renew": "link renewal"}
"""What the filter calls a run that is not a batch (``RunRecord.kind``); batches are unnamed."""


def _run_name(run: RunRecord) -> str:
    """``2026-11-26 18:15 UTC · 1a2b3c`` for a batch; a repair, a restore, an archive or a link
    renewal says so (a client it reran has it as its last run, so it must be offered)."""
    name = f"{display.when(run.started_at)} · {run.run_id}"
    return name if run.kind == "run" else f"{name} · {RUN_KINDS.get(run.kind, run.kind)}"


def _filters_hide_a_run() -> bool:
    """True when the state or run filter leaves out clients that are running a new run."""
    states = st.session_state.get("clients_state") or []
    scope = st.session_state.get("clients_run")
    return bool(states and ClientState.RUNNING.value not in states) or scope not in (
        None,
        ALL_RUNS,
        UPLOAD_ONLY,
    )


def apply(entries: Sequence[ClientEntry], f: Filters) -> list[ClientEntry]:
    return select_clients(entries, states=f.states, text=f.text, run_id=f.run_id, upload_only=f.upload_only)


def summary(entries: Sequence[ClientEntry]) -> str:
    """``12 onboarded · 3 failed · 1 archived`` over the clients shown (states with none left out)."""
    tally = state_counts(entries)
    parts = [f"{n} {state.value}" for state, n in tally.items() if n]
    return " · ".join(parts) if parts else "no clients"


def frame(entries: Sequence[ClientEntry], redact: Callable[[str], str]) -> pd.DataFrame:
    """The grid's data: one row per entry, every value plain text (links as URLs)."""
    return pd.DataFrame(
        {
            STATE: [labels.state_label(e.state) for e in entries],
            "Client ID": [e.client_id for e in entries],
            "Client": [e.name for e in entries],
            ROOM_TITLE: [e.room_title for e in entries],
            ROOM_URL: [e.room_url for e in entries],
            LINK: [e.link_url for e in entries],
            "E-mail": [e.email for e in entries],
            "Account manager": [e.manager_email for e in entries],
            "Link expires": [e.link_expires[:10] for e in entries],
            "Onboarded": [display.when(e.onboarded_at) for e in entries],
            "Run": [e.run_id for e in entries],
            "Error": [redact(e.error) if e.error else "" for e in entries],
        },
        columns=list(COLUMNS),
    )


def table_key(entries: Sequence[ClientEntry]) -> str:
    """A key that changes whenever the clients listed (or their order) change."""
    digest = hashlib.sha1("\x1f".join(e.client_id for e in entries).encode("utf-8")).hexdigest()[:12]
    return f"clients_table_{digest}"


def grid(entries: Sequence[ClientEntry], redact: Callable[[str], str]) -> list[ClientEntry]:
    """Draw the grid; returns the entries the person selected (in table order)."""
    key = table_key(entries)
    st.session_state[TABLE_KEY] = key
    event = st.dataframe(
        frame(entries, redact),
        hide_index=True,
        key=key,
        on_select="rerun",
        selection_mode="multi-row",
        height=min(38 + 35 * max(len(entries), 1), TABLE_HEIGHT),
        column_config={
            STATE: st.column_config.TextColumn(STATE, width=112, pinned=True),
            "Client ID": st.column_config.TextColumn("Client ID", pinned=True),
            ROOM_TITLE: st.column_config.TextColumn(
                ROOM_TITLE, width="medium", help="The room's title as created in DocSpace"
            ),
            ROOM_URL: st.column_config.LinkColumn(ROOM_URL, display_text="Open room", width="small"),
            LINK: st.column_config.LinkColumn(LINK, help="Hidden once the room is archived"),
            "Error": st.column_config.TextColumn("Error", width="large"),
        },
    )
    rows = event.selection.rows if event is not None else []
    return [entries[i] for i in rows if 0 <= i < len(entries)]


@dataclass
class Shown:
    """The clients the table shows now, kept where the download can read them when clicked.

    Why: while a run goes on the table is re-drawn every second, but the download button is not.
    A deferred download's id changes whenever its button is drawn, and a click that still holds
    the previous id fails ("Deferred file … not found") until the browser has the new one; with
    a redraw every second that window is open for a share of the time on a slow link. So the
    button is drawn once, outside the polled part, and reads what is shown at the moment of the
    click from here.
    """

    entries: list[ClientEntry]
    total: int

    @property
    def records(self) -> list[ClientRecord]:
        return [e.record for e in self.entries if e.record is not None]


SHOWN_KEY = "clients_shown"


def shown_now() -> Shown:
    """This session's holder of the clients shown (the same object from one run to the next)."""
    holder = st.session_state.get(SHOWN_KEY)
    if not isinstance(holder, Shown):
        holder = st.session_state[SHOWN_KEY] = Shown([], 0)
    return holder


def download(svc: Onboarding, where: DeltaGenerator, shown: Shown, *, live: bool) -> None:
    """The shown clients the journal knows as a CSV (made when clicked), optionally for Excel.

    While a run is live the table changes under the button, so its label gives no count: the
    file holds what the journal knows of the clients shown at the moment of the click (a client
    the run has not reached yet is not in it). Otherwise the label says how many rows it holds.
    """
    if not shown.total:
        return
    count = len(shown.records)
    excel = where.toggle(
        "for Excel", key="clients_csv_excel", help="Adds a byte-order mark, like `export --excel`."
    )
    where.download_button(
        "CSV so far" if live else f"CSV of {count}",
        lambda: svc.export("csv", records=shown.records, excel=excel),
        file_name="docspace-clients.csv",
        mime="text/csv",
        key="clients_download_csv",
        icon=":material/download:",
        on_click="ignore",
        disabled=not live and not count,
        help="The clients shown that the journal knows (one row each, as the CRM export)"
        + (", as they stand when you click: a run is going on." if live else "."),
    )
