"""Fixing rows in the Upload page's grid: each cell edit is kept with the upload and checked at once.

The grid shows the file's own columns editable (the check, problems and room title are computed,
so they are not). An edit becomes an :class:`onboarding.Edits` entry of the upload's sheet; the
batch is validated again with it (``session.current_batch`` applies the edits), the grid is
rebuilt, and a notice says for each edited row what the checks now say — "valid now" or the
row's own message. A row that an edit made valid joins a selection the person has changed.
Bulk fixes (``ui.review_fixes``) go through :func:`apply_changes` too.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from onboarding import ClientBatch, Edits, ReviewError, Suggestion
from ui import display, session, tables

NOTICE = "upload_edit_notice"
"""``[(kind, text), …]`` said once above the grid after an edit or a fix ("success", "warning", "error")."""
MAX_ROWS_SAID = 8
"""Rows named one by one in the notice; the rest are counted."""


def file_columns(batch: ClientBatch) -> dict[str, str]:
    """Grid column → the file's header, for the columns a person may edit."""
    return {tables.file_column(h): h for h in batch.headers}


def locked_columns(frame: pd.DataFrame, batch: ClientBatch) -> list[str] | bool:
    """Columns the grid must not let anyone type in: everything but the selection and the file's cells."""
    if batch.blocked:
        return True
    editable = {tables.SELECT, *file_columns(batch)}
    return [c for c in frame.columns if c not in editable]


def with_suggestions(frame: pd.DataFrame, found: list[Suggestion]) -> pd.DataFrame:
    """The Problems column also says which correction is suggested (applied from "Fix rows")."""
    if not found or frame.empty:
        return frame
    said: dict[int, list[str]] = {}
    for s in found:
        said.setdefault(s.row_number, []).append(f"{s.header}: did you mean {s.suggestion}?")
    extra = [" ".join(said.get(int(n), [])) for n in frame[tables.ROW]]
    frame = frame.copy()
    frame[tables.PROBLEMS] = [
        f"{p}; {e}" if p and e else (p or e) for p, e in zip(frame[tables.PROBLEMS], extra, strict=True)
    ]
    return frame


def apply_changes(changes: Mapping[tuple[int, str], str], what: str) -> bool:
    """Keep ``changes`` with the upload, check again, and leave the notice; False when refused."""
    raw = session.file_table()
    before = session.readable_batch()
    if raw is None or before is None or not changes:
        return False
    try:
        edits = session.edits_of(raw.sheet).merged(changes, raw)
    except ReviewError as exc:
        st.session_state[NOTICE] = [("error", str(exc))]
        return False
    session.set_edits(raw.sheet, edits)
    after = session.readable_batch()
    if after is None:
        return False
    rows = sorted({number for number, _ in changes})
    _select_fixed(before, after, set(rows))
    st.session_state[NOTICE] = [
        ("success" if _is_valid(after, rows) else "warning", what),
        *_outcomes(after, rows),
    ]
    tables.reset_editor()
    return True


def _is_valid(batch: ClientBatch, rows: list[int]) -> bool:
    return not any(i.severity == "error" for n in rows for i in batch.issues_for_row(n))


def _select_fixed(before: ClientBatch, after: ClientBatch, rows: set[int]) -> None:
    """Rows the edit made valid join a selection the person has already changed (until then every
    valid row is selected anyway)."""
    if st.session_state.get(session.SELECTED) is None:
        return
    was_valid = {c.row_number for c in before.clients}
    fixed = [c.client_id for c in after.clients if c.row_number in rows and c.row_number not in was_valid]
    if fixed:
        session.set_selected([*session.selected_ids(after), *fixed])


def _outcomes(batch: ClientBatch, rows: list[int]) -> list[tuple[str, str]]:
    """One line per edited row: what the checks say about it now."""
    lines: list[tuple[str, str]] = []
    for number in rows[:MAX_ROWS_SAID]:
        issues = batch.issues_for_row(number)
        errors = [i for i in issues if i.severity == "error"]
        shown = errors or issues
        text = "; ".join(f"{i.column}: {i.message}" if i.column else i.message for i in shown)
        if errors:
            lines.append(("error", f"Row {number} still has a problem — {text}"))
        elif issues:
            lines.append(("warning", f"Row {number} is valid, with a warning — {text}"))
        else:
            lines.append(("success", f"Row {number} is valid now."))
    if len(rows) > MAX_ROWS_SAID:
        lines.append(("success", f"… and {len(rows) - MAX_ROWS_SAID} more rows checked again."))
    return lines


def take_cell_edits(batch: ClientBatch, frame: pd.DataFrame, key: str) -> None:
    """Fold the grid's typed cells into the upload's edits, then draw the grid again (reruns)."""
    state = st.session_state.get(key) or {}
    columns = file_columns(batch)
    changes: dict[tuple[int, str], str] = {}
    for position, cells in (state.get("edited_rows") or {}).items():
        p = int(position)
        if p >= len(frame):
            continue
        number = int(frame.iloc[p][tables.ROW])
        for column, value in cells.items():
            header = columns.get(column)
            if header is not None:
                changes[(number, header)] = "" if value is None else str(value)
    raw = session.file_table()
    if raw is not None:
        current = session.edited_table()
        assert current is not None
        # Only cells whose text really changed (the grid repeats edits it already reported).
        where = {n: p for p, n in enumerate(current.row_numbers)}
        index = {h: i for i, h in enumerate(current.headers)}
        changes = {
            (n, h): v
            for (n, h), v in changes.items()
            if n in where and h in index and current.rows[where[n]][index[h]] != v
        }
    if not changes:
        return
    cells = len(changes)
    apply_changes(changes, f"{cells} cell{'s' if cells != 1 else ''} changed; the rows were checked again.")
    st.rerun()


def show_notice() -> None:
    """The outcome of the last edit or fix, once."""
    for kind, text in st.session_state.pop(NOTICE, []):
        box = {"success": st.success, "warning": st.warning}.get(kind, st.error)
        icon = {"success": ":material/check_circle:", "warning": ":material/warning:"}.get(
            kind, ":material/error:"
        )
        box(display.md(text), icon=icon)


def undo_all() -> None:
    """Forget every edit of the sheet in use (the file's own text comes back)."""
    raw = session.file_table()
    if raw is not None:
        session.set_edits(raw.sheet, Edits())
        st.session_state[NOTICE] = [("success", "All edits undone: the rows are as in the file again.")]
        tables.reset_editor()
