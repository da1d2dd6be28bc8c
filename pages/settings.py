"""Settings: the connection (and a session-only key), the blueprint editor, and the limits."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st

from onboarding import Blueprint, Onboarding, RoomType, Settings, access, load_settings
from ui import auth, chrome, display, resources, session, state
from ui import blueprint_form as bf


def use_session_key() -> None:
    url = (st.session_state.get("settings_session_url") or "").strip()
    key = (st.session_state.get("settings_session_key") or "").strip()
    st.session_state["settings_session_key"] = ""  # the key lives only in the connection entry
    if refusal := access.trial_refusal(auth.current()):  # checked before any connection is made
        st.session_state["settings_session_problem"] = refusal
        return
    if not url or not key:
        st.session_state["settings_session_problem"] = "Enter both the portal address and the API key."
        return
    try:
        trial = load_settings(explicit={"portal_url": url, "api_key": key})
        with Onboarding(trial) as svc:
            me = svc.whoami()
    except Exception as exc:
        what, todo = access.trial_failure(exc) or chrome.explain(exc)
        st.session_state["settings_session_problem"] = (
            f"{display.md(chrome.redact(what).replace(key, '•••'))} {chrome.redact(todo)}"
        )
        return
    st.session_state[session.CONNECTION] = {"portal_url": url, "api_key": key}
    session.reset_connection()
    st.session_state["settings_session_ok"] = display.md(
        f"Connected to {url} as {me.display_name or me.email} ({me.user_type})."
    )


def forget_session_key() -> None:
    st.session_state.pop(session.CONNECTION, None)
    session.reset_connection()


def apply_limits() -> None:
    chosen = {
        name: int(st.session_state[f"settings_limit_{name}"])
        for name in ("writes_in_flight", "reads_in_flight", "requests_per_minute", "daily_write_budget")
    }
    chosen["requests_per_minute"] = chosen["requests_per_minute"] or None  # 0: learn from the portal
    st.session_state[session.LIMITS] = chosen


def reset_limits() -> None:
    st.session_state.pop(session.LIMITS, None)
    state.drop("settings_limit_")


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


with chrome.page_any("Settings") as s:
    connection_tab, blueprint_tab, limits_tab = st.tabs(["Connection", "Blueprint", "Limits"])

    # -- connection --------------------------------------------------------------------------------
    with connection_tab:
        if s is not None:
            st.dataframe(
                pd.DataFrame(
                    [
                        ("Portal", s.portal_url or "", display.source_label(s.sources.get("portal_url"))),
                        ("API key", s.masked_key(), display.source_label(s.sources.get("api_key"))),
                        (
                            "Journal",
                            s.journal_shown,
                            display.source_label(s.sources.get("journal_url", s.sources.get("journal_path"))),
                        ),
                        (
                            "Blueprint file",
                            str(session.blueprint_path(s)),
                            display.source_label(s.sources.get("blueprint_path")),
                        ),
                    ],
                    columns=["Setting", "Value", "Source"],
                ),
                hide_index=True,
                key="settings_sources",
            )
            if st.button("Test connection", key="settings_test", icon=":material/network_check:"):
                with chrome.guard():
                    started = time.perf_counter()
                    me = session.service().whoami()
                    ms = (time.perf_counter() - started) * 1000
                    st.success(
                        display.md(
                            f"Connected: the key belongs to {me.display_name or me.email} ({me.email}), "
                            f"{me.user_type}. Answered in {ms:.0f} ms."
                        ),
                        icon=":material/check_circle:",
                    )
        st.markdown("##### Use another portal or key for this session")
        st.caption(
            "Kept in this browser session's memory only — never written to disk, and gone when the "
            "tab closes. For a permanent setting use `.streamlit/secrets.toml` or the environment."
        )
        if ok := st.session_state.pop("settings_session_ok", None):
            st.success(ok, icon=":material/check_circle:")
        if problem := st.session_state.pop("settings_session_problem", None):
            st.error(problem, icon=":material/error:")
        with st.form("settings_session_form", border=True):
            st.text_input(
                "Portal address", key="settings_session_url", placeholder="https://yourcompany.onlyoffice.com"
            )
            st.text_input("API key", key="settings_session_key", type="password", autocomplete="off")
            st.form_submit_button(
                "Test and use for this session",
                key="settings_session_submit",
                on_click=use_session_key,
                type="primary",
                disabled=bool(trial_refused := access.trial_refusal(auth.current())),
                help=trial_refused or None,
            )
        if st.session_state.get(session.CONNECTION):
            st.info("A key entered in this session is in use.", icon=":material/key:")
            st.button("Forget the session key", key="settings_session_forget", on_click=forget_session_key)

    # -- blueprint ---------------------------------------------------------------------------------
    with blueprint_tab:
        if s is None:
            st.stop()
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
        state.seed("bp_folders", "\n".join(d["folders"]))
        st.text_area("Folders (one per line)", key="bp_folders", height=110)
        folders = [f.strip() for f in st.session_state["bp_folders"].splitlines() if f.strip()]

        st.markdown("##### Template files")
        st.caption(
            "Copied into every client room. Source: a file id, or a path in My documents like `@my/Welcome.pdf`."
        )
        template_rows = pd.DataFrame(
            [
                {"source": t["source"], "folder": t.get("folder") or "", "title": t.get("title") or ""}
                for t in d["templates"]
            ],
            columns=["source", "folder", "title"],
        )
        edited = st.data_editor(
            template_rows,
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

        st.markdown("##### Account manager")
        roles = bf.user_roles(room_type)
        guests = bf.guest_roles(room_type)
        m1, m2, m3 = st.columns(3)
        state.seed("bp_manager_role", d["manager_role"], roles)
        m1.selectbox("Manager role", roles, key="bp_manager_role", format_func=bf.role_label)
        fallbacks = ["role", "skip", "block"]
        state.seed("bp_manager_fallback", d["manager_fallback"], fallbacks)
        m2.selectbox(
            "If the manager may not hold it",
            fallbacks,
            key="bp_manager_fallback",
            format_func=lambda v: {
                "role": "invite with another role",
                "skip": "do not invite the manager",
                "block": "block the client",
            }[v],
            help="Only room admins, DocSpace admins and the owner can be Room manager.",
        )
        state.seed("bp_manager_fallback_role", d["manager_fallback_role"], guests)
        m3.selectbox(
            "Fallback role",
            guests,
            key="bp_manager_fallback_role",
            format_func=bf.role_label,
            disabled=st.session_state["bp_manager_fallback"] != "role",
        )
        state.seed("bp_default_manager_email", d.get("default_manager_email") or "")
        st.text_input(
            "Default account manager e-mail",
            key="bp_default_manager_email",
            help="Used for rows without an account manager. Empty: the key's own account owns the room.",
        )

        st.markdown("##### Client")
        k1, k2 = st.columns(2)
        state.seed("bp_invite_client", d["invite_client"])
        k1.toggle("Invite the client by e-mail", key="bp_invite_client")
        state.seed("bp_client_role", d["client_role"], guests)
        k2.selectbox(
            "Client role",
            guests,
            key="bp_client_role",
            format_func=bf.role_label,
            disabled=not st.session_state["bp_invite_client"],
        )
        state.seed("bp_notify", d["notify"])
        k1.toggle("Send DocSpace's notification e-mail", key="bp_notify")
        state.seed("bp_message", d.get("message") or "")
        st.text_area("Message in the invitation (optional)", key="bp_message", height=80)

        st.markdown("##### Client link")
        kind = bf.link_kind(room_type)
        st.caption(
            f"A {room_type.label} gets an **{kind}** link"
            + (" (one per room; no password)." if kind == "invitation" else " (may carry a password).")
        )
        link = d["link"]
        l1, l2, l3 = st.columns(3)
        state.seed("bp_link_enabled", link["enabled"])
        l1.toggle("Create a link for the client", key="bp_link_enabled")
        link_on = bool(st.session_state["bp_link_enabled"])
        state.seed("bp_link_title", link["title"])
        l2.text_input("Link title", key="bp_link_title", disabled=not link_on)
        lroles = bf.link_roles(room_type)
        state.seed("bp_link_access", link["access"], lroles)
        l3.selectbox(
            "Link access", lroles, key="bp_link_access", format_func=bf.role_label, disabled=not link_on
        )
        state.seed("bp_link_expires", link.get("expires_in_days") or 0)
        l1.number_input(
            "Expires after (days, 0 = never)",
            min_value=0,
            max_value=3650,
            key="bp_link_expires",
            disabled=not link_on,
        )
        state.seed("bp_link_max_use", link.get("max_use_count") or 0)
        l2.number_input(
            "Maximum uses (0 = unlimited)",
            min_value=0,
            max_value=1000,
            key="bp_link_max_use",
            disabled=not link_on or kind != "invitation",
        )
        state.seed("bp_link_password", link.get("password") or "")
        l3.text_input(
            "Password",
            key="bp_link_password",
            type="password",
            disabled=not link_on or kind != "external",
        )
        state.seed("bp_link_deny_download", link["deny_download"])
        l1.toggle("Deny downloads", key="bp_link_deny_download", disabled=not link_on or kind != "external")

        ss = st.session_state
        current = {
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
            "message": ss["bp_message"].strip() or None,
            "link": {
                "enabled": link_on,
                "title": ss["bp_link_title"],
                "access": ss["bp_link_access"],
                "expires_in_days": int(ss["bp_link_expires"]) or None,
                "max_use_count": (int(ss["bp_link_max_use"]) or None) if kind == "invitation" else None,
                "password": (ss["bp_link_password"] or None) if kind == "external" else None,
                "deny_download": bool(ss["bp_link_deny_download"]) if kind == "external" else False,
            },
        }
        st.session_state[bf.DRAFT] = {**current, "templates": d["templates"]}
        candidate, problem = bf.check(current)
        if problem:
            st.error(f"This blueprint cannot be saved yet: {display.md(problem)}", icon=":material/error:")
        elif candidate is not None and candidate != bstate.blueprint:
            st.info("Unsaved changes.", icon=":material/edit:")

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
        b2.button("Discard changes", key="bp_discard_button", on_click=bf.load, args=(bstate.blueprint,))
        b3.button("Built-in defaults", key="bp_defaults_button", on_click=bf.load, args=(Blueprint(),))
        b4.download_button(
            "Download TOML",
            (candidate or bstate.blueprint).to_toml(),
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

        st.markdown("##### Check an account manager")
        e1, e2 = st.columns([3, 1], vertical_alignment="bottom")
        e1.text_input("E-mail", key="settings_check_email", placeholder="anna.manager@yourcompany.com")
        if (
            e2.button("Check eligibility", key="settings_check_button")
            and st.session_state["settings_check_email"]
        ):
            with chrome.guard():
                check = session.service().check_manager(
                    st.session_state["settings_check_email"], candidate or bstate.blueprint
                )
                email, user, decision = check.email, check.user, check.decision
                if decision.blocked:
                    st.error(display.md(decision.blocked), icon=":material/block:")
                elif decision.role is None:
                    st.info(
                        display.md(decision.note or f"{email} will not be invited."), icon=":material/info:"
                    )
                else:
                    who = f"{user.display_name} ({user.user_type})" if user else email
                    st.success(
                        display.md(f"{who} is invited as {decision.role.label}. {decision.note}"),
                        icon=":material/check_circle:",
                    )

    # -- limits ------------------------------------------------------------------------------------
    with limits_tab:
        if s is None:
            st.stop()
        st.caption(
            "Client-side limits for runs started from this session. The portal's own defaults are 15 "
            "concurrent writes, 50 concurrent reads, 1,500 requests per minute and 10,000 writes a day per user. "
            "The request rate is learned from the portal unless you set one here."
        )
        limits = {
            "writes_in_flight": ("Writes in flight", 1, 15),
            "reads_in_flight": ("Reads in flight", 1, 50),
            "requests_per_minute": ("Requests per minute (0: learn from the portal)", 0, 100_000),
            "daily_write_budget": ("Writes per day", 1, 1_000_000),
        }
        cols = st.columns(len(limits))
        for col, (name, (label, low, high)) in zip(cols, limits.items(), strict=True):
            key = f"settings_limit_{name}"
            state.seed(key, int(getattr(s, name) or 0))
            col.number_input(label, min_value=low, max_value=high, step=1, key=key)
            col.caption(f"from {display.source_label(s.sources.get(name))}")
        a1, a2, _ = st.columns([1, 1, 3])
        a1.button("Apply to this session", key="settings_limits_apply", type="primary", on_click=apply_limits)
        a2.button("Use configured values", key="settings_limits_reset", on_click=reset_limits)
