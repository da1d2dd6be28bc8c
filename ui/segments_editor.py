"""The Settings page's per-segment blueprints: which column chooses, and what each segment changes.

Each segment is a small TOML table of the settings it changes (the blueprint file's
``[segments.NAME]`` tables, see ``onboarding/segments.py``), so that any blueprint setting can
differ per segment; "Add a segment" writes the common case (room type, link expiry) for people who
do not write TOML. Whatever a segment gets wrong is the blueprint's own message, naming the segment.
A table below shows what each blueprint gives a client, so the result is visible before saving.
"""

from __future__ import annotations

import tomllib
from typing import Any

import pandas as pd
import streamlit as st
import tomli_w

from onboarding import Blueprint, RoomType
from ui import display, state

ON = "bp_segments_on"
COLUMN = "bp_segments_column"
TABLES = "bp_segments_toml"
NEW_NAME, NEW_TYPE, NEW_EXPIRES = "bp_segments_new_name", "bp_segments_new_type", "bp_segments_new_expires"
EXAMPLE = '[Enterprise]\nroom_type = "virtual data"\nlink = { expires_in_days = 30 }\n\n[SMB]\n'


def section(d: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The segments part of the draft (None: one blueprint for every row), or why it is not valid."""
    st.markdown("##### Blueprint per segment")
    rules: dict[str, Any] | None = d.get("segments")
    state.seed(ON, rules is not None)
    if not st.toggle("Choose the blueprint per row from a column of the client list", key=ON):
        return None, ""
    rules = rules or {}
    state.seed(COLUMN, rules.get("column", "Segment"))
    state.seed(TABLES, tables_toml(rules) if rules else EXAMPLE)
    st.text_input(
        "Segment column",
        key=COLUMN,
        help="The header of the column that names each client's segment (letter case and spaces ignored). "
        "Rows with an empty cell get the blueprint above.",
    )
    add_segment_form()
    st.text_area(
        "Segments: each [Name] table changes settings of the blueprint above",
        key=TABLES,
        height=180,
        help="Any blueprint setting, e.g. room_type, title_pattern, folders, client_role, or a [Name.link] "
        "table. Not tag_pattern: rooms are found again by their tag whatever the segment.",
    )
    try:
        tables = tomllib.loads(st.session_state[TABLES])
    except tomllib.TOMLDecodeError as exc:
        return None, f"the segments are not valid TOML ({exc})"
    return {"column": st.session_state[COLUMN], **tables}, ""


def tables_toml(rules: dict[str, Any]) -> str:
    """The segments' tables as the text area shows them (the column is its own field)."""
    return tomli_w.dumps({name: table for name, table in rules.items() if name != "column"})


def add_segment_form() -> None:
    """A segment with another room type and link expiry, written into the tables for the person."""
    a1, a2, a3 = st.columns(3, vertical_alignment="bottom")
    a1.text_input("New segment", key=NEW_NAME, placeholder="e.g. Enterprise")
    state.seed(NEW_TYPE, RoomType.VIRTUAL_DATA, list(RoomType))
    a2.selectbox("Its room type", list(RoomType), key=NEW_TYPE, format_func=lambda r: r.label)
    state.seed(NEW_EXPIRES, 0)
    a3.number_input("Its link expiry (days, 0 = as above)", min_value=0, max_value=3650, key=NEW_EXPIRES)
    st.button("Add the segment", key="bp_segments_add", on_click=_add, icon=":material/add:")


def _add() -> None:
    ss = st.session_state
    name = str(ss.get(NEW_NAME, "")).strip()
    if not name:
        return
    room_type: RoomType = ss[NEW_TYPE]
    table: dict[str, Any] = {"room_type": room_type.name.lower().replace("_", " ")}
    if int(ss.get(NEW_EXPIRES) or 0):
        table["link"] = {"expires_in_days": int(ss[NEW_EXPIRES])}
    ss[TABLES] = (str(ss.get(TABLES, "")).rstrip() + "\n\n" + tomli_w.dumps({name: table})).lstrip()
    ss[NEW_NAME] = ""


def preview(bp: Blueprint) -> None:
    """What each blueprint gives a client: room type, title, folders, roles, link."""
    if bp.segments is None:
        return
    rows = [_row("default (empty cell)", bp)]
    rows += [_row(name, bp.for_segment(name)) for name in bp.segments.names]
    st.caption(f"What each value of the column **{display.md(bp.segments.column)}** gives a client:")
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="bp_segments_preview")


def _row(name: str, bp: Blueprint) -> dict[str, str]:
    link = "none"
    if bp.link.enabled:
        expiry = f", {bp.link.expires_in_days} days" if bp.link.expires_in_days else ""
        link = f"{bp.link_kind}, {bp.link.access.label}{expiry}"
    return {
        "Blueprint": name,
        "Room type": bp.room_type.label,
        "Room title": bp.title_pattern,
        "Folders": f"from room template {bp.room_template}" if bp.room_template else ", ".join(bp.folders),
        "Client role": bp.client_role.label if bp.invite_client else "not invited",
        "Client link": link,
    }
