"""The review step's helpers around the grid: where the rows stand in the journal, bulk fixes, and
the corrected list to download.

Bulk fixes compute edits in ``onboarding.review`` (tidy e-mails, fill empty account managers,
suggested e-mail corrections) and go through :func:`ui.review_grid.apply_changes`, so a fix is an
edit like a typed one: kept with the upload, checked again, undone with the others.
"""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd
import streamlit as st

from onboarding import (
    ClientBatch,
    OnboardingError,
    RawTable,
    ReviewError,
    Suggestion,
    corrected_csv,
    fill_managers,
)
from ui import display, review_grid, session

MANAGER_FIELD = "upload_fix_manager"
EXCEL_TOGGLE = "upload_corrected_excel"
SUGGESTIONS = "upload_suggestions"
EAGER_ROWS = 5_000
"""Up to this many rows the corrected list is made with the page (ready at once)."""


def journal_counts(batch: ClientBatch) -> None:
    """New / already onboarded / conflict for the valid rows, from one read of the journal."""
    if batch.blocked or not batch.clients:
        return
    try:
        counts = session.service().review_counts(batch.clients, choices=session.conflict_choices())
    except OnboardingError as exc:
        st.caption(f"The journal could not be read to compare the rows: {display.md(str(exc))}")
        return
    with st.container(horizontal=True, gap="medium", wrap=True, key="upload_journal_counts"):
        st.metric("New", counts.new, help="No client with this ID was onboarded yet.")
        st.metric(
            "Already onboarded",
            counts.onboarded,
            help="Onboarded before under the same ID, name and e-mail: the plan skips them.",
        )
        st.metric(
            "Conflicts",
            counts.conflicts,
            help="The ID was onboarded for another name or e-mail: you choose what happens in the plan.",
        )
        if counts.updates:
            st.metric(
                "To update",
                counts.updates,
                help="Conflicts you chose to resolve by updating the journal's record to the row.",
            )
        if counts.skipped:
            st.metric("Skipped", counts.skipped, help="Conflicts you chose to skip: no run takes these rows.")
        if counts.unfinished:
            st.metric(
                "Started before", counts.unfinished, help="Failed, deferred or archived: a run resumes them."
            )


def _tidy(changes: dict[tuple[int, str], str]) -> None:
    review_grid.apply_changes(changes, f"Trimmed and normalised {len(changes)} e-mail cell(s).")


def _fill(raw: RawTable, batch: ClientBatch) -> None:
    address = str(st.session_state.get(MANAGER_FIELD) or "")
    try:
        changes = fill_managers(raw, batch.mapping, address)
    except ReviewError as exc:
        st.session_state[review_grid.NOTICE] = [("error", str(exc))]
        return
    if not changes:
        st.session_state[review_grid.NOTICE] = [("success", "No account-manager cell is empty.")]
        return
    review_grid.apply_changes(
        changes, f"Account manager set for {display.plural(len(changes), 'row')} that had none."
    )


def _picked(found: list[Suggestion]) -> list[Suggestion]:
    """The suggestions ticked in their table, or all of them when none is ticked."""
    state = st.session_state.get(SUGGESTIONS)
    rows = list(state["selection"]["rows"]) if state else []
    chosen = [found[r] for r in rows if 0 <= r < len(found)]
    return chosen or found


def _suggest(found: list[Suggestion]) -> None:
    changes = {s.key: s.suggestion for s in found}
    st.session_state.pop(SUGGESTIONS, None)  # the table changes: its ticks would point at other rows
    review_grid.apply_changes(changes, f"Applied {len(changes)} suggested e-mail correction(s).")


def render(
    batch: ClientBatch, raw: RawTable, tidy: dict[tuple[int, str], str], found: list[Suggestion]
) -> None:
    """The "Fix rows" panel: bulk fixes, suggestions, undo, and the corrected list."""
    edited = len(session.edits_of(raw.sheet))
    label = "Fix rows" + (f" — {edited} cell{'s' if edited != 1 else ''} edited" if edited else "")
    with st.expander(label, expanded=bool(found) or batch.error_row_count > 0, icon=":material/build:"):
        st.caption(
            "Edit any cell of the file's columns in the grid below: each edit is checked at once and "
            "kept with the upload (also after a reload). Or fix many rows at once:"
        )
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="small", wrap=True)
        row.button(
            f"Trim and normalise e-mails ({len(tidy)})",
            key="upload_fix_tidy",
            icon=":material/cleaning_services:",
            on_click=_tidy,
            args=(tidy,),
            disabled=not tidy,
            help="Removes spaces, mailto: and brackets, and writes the domain in lower case.",
        )
        row.text_input(
            "Account manager for empty cells",
            key=MANAGER_FIELD,
            placeholder="manager@yourcompany.com",
            width=300,
        )
        row.button(
            "Set for empty cells",
            key="upload_fix_manager_apply",
            icon=":material/person_add:",
            on_click=_fill,
            args=(raw, batch),
            disabled=batch.blocked,
        )
        if found:
            st.markdown(f"**Suggested e-mail corrections ({len(found)})** — tick rows to apply only those")
            st.dataframe(
                pd.DataFrame(
                    [
                        {"Row": s.row_number, "Column": s.header, "Now": s.value, "Suggested": s.suggestion}
                        for s in found
                    ]
                ),
                hide_index=True,
                key=SUGGESTIONS,
                on_select="rerun",
                selection_mode="multi-row",
            )
            picked = _picked(found)
            st.button(
                f"Apply {len(picked)} selected suggestion{'s' if len(picked) != 1 else ''}"
                if len(picked) < len(found)
                else f"Apply {len(found)} suggested correction{'s' if len(found) != 1 else ''}",
                key="upload_fix_suggestions",
                icon=":material/spellcheck:",
                on_click=_suggest,
                args=(picked,),
            )
        last = st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=True)
        excel = last.toggle(
            "For Excel",
            key=EXCEL_TOGGLE,
            help="Adds a byte-order mark so that Excel reads the accents right.",
        )
        last.download_button(
            "Download corrected list (CSV)",
            # A large list is written only when the button is clicked (100,000 rows take about a second).
            data=corrected_csv(raw, excel=excel)
            if len(raw.rows) <= EAGER_ROWS
            else lambda: corrected_csv(raw, excel=excel),
            file_name=f"{PurePath(raw.filename).stem}-corrected.csv",
            mime="text/csv",
            key="upload_download_corrected",
            icon=":material/download:",
            on_click="ignore",
        )
        last.button(
            "Undo all edits",
            key="upload_undo_edits",
            icon=":material/undo:",
            on_click=review_grid.undo_all,
            disabled=not edited,
        )
