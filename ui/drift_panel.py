"""The Results page's "Audit" action: differences per client, with Repair and Accept buttons.

It only composes the door's ``audit``, ``repair``, ``accept`` and ``check_joins``; what counts
as a difference and how it is repaired lives in ``onboarding``. The last audit's findings are kept
in the session so that a Repair or Accept click (a rerun) still shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from onboarding import ClientAudit, ClientRecord, ClientStatus, Onboarding, id_key
from ui import auth, chrome, display, live

FINDINGS = "drift_findings"
NOTICE = "drift_notice"
EXTRA_HELP = (
    "Repair does not take people out of a room: remove them in DocSpace, accept them here, or "
    "list colleagues added on purpose under Known members in Settings > Blueprint."
)

ROW_HEIGHT = 72
"""Three lines of text: above 4rem a grid's cells wrap, so a long address or link reads whole."""
COLUMNS = {
    "item": st.column_config.TextColumn("item", width=200),
    "expected": st.column_config.TextColumn("expected", width=150),
    "found": st.column_config.TextColumn("found", width=150),
}
"""Widths that fit the panel at 1000 px (the grid stretches them when wider): a long item used to
push "found" out of sight."""


def _audit(svc: Onboarding, ids: list[str]) -> None:
    with st.spinner(f"Reading {len(ids)} room(s): about {svc.audit_cost(ids)} reads…"):
        found = [a for a in svc.audit(ids) if a.differences]
        st.session_state[FINDINGS] = sorted(found, key=lambda a: id_key(a.client_id))  # the page's order


def _repair(svc: Onboarding, client_id: str) -> None:
    auth.require_write("repair a client's room")
    with st.spinner(f"Repairing {client_id}…"):
        report = svc.repair([client_id])
    fixed = report.repaired.get(client_id) or []
    left = report.not_repaired.get(client_id) or []
    text = f"{client_id}: restored {', '.join(fixed) or 'nothing'}" + (
        f"; left {', '.join(left)}" if left else ""
    )
    st.session_state[NOTICE] = text
    _audit(svc, [client_id, *(a.client_id for a in st.session_state.get(FINDINGS, []))])


def _accept(svc: Onboarding, client_id: str, item: str) -> None:
    auth.require_write("accept a difference")
    try:
        svc.accept(client_id, item)
    except ValueError as exc:  # gone since the audit (someone fixed it): the audit is shown again
        st.session_state[NOTICE] = f"{client_id}: not accepted: {exc}"
        _audit(svc, [a.client_id for a in st.session_state.get(FINDINGS, [])])
        return
    st.session_state[NOTICE] = f"{client_id}: accepted {item!r} (no longer reported)"
    findings: list[ClientAudit] = st.session_state.get(FINDINGS, [])
    for a in findings:
        if a.client_id == client_id:
            a.differences = [d for d in a.differences if d.item != item]
    st.session_state[FINDINGS] = [a for a in findings if a.differences]


def drift_panel(svc: Onboarding, shown: Sequence[ClientRecord]) -> None:
    """Audit (and check joins of) the onboarded clients shown; list what differs per client."""
    st.subheader("Joined and drift", anchor=False)
    ids = [r.client_id for r in shown if r.status == ClientStatus.DONE]
    last = svc.last_audit()
    joined = sum(1 for r in shown if r.joined_at)
    st.caption(
        f"{joined} of the {display.plural(len(ids), 'onboarded client')} shown "
        + ("has" if joined == 1 else "have")
        + " joined. "
        + (f"Last audit {display.when(last)}." if last else "Never audited.")
        + " An audit reads each room and compares it with the journal and the blueprint (no writes)."
    )
    row = st.container(horizontal=True, gap="small")
    if row.button("Audit", key="drift_audit", icon=":material/rule:", disabled=not ids):
        _audit(svc, ids)
        st.rerun()  # the caption above says when the last audit was: this one
    if row.button(
        "Check joins",
        key="drift_joins",
        icon=":material/how_to_reg:",
        disabled=not ids or not auth.can_write(),
    ):
        report = svc.check_joins(ids)
        st.session_state[NOTICE] = (
            f"{display.plural(report.checked, 'pending client')} checked, {len(report.joined)} joined now."
        )
        st.rerun()
    if notice := st.session_state.pop(NOTICE, None):
        st.success(display.md(chrome.redact(notice)), icon=":material/build:")
    findings: list[ClientAudit] | None = st.session_state.get(FINDINGS)
    if findings is None:
        return
    if not findings:
        st.success("Every audited room matches the journal and the blueprint.", icon=":material/check:")
        return
    for a in findings:
        with st.container(border=True, key=f"drift_client_{live.widget_id(a.client_id)}"):
            st.markdown(f"**{display.md(a.client_id)}** — {len(a.differences)} difference(s)")
            st.dataframe(
                pd.DataFrame([d.as_dict() for d in a.differences]),
                hide_index=True,
                key=f"drift_{a.client_id}",
                row_height=ROW_HEIGHT,
                column_config=COLUMNS,
            )
            c1, c2, c3 = st.columns([1, 2, 1])
            only_people = all(d.is_extra for d in a.differences)
            if c1.button(
                "Repair",
                key=f"drift_repair_{a.client_id}",
                icon=":material/build:",
                disabled=not auth.can_write() or only_people,
                help=EXTRA_HELP if only_people else None,
            ):
                _repair(svc, a.client_id)
                st.rerun()
            item = c2.selectbox(
                "Difference", [d.item for d in a.differences], key=f"drift_item_{a.client_id}",
                label_visibility="collapsed",
            )  # fmt: skip
            if c3.button("Accept", key=f"drift_accept_{a.client_id}", disabled=not auth.can_write()) and item:
                _accept(svc, a.client_id, item)
                st.rerun()
