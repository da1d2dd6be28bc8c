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
    """Markdown source as a person reads it: backslash escapes and the invisible word joiners that
    stop autolinks removed (``\\*`` shows as ``*``)."""
    return _ESCAPE.sub(r"\1", markdown).replace("\u2060", "")


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


MARKUP_FIELDS = frozenset({"body", "label", "help", "captions"})
"""Fields of Streamlit's element protos that the browser renders as Markdown (texts, labels of
buttons, expanders, popovers, tabs and metrics, tooltips, radio captions, toasts)."""


def markup_bodies(at: AppTest) -> list[str]:
    """Every string the page sends to the browser to be rendered as Markdown, toasts included."""
    found: list[str] = []

    def scan(message: Any) -> None:
        for field, value in message.ListFields():
            repeated = not isinstance(value, str | bytes) and hasattr(value, "__len__")
            items = list(value) if repeated else [value]
            if field.message_type is not None:
                for item in items:
                    scan(item)
            elif field.name in MARKUP_FIELDS:
                found.extend(items)

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            scan(proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [str(f) for f in found]


_LIVE_LINK = re.compile(r"https?://|www\.|mailto:|[-.+\w]+@[-\w]+\.[-\w]", re.IGNORECASE)
_ESCAPED_CHAR = re.compile(r"\\[!-/:-@\[-`{-~]")


def live_markup(source: str) -> list[str]:
    """What Markdown would still make of ``source`` that is not literal text: links (Markdown
    ``[…](…)``, autolinks ``<…>``, and the literal ``http://``, ``www.`` and e-mail addresses that
    GitHub-flavoured Markdown links even when escaped), Streamlit directives (``:red[…]``,
    ``:material/…:``), HTML tags, and the tests' ``**bold**`` (the pages' own bold is left alone)."""
    active = _ESCAPED_CHAR.sub("\x00", source)  # an escaped character is shown as it is
    found = [m.group(0) for m in _LIVE_LINK.finditer(source.replace("\\", ""))]
    found += re.findall(r"\]\(|\*\*bold\*\*|:[a-z]+\[|:material/|<[A-Za-z/!]", active)
    return found


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
