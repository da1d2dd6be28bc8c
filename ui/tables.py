"""The Upload page's preview grid: rows with their problems marked, and the selection column.

Streamlit's data editor cannot disable a checkbox per row, so the selection is kept in session
state and the grid is rebuilt from it; a tick on a row with errors is taken back (the grid is
re-keyed) and the reason is shown instead.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from onboarding import (
    CANONICAL_FIELDS,
    PREVIEW_ISSUES,
    PREVIEW_ROW,
    PREVIEW_STATUS,
    PREVIEW_TITLE,
    ClientBatch,
)
from ui import session

SELECT = "Onboard"
ROW = "Row"
CHECK = "Check"
PROBLEMS = "Problems"
TITLE = "Room title (as stored)"
RESERVED = (SELECT, ROW, CHECK, PROBLEMS, TITLE)

CHECK_LABELS = {
    "valid": "✔ valid",
    "warning": "⚠ warning",
    "error": "✖ error",
    "not checked": "… not checked",
}
ERROR_BG = "background-color: #fde2e1"
WARNING_BG = "background-color: #fff4cc"
STYLE_MAX_ROWS = 5000
"""Above this many rows the grid is shown without cell colours (styling is per cell, and slow)."""

NONCE = "upload_rows_nonce"
NOTICE = "upload_rows_notice"


def editor_key() -> str:
    return f"upload_rows_{st.session_state.get(NONCE, 0)}"


def reset_editor() -> None:
    """Drop the grid's pending edits so it shows the stored selection again."""
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def file_column(header: str) -> str:
    """The grid's name for a file column (a header that clashes with the grid's own gets "(file)")."""
    return f"{header} (file)" if header in RESERVED else header


def preview_frame(batch: ClientBatch, selected: set[str], problems_only: bool) -> pd.DataFrame:
    """One line per spreadsheet row: selection, row number, the mapped fields, check, problems,
    title, then the file's other columns."""
    preview = batch.preview
    ids = {c.row_number: c.client_id for c in batch.clients}
    frame = pd.DataFrame(
        {
            SELECT: [ids.get(int(n)) in selected for n in preview[PREVIEW_ROW]],
            ROW: preview[PREVIEW_ROW].astype(int),
        }
    )
    # Who the row is and the cells most often fixed come first (the mapped ID, name, e-mail and
    # manager columns), so they are on screen at 1000 px; then what is wrong with the row; then the rest of the file.
    leading = [h for f in CANONICAL_FIELDS if (h := batch.mapping.header_for(f)) in batch.headers]
    for header in dict.fromkeys(leading):
        frame[file_column(header)] = preview[header].to_numpy()
    frame[CHECK] = [CHECK_LABELS.get(s, s) for s in preview[PREVIEW_STATUS]]
    frame[PROBLEMS] = preview[PREVIEW_ISSUES].to_numpy()
    frame[TITLE] = preview[PREVIEW_TITLE].to_numpy()
    for header in batch.headers:
        if header not in leading:
            frame[file_column(header)] = preview[header].to_numpy()
    if problems_only:
        frame = frame[preview[PREVIEW_STATUS].to_numpy() != "valid"]
    return frame.reset_index(drop=True)


def styled(batch: ClientBatch, frame: pd.DataFrame) -> Styler | pd.DataFrame:
    """Colour the number, check and problems of rows with errors or warnings, and the very cells the
    messages are about."""
    if len(frame) > STYLE_MAX_ROWS or frame.empty:
        return frame
    by_row: dict[int, list[tuple[str, str]]] = {}
    for issue in batch.issues:
        if issue.row_number is not None:
            by_row.setdefault(issue.row_number, []).append((issue.column or "", issue.severity))

    def paint(row: pd.Series) -> list[str]:
        marks = by_row.get(int(row[ROW]), [])
        styles = [""] * len(row)
        worst = "error" if any(s == "error" for _, s in marks) else ("warning" if marks else "")
        bg = ERROR_BG if worst == "error" else WARNING_BG
        if worst:
            # The row number too: at 1000 px the Check and Problems columns are off screen (the
            # mapped columns come first), and the coloured number still says which rows to look at.
            for name in (ROW, CHECK, PROBLEMS):
                styles[row.index.get_loc(name)] = bg
        for column, severity in marks:
            name = file_column(column) if column else ""
            if name in row.index:
                styles[row.index.get_loc(name)] = ERROR_BG if severity == "error" else WARNING_BG
        return styles

    return frame.style.apply(paint, axis=1)


def apply_edits(batch: ClientBatch, edited: pd.DataFrame, current: list[str]) -> list[str]:
    """The selection after the grid's edits; ticks on rows with errors are taken back.

    The editor keeps its edits as absolute values on top of the frame it was given, and that
    frame is rebuilt from the stored selection, so folding the edits in is safe to repeat. A
    refused tick re-keys the grid (so the box clears) and leaves a notice for the next run.
    """
    ids = {c.row_number: c.client_id for c in batch.clients}
    reasons = {
        int(r): str(p) for r, p in zip(batch.preview[PREVIEW_ROW], batch.preview[PREVIEW_ISSUES], strict=True)
    }
    ticked = {int(n): bool(v) for n, v in zip(edited[ROW], edited[SELECT], strict=True)}
    chosen = set(current)
    refused: list[str] = []
    for number, on in ticked.items():
        cid = ids.get(number)
        if cid is None:
            if on:
                refused.append(f"row {number}: {reasons.get(number) or 'it has errors'}")
        elif on:
            chosen.add(cid)
        else:
            chosen.discard(cid)
    selection = [c.client_id for c in batch.clients if c.client_id in chosen]
    if selection != current:
        session.set_selected(selection)
    if refused:
        st.session_state[NOTICE] = refused
        reset_editor()
        st.rerun()
    return selection
