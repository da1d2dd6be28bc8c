"""The Settings page's Blueprint tab, one component per part of the blueprint.

Each section seeds its widgets from the draft (``ui.blueprint_form``) and offers only what the
blueprint's own rules allow for the chosen room type (``Blueprint.member_roles``,
``guest_roles``, ``link_kind_for``, ``link_roles_for``); bounds come from the pydantic fields.
Whatever else is wrong is the blueprint's own error message, shown as it is.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from onboarding import Blueprint, ClientLink, FileShare, RoomType, Settings
from ui import auth, chrome, display, resources, room_contents, segments_editor, session, state
from ui import blueprint_form as bf
from ui.bounds import field_bounds

FALLBACKS = {
    "role": "the fallback role",
    "skip": "not invited",
    "block": "block the client",
}
"""Short: the choice shows in a third of the page (cut at 1000 px when longer); the help says more."""


def render(s: Settings) -> Blueprint | None:
    """The whole tab; returns the edited blueprint when it is valid (for the manager check)."""
    bstate = session.blueprint_state(s)
    if bstate.problem:
        st.warning(
            f"The blueprint file could not be used ({display.md(bstate.problem)}); "
            "the built-in blueprint is in force.",
            icon=":material/warning:",
        )
    st.caption(
        f"Saved to `{bstate.path}`"
        + ("" if bstate.exists else " (not saved yet: the built-in blueprint is in force)")
    )
    d = bf.draft(bstate.blueprint)
    room_type = room_section(d)
    if room_contents.source(d):
        choice = room_contents.template_picker(s, d, room_type)
        folders, templates = d["folders"], d["templates"]  # kept in the draft for a switch back
    else:
        choice = room_contents.Choice(None)
        folders = folders_input(d)
        templates = templates_section(s, d, folders)
    manager_section(d, room_type)
    client_section(d, room_type)
    known = audit_section(d)  # who else may be in the room: next to the manager and the client
    kind = link_section(d, room_type)
    segments, segments_problem = segments_editor.section(d)
    current = {**collect(room_type, folders, templates, kind), "segments": segments, "known_members": known}
    current["room_template"] = choice.room_template
    st.session_state[bf.DRAFT] = {**current, "templates": d["templates"]}
    # a template brings its own folders and files: the blueprint holds one or the other
    candidate, problem = bf.check(
        {**current, "folders": [], "templates": []} if choice.room_template else current
    )
    problem = segments_problem or choice.problem or problem
    candidate = None if problem else candidate
    if candidate is not None:
        segments_editor.preview(candidate)
    if problem:
        st.error(f"This blueprint cannot be saved yet: {display.md(problem)}", icon=":material/error:")
    if candidate is not None:
        unknown_placeholders(candidate)
    if not problem and candidate is not None and candidate != bstate.blueprint:
        st.info("Unsaved changes.", icon=":material/edit:")
    actions(candidate, bstate.blueprint)
    return candidate


def unknown_placeholders(candidate: Blueprint) -> None:
    """Warn of a pattern placeholder no row can fill (``{nme}``): the blueprint is valid, as a
    file may have that column, but a typo would refuse every row of the upload in use."""
    table = session.file_table()
    unknown = candidate.unknown_placeholders(table.headers if table is not None else ())
    if not unknown:
        return
    names = ", ".join("{" + name + "}" for name in unknown)
    where = f"a column of {table.filename}" if table is not None else "a column of the file"
    st.warning(
        f"{display.md(names)} {'is' if len(unknown) == 1 else 'are'} neither a client field "
        f"({{client_id}}, {{name}}, {{email}}, {{manager_email}}) nor {display.md(where)}: "
        + (
            "every row of it would be refused. A typo?"
            if table is not None
            else "only a file with such a column can be onboarded. A typo?"
        ),
        icon=":material/warning:",
    )


def role_select(
    where: Any, label: str, key: str, value: FileShare, roles: list[FileShare], disabled: bool = False
) -> None:
    """A role picker offering only ``roles`` (what the blueprint allows here), seeded from the draft."""
    state.seed(key, value, roles)
    where.selectbox(label, roles, key=key, format_func=bf.role_label, disabled=disabled)


def optional_count(
    where: Any, label: str, key: str, link: dict[str, Any], field: str, disabled: bool = False
) -> None:
    """A count of the client link where 0 means "none"; the upper bound is the field's own."""
    state.seed(key, link.get(field) or 0)
    high = field_bounds(ClientLink, field)[1]
    where.number_input(label, min_value=0, max_value=high, key=key, disabled=disabled)


def room_section(d: dict[str, Any]) -> RoomType:
    """Room type, title and tag patterns."""
    st.markdown("##### Room")
    room_types = list(RoomType)
    state.seed("bp_room_type", RoomType(d["room_type"]), room_types)
    room_type: RoomType = st.selectbox(
        "Room type", room_types, key="bp_room_type", format_func=lambda r: r.label
    )
    c1, c2 = st.columns(2)
    state.seed("bp_title_pattern", d["title_pattern"])
    state.seed("bp_tag_pattern", d["tag_pattern"])
    c1.text_input(
        "Room title pattern",
        key="bp_title_pattern",
        help="Placeholders: {client_id}, {name}, {email}, {manager_email} or any column of the file.",
    )
    c2.text_input(
        "Room tag pattern",
        key="bp_tag_pattern",
        help="Must contain {client_id}: the tag is how a client's room is found again (no duplicates).",
    )
    return room_type


def folders_input(d: dict[str, Any]) -> list[str]:
    """The room's folders, one per line."""
    state.seed("bp_folders", "\n".join(d["folders"]))
    st.text_area("Folders (one per line)", key="bp_folders", height=110)
    return [f.strip() for f in st.session_state["bp_folders"].splitlines() if f.strip()]


def templates_section(s: Settings, d: dict[str, Any], folders: list[str]) -> list[dict[str, Any]]:
    """The template files table, and a browser of "My documents" to add more."""
    st.markdown("##### Template files")
    st.caption(
        "Copied into every client room. Source: a file id, or a path in My documents like `@my/Welcome.pdf`."
    )
    rows = pd.DataFrame(
        [
            {"source": t["source"], "folder": t.get("folder") or "", "title": t.get("title") or ""}
            for t in d["templates"]
        ],
        columns=["source", "folder", "title"],
    )
    edited = st.data_editor(
        rows,
        key=bf.templates_key(),
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "source": st.column_config.TextColumn("Source", required=True, width="large"),
            "folder": st.column_config.SelectboxColumn(
                "Folder", options=["", *folders], help="'' = room root"
            ),
            "title": st.column_config.TextColumn("Title of the copy", help="Empty: the source's title"),
        },
    )
    templates = [
        {"source": str(r["source"]).strip(), "folder": r["folder"] or "", "title": r["title"] or None}
        for r in edited.fillna("").to_dict(orient="records")
        if str(r["source"]).strip()
    ]
    if st.toggle("Pick template files from My documents", key="settings_browse"):
        with st.container(border=True), chrome.guard():
            template_browser(s, folders, templates, d)
    return templates


def template_browser(
    s: Settings, folders: list[str], templates: list[dict[str, Any]], d: dict[str, Any]
) -> None:
    """Browse "My documents" on the portal and add files to the blueprint's templates."""
    svc = session.service()
    trail: list[tuple[int, str]] = st.session_state.setdefault("settings_browse_trail", [])
    listing = resources.folder_listing(session.connection_id(s), trail[-1][0] if trail else None, svc)
    st.caption(display.md("My documents / " + " / ".join(t for _, t in trail)))
    nav = st.columns(6)
    if trail and nav[0].button("Up", key="settings_browse_up", icon=":material/arrow_upward:"):
        trail.pop()
        st.rerun()
    for i, folder in enumerate(listing.folders[:10]):
        if nav[(i + 1) % 6].button(
            display.md(folder.title), key=f"settings_browse_dir_{folder.id}", icon=":material/folder:"
        ):
            trail.append((folder.id, folder.title))
            st.rerun()
    path = "/".join(["@my", *(t for _, t in trail)])
    picked = st.multiselect(
        "Files", [f.title for f in listing.files], key="settings_browse_files", placeholder="Choose files"
    )
    target = st.selectbox(
        "Copy into folder",
        ["", *folders],
        key="settings_browse_target",
        format_func=lambda f: f or "(room root)",
    )
    if st.button("Add as template files", key="settings_browse_add", disabled=not picked):
        d["templates"] = [
            *templates,
            *({"source": f"{path}/{title}", "folder": target, "title": None} for title in picked),
        ]
        state.bump(bf.TEMPLATES_NONCE)
        st.session_state.pop("settings_browse_files", None)
        st.rerun()


def manager_section(d: dict[str, Any], room_type: RoomType) -> None:
    """The account manager's role, what happens when they may not hold it, a default manager."""
    st.markdown("##### Account manager")
    roles = bf.user_roles(room_type)
    guests = bf.guest_roles(room_type)
    m1, m2, m3 = st.columns(3)
    role_select(m1, "Manager role", "bp_manager_role", d["manager_role"], roles)
    state.seed("bp_manager_fallback", d["manager_fallback"], list(FALLBACKS))
    m2.selectbox(
        "If the manager may not hold it",
        list(FALLBACKS),
        key="bp_manager_fallback",
        format_func=FALLBACKS.__getitem__,
        help="Only room admins, DocSpace admins and the owner can be Room manager. Anyone else is "
        "invited with the fallback role, not invited at all, or the client is blocked (not onboarded).",
    )
    off = st.session_state["bp_manager_fallback"] != "role"
    role_select(m3, "Fallback role", "bp_manager_fallback_role", d["manager_fallback_role"], guests, off)
    state.seed("bp_default_manager_email", d.get("default_manager_email") or "")
    st.text_input(
        "Default account manager e-mail",
        key="bp_default_manager_email",
        help="Used for rows without an account manager. Empty: the key's own account owns the room.",
    )


def client_section(d: dict[str, Any], room_type: RoomType) -> None:
    """Whether and how the client is invited (roles follow the room type chosen above)."""
    st.markdown("##### Client")
    guests = bf.client_roles(room_type)
    k1, k2 = st.columns(2)
    state.seed("bp_invite_client", d["invite_client"])
    k1.toggle("Invite the client by e-mail", key="bp_invite_client")
    off = not st.session_state["bp_invite_client"]
    role_select(k2, "Client role", "bp_client_role", d["client_role"], guests, off)
    state.seed("bp_notify", d["notify"])
    k1.toggle("Send DocSpace's notification e-mail", key="bp_notify")


def link_section(d: dict[str, Any], room_type: RoomType) -> str:
    """The client's link; returns its kind for this room type ("invitation" or "external")."""
    st.markdown("##### Client link")
    kind = bf.link_kind(room_type)
    st.caption(
        f"A {room_type.label} gets an **{kind}** link"
        + (" (one per room; no password)." if kind == "invitation" else " (may carry a password).")
    )
    link = d["link"]
    # The switch for the whole section stands on its own line, and the external link's two
    # switches share one below the fields: in a third of the page (1000 px wide) their labels
    # were cut ("Create a link for the…", "Require a public lin…").
    state.seed("bp_link_enabled", link["enabled"])
    st.toggle("Create a link for the client", key="bp_link_enabled")
    link_on = bool(st.session_state["bp_link_enabled"])
    l1, l2, l3 = st.columns(3)
    state.seed("bp_link_title", link["title"])
    l1.text_input("Link title", key="bp_link_title", disabled=not link_on)
    role_select(l2, "Link access", "bp_link_access", link["access"], bf.link_roles(room_type), not link_on)
    state.seed("bp_link_password", link.get("password") or "")
    external = link_on and kind == "external"
    l3.text_input("Password", key="bp_link_password", type="password", disabled=not external)
    optional_count(
        l1, "Expires after (days, 0 = never)", "bp_link_expires", link, "expires_in_days", not link_on
    )
    off = not link_on or kind != "invitation"
    optional_count(l2, "Maximum uses (0 = unlimited)", "bp_link_max_use", link, "max_use_count", off)
    switches = st.container(horizontal=True, gap="large", wrap=True)
    state.seed("bp_link_deny_download", link["deny_download"])
    switches.toggle("Deny downloads", key="bp_link_deny_download", disabled=not external)
    state.seed("bp_link_require_public", link.get("require_public", False))
    switches.toggle(
        "Require a public link",
        key="bp_link_require_public",
        disabled=not external,
        help="Fail the client when the portal makes its link sign-in only (restricted external "
        "sharing), instead of keeping a link only people signed in to the portal can open.",
    )
    return kind


AUDIT_HEADING = "Other room members (audit)"


def audit_section(d: dict[str, Any]) -> list[str]:
    """People the audit does not report in any client's room, one per line."""
    st.markdown(f"##### {AUDIT_HEADING}")
    state.seed("bp_known_members", "\n".join(d.get("known_members") or []))
    st.text_area(
        "Known members (one per line: an e-mail address, or @domain)",
        key="bp_known_members",
        height=80,
        help="Colleagues a team adds to client rooms on purpose. Anyone else in a room who is not "
        "its account manager, the client or the key's account is reported by the audit.",
    )
    return [m.strip() for m in st.session_state["bp_known_members"].splitlines() if m.strip()]


def collect(
    room_type: RoomType, folders: list[str], templates: list[dict[str, Any]], kind: str
) -> dict[str, Any]:
    """The widgets' values as the blueprint's plain data (fields the link kind lacks left out)."""
    ss = st.session_state
    return {
        "room_type": room_type,
        "title_pattern": ss["bp_title_pattern"],
        "tag_pattern": ss["bp_tag_pattern"],
        "folders": folders,
        "templates": templates,
        "default_manager_email": ss["bp_default_manager_email"].strip() or None,
        "manager_role": ss["bp_manager_role"],
        "manager_fallback": ss["bp_manager_fallback"],
        "manager_fallback_role": ss["bp_manager_fallback_role"],
        "invite_client": ss["bp_invite_client"],
        "client_role": ss["bp_client_role"],
        "notify": ss["bp_notify"],
        "link": {
            "enabled": bool(ss["bp_link_enabled"]),
            "title": ss["bp_link_title"],
            "access": ss["bp_link_access"],
            "expires_in_days": int(ss["bp_link_expires"]) or None,
            "max_use_count": (int(ss["bp_link_max_use"]) or None) if kind == "invitation" else None,
            "password": (ss["bp_link_password"] or None) if kind == "external" else None,
            "deny_download": bool(ss["bp_link_deny_download"]) if kind == "external" else False,
            "require_public": bool(ss["bp_link_require_public"]) if kind == "external" else False,
        },
    }


def actions(candidate: Blueprint | None, in_force: Blueprint) -> None:
    """Save, discard, built-in defaults, download and load a TOML file."""
    b1, b2, b3, b4 = st.columns(4)
    if b1.button(
        "Save blueprint",
        key="bp_save_button",
        type="primary",
        disabled=candidate is None or not auth.can_write(),
        help=auth.why_not() or None,
    ):
        assert candidate is not None
        auth.require_write("save the blueprint")
        saved = session.save_blueprint(candidate)
        bf.load(candidate)
        st.session_state["settings_bp_saved"] = f"Blueprint saved to {display.md(saved)}."
        st.rerun()
    b2.button("Discard changes", key="bp_discard_button", on_click=bf.load, args=(in_force,))
    b3.button("Built-in defaults", key="bp_defaults_button", on_click=bf.load, args=(Blueprint(),))
    b4.download_button(
        "Download TOML",
        (candidate or in_force).to_toml(),
        file_name="blueprint.toml",
        mime="application/toml",
        key="bp_download_button",
        on_click="ignore",
    )
    if saved_msg := st.session_state.pop("settings_bp_saved", None):
        st.success(saved_msg, icon=":material/check_circle:")
    uploaded = st.file_uploader("Load a blueprint TOML", type=["toml"], key="settings_bp_upload")
    if uploaded is not None and st.button("Load this file into the editor", key="settings_bp_load"):
        bf.load(Blueprint.from_toml(uploaded.getvalue().decode("utf-8", "replace"), source=uploaded.name))
        st.rerun()
