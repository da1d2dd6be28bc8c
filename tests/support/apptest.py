"""Small actions and look-ups shared by the AppTest modules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OIDC = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret-for-tests",
    "client_id": "docspace-onboarding",
    "client_secret": "oidc-client-secret",
    "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
}
"""An ``[auth]`` secrets section for OpenID Connect (never contacted: AppTest sets ``at.user``)."""


def upload_sample(at: AppTest, name: str = "clients.xlsx") -> AppTest:
    """Upload one of the example spreadsheets on the Upload page."""
    at.switch_page("pages/upload.py").run()
    data = (EXAMPLES / name).read_bytes()
    at.file_uploader(key="upload_file_0").upload(name, data, "application/octet-stream").run()
    return at


def onboard_row(at: AppTest, journal: Any, client_id: str) -> AppTest:
    """Onboard one row of the uploaded sample from the Onboard page and wait until its run ended."""
    from support.waiting import wait_until
    from ui import live

    at.switch_page("pages/onboard.py").run()
    at.button(key=f"onboard_one_{live.widget_id(client_id)}").click().run()
    wait_until(lambda: any(r.client_id == client_id and r.status == "onboarded" for r in journal.clients()))
    wait_until(lambda: all(r.status != "running" for r in journal.runs()))
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


MARKDOWN_KINDS = ("markdown", "caption", "info", "success", "warning", "error", "title", "subheader")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape(markdown: str) -> str:
    """Markdown source as a person reads it: backslash escapes removed (``\\*`` shows as ``*``)."""
    return _ESCAPE.sub(r"\1", markdown)


def texts(at: AppTest) -> str:
    """Every text-bearing element of the page as displayed, joined (for "is it said somewhere" checks)."""
    parts: list[str] = []
    for kind in MARKDOWN_KINDS:
        parts.extend(unescape(str(e.value)) for e in getattr(at, kind))
    parts.extend(str(e.value) for e in at.text)
    return "\n".join(parts)


def markdown_sources(at: AppTest) -> list[str]:
    """The Markdown source of every element Streamlit renders as Markdown."""
    return [str(e.value) for kind in MARKDOWN_KINDS for e in getattr(at, kind)]


def rendered(at: AppTest) -> str:
    """Everything the page sends to the browser: every element's message and every widget's value."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        try:
            value = node.value
        except Exception:
            value = None
        if isinstance(value, pd.DataFrame):
            parts.append(value.to_csv())
        elif value is not None:
            parts.append(str(value))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def table(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    """The first st.dataframe whose columns include ``column`` (plain dataframes carry no key)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a column {column!r}")


def edit_cell(at: AppTest, row: int, column: str, value: object) -> AppTest:
    """Type ``value`` into the Upload grid's cell of spreadsheet row ``row`` (the grid's edit state,
    as the browser sends it; the grid's first column is the row's "Onboard" box)."""
    from ui import tables

    grid = at.data_editor[0]
    position = grid.value[tables.ROW].tolist().index(row)
    at.session_state[grid.key] = {
        "edited_rows": {position: {column: value}},
        "added_rows": [],
        "deleted_rows": [],
    }
    return at.run()


def grid_row(at: AppTest, row: int) -> pd.Series:
    """The Upload grid's line for spreadsheet row ``row``."""
    from ui import tables

    grid = at.data_editor[0].value
    return grid[grid[tables.ROW] == row].iloc[0]


def journal_running_run(data: Path, portal_url: str, *, total: int, started_ago: float = 0.0):  # type: ignore[no-untyped-def]
    """Journal a running run the way another process (the CLI, a worker) would: the page knows it
    only from the journal. Returns ``(journal, run_id, portal key)``; add events to move it on."""
    import time

    from onboarding import Settings
    from onboarding.journal import SqliteJournal, make_owner_id

    path = data / "journal.sqlite3"
    portal = Settings(portal_url=portal_url, api_key="k").portal_key
    earlier = SqliteJournal(path, clock=lambda: time.time() - started_ago)
    run_id = earlier.start_run(portal=portal, actor="cli", owner=make_owner_id(), total=total, blueprint={})
    return SqliteJournal(path), run_id, portal


def journal_onboarded(journal: Any, run_id: str, portal: str, client_ids: Sequence[str]) -> None:
    """Each client's final "onboarded" event, as the engine journals it."""
    from onboarding.workflow.status import Outcome, Step

    for cid in client_ids:
        journal.add_event(run_id, portal, cid, Step.CLIENT, Outcome.ONBOARDED)
