"""The Settings page's choice of what fills a client's room: folders and files, or a room template.

The two exclude each other (``Blueprint.room_template`` with ``folders``/``templates``), so the
editor asks for one of them. A template is picked from the portal's Templates section
(``Onboarding.room_templates``) and stored by id, which survives a rename. The template decides the
room type (``CreateRoomFromTemplateAsync`` takes ``template.FolderType``), so picking one sets the
room type, and a room type changed afterwards is named as the problem it would be at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from onboarding import RoomType, Settings
from ui import chrome, display, resources, session, state

SOURCE = "bp_contents_source"
TEMPLATE = "bp_room_template"
FILES, FROM_TEMPLATE = "files", "template"
LABELS = {FILES: "Folders and files", FROM_TEMPLATE: "A room template"}
HOW_TO = (
    "In DocSpace, set up a room the way every client's should start (folders, welcome files), then "
    "open its menu (⋮) and choose **Save as template**. It appears under **Templates** and here "
    "(the API key's account must be able to see it)."
)


@dataclass(frozen=True)
class Choice:
    """What the person chose: the template (``None``: folders and files) and why it cannot be used."""

    room_template: str | None
    problem: str = ""


def source(d: dict[str, Any]) -> bool:
    """The source picker; True when the room comes from a template."""
    state.seed(SOURCE, FROM_TEMPLATE if d.get("room_template") else FILES, list(LABELS))
    st.radio(
        "Room contents",
        list(LABELS),
        key=SOURCE,
        format_func=LABELS.__getitem__,
        horizontal=True,
        help="A room template copies its folders and files into each client room in one write; "
        "otherwise the folders and template files below are created one by one.",
    )
    return bool(st.session_state[SOURCE] == FROM_TEMPLATE)


def template_picker(s: Settings, d: dict[str, Any], room_type: RoomType) -> Choice:
    """The portal's room templates to choose from (an empty state says how to make one)."""
    found: list[tuple[int, str, int | None]] | None = None
    with chrome.guard():
        found = resources.room_templates(session.connection_id(s), session.service())
    if found is None:
        return Choice(None, "the portal's room templates could not be read (see above)")
    current = str(d.get("room_template") or "")
    entries = {str(i): (i, title, kind) for i, title, kind in found}
    if current and current not in entries:  # named by title (a TOML file), or gone from the portal
        same = [str(i) for i, title, _ in found if title == current]
        if len(same) == 1:  # keep the blueprint's own spelling: nothing changed, nothing to save
            entries = {(current if k == same[0] else k): v for k, v in entries.items()}
    st.button(
        "Read the templates again",
        key="bp_templates_reload",
        on_click=resources.room_templates.clear,
        icon=":material/refresh:",
        help="After saving a new template in DocSpace.",
    )
    if not entries and not current:
        st.info(f"This portal has no room templates yet. {HOW_TO}", icon=":material/info:")
        return Choice(None, "choose a room template, or fill the room with folders and files")
    options = list(entries) + ([current] if current and current not in entries else [])
    fitting = next((k for k, (_, _, kind) in entries.items() if kind == int(room_type)), options[0])
    state.seed(TEMPLATE, current or fitting, options)

    def label(value: str) -> str:
        if value not in entries:
            return f"{value} (not among the portal's templates)"
        i, title, kind = entries[value]
        return f"{title} — {_kind(kind)} (id {i})"

    st.selectbox(
        "Room template",
        options,
        key=TEMPLATE,
        format_func=label,
        on_change=_follow_type,
        args=(entries,),
        help=HOW_TO,
    )
    chosen = str(st.session_state[TEMPLATE])
    if chosen not in entries:
        return Choice(chosen, f"room template {chosen!r} is not among the portal's templates; pick one")
    i, title, kind = entries[chosen]
    if kind is not None and kind != int(room_type):
        return Choice(
            chosen,
            f"the template “{title}” makes a {_kind(kind)}, but the room type is {room_type.label}: "
            "choose its room type (or another template)",
        )
    st.caption(
        f"Each client room is made from **{display.md(title)}** (template {i}): DocSpace copies its "
        "folders and files in one write per room; the title, tag, manager, client and link follow this "
        "blueprint."
    )
    return Choice(chosen)


def _kind(room_type: int | None) -> str:
    return RoomType(room_type).label if room_type in set(RoomType) else "room"


def _follow_type(entries: dict[str, tuple[int, str, int | None]]) -> None:
    """The template decides the room type: picking one sets it (the roles offered follow)."""
    _, _, kind = entries.get(str(st.session_state.get(TEMPLATE)), (0, "", None))
    if kind is not None and kind in set(RoomType):
        st.session_state["bp_room_type"] = RoomType(kind)
