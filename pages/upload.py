"""Upload: the client spreadsheet, its sheet and column mapping, the checks, and the selection."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from onboarding import CANONICAL_FIELDS, SUPPORTED_EXTENSIONS, ColumnMapping, IngestError
from ui import (
    chrome,
    display,
    issue_summary,
    review_fixes,
    review_grid,
    segment_mapping,
    session,
    state,
    tables,
)

FIELD_LABELS = {
    "client_id": "Client ID",
    "name": "Client name",
    "email": "Client e-mail",
    "manager_email": "Account manager e-mail",
}


UPLOADER_NONCE = "upload_file_nonce"
MAP_PREFIX = "upload_map_"
REJECTED = "upload_rejected_notice"
ISSUE_ROW_HEIGHT = 72
"""Three lines per problem in "All problems": above 4rem a grid's cells wrap, so the advice at the
end of a long message (format the column as Text, unmerge the cells) is read, not cut off."""
"""(file name, what is wrong, what to do) of a file that was not taken; shown once."""


def uploader_key() -> str:
    """The file picker's key; it changes when the file in use is replaced or removed elsewhere,
    so the picker's chip never names a file that is no longer in use."""
    return f"upload_file_{st.session_state.get(UPLOADER_NONCE, 0)}"


def reset_mapping_widgets() -> None:
    """The mapping drop-downs show the automatic mapping of the file now in use (seeded again)."""
    state.drop(MAP_PREFIX)


def take_upload(key: str) -> None:
    """Use the picked file, unless it cannot be read: then the file in use stays and the picker is
    cleared (so it never names a file that is not in use), with the reason shown."""
    uploaded = st.session_state.get(key)
    if uploaded is None:
        return
    problem = session.try_upload(uploaded.name, uploaded.getvalue())
    if problem is not None:
        st.session_state[REJECTED] = (uploaded.name, *chrome.explain(problem))
        state.bump(UPLOADER_NONCE)
        return
    reset_mapping_widgets()
    tables.reset_editor()


def use_sample(name: str) -> None:
    session.set_upload(name, session.SAMPLE_FILES[name].read_bytes())
    reset_mapping_widgets()
    state.bump(UPLOADER_NONCE)
    tables.reset_editor()


def remove_file() -> None:
    session.clear_upload()
    reset_mapping_widgets()
    state.bump(UPLOADER_NONCE)
    tables.reset_editor()


def automatic_mapping() -> None:
    session.set_mapping(None)
    reset_mapping_widgets()
    tables.reset_editor()


def change_sheet() -> None:
    session.set_sheet(st.session_state["upload_sheet"])
    reset_mapping_widgets()
    tables.reset_editor()


def change_mapping() -> None:
    values = {f: st.session_state.get(f"{MAP_PREFIX}{f}") for f in (*CANONICAL_FIELDS, segment_mapping.FIELD)}
    session.set_mapping(ColumnMapping(**values))
    tables.reset_editor()


def select_all(ids: list[str]) -> None:
    session.set_selected(ids)
    tables.reset_editor()


with chrome.page("Upload clients", "One client per row: ID, company, e-mail and account manager.") as s:
    top_left, top_right = st.columns([3, 2], gap="large")
    with top_left, st.container(key="upload_file"):
        picker = uploader_key()
        st.file_uploader(
            "Client spreadsheet",
            type=[ext.lstrip(".") for ext in SUPPORTED_EXTENSIONS],
            key=picker,
            on_change=take_upload,
            args=(picker,),
            help="CSV (any common encoding and delimiter), Excel (XLSX, XLSM) or OpenDocument (ODS).",
        )
    if s.sandbox:
        with top_right, st.container(border=True):
            st.markdown("**Try the sample client lists**")
            st.caption("15 fictional clients, three with deliberate problems.")
            a = b = st.container(horizontal=True, gap="small", wrap=True)
            a.button(
                "clients.xlsx",
                key="upload_sample_xlsx",
                icon=":material/table:",
                on_click=use_sample,
                args=("clients.xlsx",),
            )
            b.button(
                "clients.csv",
                key="upload_sample_csv",
                icon=":material/description:",
                on_click=use_sample,
                args=("clients.csv",),
            )

    upload = session.upload()
    rejected = st.session_state.pop(REJECTED, None)
    if rejected is not None:
        name, what, todo = rejected
        kept = f" The file in use is still **{display.md(upload['name'])}**." if upload else ""
        st.error(
            f"**{display.md(name)}** was not used: {display.md(what)} {todo}{kept}", icon=":material/error:"
        )
    saved_at = st.session_state.pop(session.RESTORED, None)
    if upload and saved_at:
        st.info(
            f"Restored your last upload, **{display.md(upload['name'])}**, as you left it at "
            f"{time.strftime('%H:%M', time.localtime(saved_at))}: mapping, edits, selection and "
            "conflict choices included.",
            icon=":material/restore:",
        )
    if not upload:
        st.info(
            "Upload a spreadsheet with one client per row. Columns are matched automatically "
            "(for example *Client ID*, *Company*, *E-mail*, *Account manager*) and can be changed "
            "below; other columns are carried through to the results export.",
            icon=":material/info:",
        )
        st.stop()

    try:
        batch = session.current_batch()
    except (
        IngestError
    ) as exc:  # a kept draft that no longer reads (the limits changed): say so, offer a way out
        what, todo = chrome.explain(exc)
        st.error(
            f"**{display.md(upload['name'])}** cannot be used: {display.md(what)} {todo}",
            icon=":material/error:",
        )
        st.button("Remove file", key="upload_remove", icon=":material/close:", on_click=remove_file)
        st.stop()
    assert batch is not None
    src = batch.source
    where = f"sheet **{display.md(src.sheet)}**, " if src.sheet else ""
    kb = len(upload["data"]) / 1024
    size = "<1 KB" if kb < 1 else f"{kb:,.0f} KB"
    in_use = remove = st.container(horizontal=True, vertical_alignment="center", gap="medium", wrap=True)
    in_use.markdown(
        f"In use: **{display.md(src.filename)}** ({size}) — {where}"
        f"header on row {src.header_row_number}, {batch.total_rows} client row{'' if batch.total_rows == 1 else 's'}."
    )
    remove.button("Remove file", key="upload_remove", icon=":material/close:", on_click=remove_file)

    with st.expander("Sheet and columns", expanded=batch.blocked, icon=":material/view_column:"):
        if len(src.sheets) > 1:
            if st.session_state.get("upload_sheet") not in src.sheets:
                st.session_state["upload_sheet"] = src.sheet or src.sheets[0]
            st.selectbox("Sheet", src.sheets, key="upload_sheet", on_change=change_sheet)
        options: list[str | None] = [None, *batch.headers]
        half = (len(CANONICAL_FIELDS) + 1) // 2
        cols = [*st.columns(half), *st.columns(half)]  # two by two: the names stay readable when narrow
        for col, field in zip(cols, CANONICAL_FIELDS, strict=False):
            key = f"{MAP_PREFIX}{field}"
            used = batch.mapping.header_for(field)
            if key not in st.session_state or st.session_state[key] != used:
                # The drop-down always shows the mapping the checks below were made with.
                st.session_state[key] = used if used in options else None
            col.selectbox(
                FIELD_LABELS[field],
                options,
                key=key,
                format_func=lambda h: "— not in the file —" if h is None else str(h),
                on_change=change_mapping,
            )
        segment_mapping.select(st, batch, f"{MAP_PREFIX}{segment_mapping.FIELD}", change_mapping)
        extra = batch.mapping.extra_headers(batch.headers)
        st.caption(
            "Carried through to the export: "
            + (display.md(", ".join(extra)) if extra else "no other columns")
            + f". Room titles follow the blueprint's pattern “{display.md(batch.settings.title_pattern)}”"
            + segment_mapping.title_note()
        )
        st.button(
            "Reset to automatic mapping",
            key="upload_mapping_reset",
            icon=":material/restart_alt:",
            on_click=automatic_mapping,
            disabled=st.session_state.get(session.MAPPING) is None,
            help="Match the columns by their headers again, as when the file was loaded.",
        )

    selected = session.selected_ids(batch)
    st.subheader("Checks", anchor=False)
    metrics = st.container()  # filled after the grid, which may change the selection
    for issue in batch.file_issues:  # a warning (a repeated header, mixed encodings) is not shown as an error
        if issue.severity == "error":
            st.error(display.md(issue.message), icon=":material/error:")
        else:
            st.warning(display.md(issue.message), icon=":material/warning:")
    issue_summary.render(batch)
    review_fixes.journal_counts(batch)
    raw = session.edited_table()
    assert raw is not None
    tidy, found = session.fix_candidates()
    review_fixes.render(batch, raw, tidy, found)

    st.subheader("Rows", anchor=False)
    bar = st.container(horizontal=True, vertical_alignment="bottom", gap="small", wrap=True)
    shown_filter = bar.segmented_control(
        "Show",
        ["All rows", "Rows with problems"],
        default="All rows",
        key="upload_filter",
        on_change=tables.reset_editor,
    )
    bar.space("stretch")
    slots = (bar.empty(), bar.empty())  # filled after the grid, which may change the selection
    for refused in st.session_state.pop(tables.NOTICE, []):
        st.warning(f"Cannot select {display.md(refused)}", icon=":material/block:")
    review_grid.show_notice()

    frame = tables.preview_frame(batch, set(selected), shown_filter == "Rows with problems")
    frame = review_grid.with_suggestions(frame, found)
    edited = st.data_editor(
        tables.styled(batch, frame),
        key=tables.editor_key(),
        hide_index=True,
        num_rows="fixed",
        disabled=review_grid.locked_columns(frame, batch),
        column_config={
            tables.SELECT: st.column_config.CheckboxColumn(
                tables.SELECT, help="Rows with errors cannot be selected.", width=100, pinned=True
            ),
            tables.ROW: st.column_config.NumberColumn(
                tables.ROW, help="Row number in the spreadsheet", width=60
            ),
            tables.CHECK: st.column_config.TextColumn(tables.CHECK, width=115),
            tables.PROBLEMS: st.column_config.TextColumn(
                tables.PROBLEMS,
                # Narrower than what the grid scrolls at 1000 px (sidebar open, "Onboard" pinned),
                # so a row's problems can be read whole there; the full list is under the grid.
                width=400,
                help="Every problem of the row; the full list is also under “All problems” below the grid.",
            ),
            tables.TITLE: st.column_config.TextColumn(tables.TITLE, width=260),
        },
        height=min(38 + 35 * max(len(frame), 1), 560),
    )
    review_grid.take_cell_edits(batch, frame, tables.editor_key())
    selected = tables.apply_edits(batch, edited, selected)

    valid_ids = [c.client_id for c in batch.clients]
    slots[0].button(
        "Select all valid",
        key="upload_select_all",
        on_click=select_all,
        args=(valid_ids,),
        disabled=batch.blocked or len(selected) == len(valid_ids),
    )
    slots[1].button(
        "Clear selection",
        key="upload_select_none",
        on_click=select_all,
        args=([],),
        disabled=not selected,
    )
    with metrics:
        m = st.columns(5)
        m[0].metric("Rows", batch.total_rows)
        m[1].metric("Valid", len(batch.clients))
        m[2].metric("With errors", batch.error_row_count)
        m[3].metric("With warnings", len({i.row_number for i in batch.warnings if i.row_number}))
        m[4].metric("Selected", len(selected))

    if batch.issues:
        with st.expander(f"All problems ({len(batch.issues)})", icon=":material/report:"):
            issues = pd.DataFrame(
                [
                    {
                        "Row": i.row_number,
                        "Column": i.column or ("" if i.row_number else "the whole file"),
                        "Severity": "✖ error" if i.severity == "error" else "⚠ warning",
                        "Problem": i.message,
                    }
                    for i in batch.issues
                ]
            )
            issues["Row"] = issues["Row"].astype(
                "Int64"
            )  # a file's own problem has no row: blank, not "None"
            st.dataframe(
                issues,
                hide_index=True,
                key="upload_issues",
                row_height=ISSUE_ROW_HEIGHT,
                column_config={"Problem": st.column_config.TextColumn(width="large")},
            )

    if selected:
        st.page_link(
            "pages/onboard.py",
            label=f"Plan and onboard {len(selected)} selected client{'s' if len(selected) != 1 else ''}",
            icon=":material/arrow_forward:",
        )
    else:
        st.caption("Select at least one valid row to continue.")
