"""The Results page's "Audit" action: differences per client, with Repair and Accept buttons.

It only composes the door's ``audit``, ``repair``, ``accept`` and ``check_joins``; what counts
as a difference and how it is repaired lives in ``onboarding``. The last audit's findings are kept
in the session so that a Repair or Accept click (a rerun) still shows them, together with what
they were computed against: the blueprint, the journal's last run and the time. When the
blueprint or the journal has changed since, the findings are not shown as current (a green
all-clear made with an earlier blueprint is no all-clear): the panel says when the audit ran and
asks for a new one. A notice (what Repair, Accept or Check joins did) belongs to the findings it
was made with: a new audit drops it, even one that was clicked before the notice was shown.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

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
OLD_AFTER = 3600.0
"""Findings older than this (seconds) are said to be possibly out of date: the portal may have
changed meanwhile (someone edits a room in DocSpace, which the journal never sees)."""

ROW_HEIGHT = 72
"""Three lines of text: above 4rem a grid's cells wrap, so a long address or link reads whole."""
COLUMNS = {
    "item": st.column_config.TextColumn("item", width=200),
    "expected": st.column_config.TextColumn("expected", width=150),
    "found": st.column_config.TextColumn("found", width=150),
}
"""Widths that fit the panel at 1000 px (the grid stretches them when wider): a long item used to
push "found" out of sight."""

_serials = itertools.count(1)


@dataclass
class Audited:
    """One audit's findings with what they were computed against."""

    findings: list[ClientAudit]
    blueprint: str
    """A digest of the blueprint the audit compared the rooms with."""
    journal: tuple[object, ...]
    """The journal's last run (other than audits) when the audit ended: a run, repair, restore,
    renewal or offboarding since then changes it."""
    at: float = field(default_factory=time.time)
    serial: int = field(default_factory=lambda: next(_serials))


def blueprint_digest(svc: Onboarding) -> str:
    return hashlib.sha1(svc.blueprint.model_dump_json().encode("utf-8")).hexdigest()


def journal_state(svc: Onboarding) -> tuple[object, ...]:
    """The journal's last run that may change what an audit finds (audits themselves do not)."""
    for r in svc.runs(limit=20):
        if r.kind != "audit":
            return (r.run_id, r.status, r.finished_at)
    return ()


def stale_reason(svc: Onboarding, audited: Audited) -> str:
    """Why the findings no longer describe the rooms ("" while they still do)."""
    if audited.blueprint != blueprint_digest(svc):
        return "with an earlier blueprint"
    if audited.journal != journal_state(svc):
        return "before the journal changed (a run, repair, restore or renewal since)"
    return ""


def _audited() -> Audited | None:
    found = st.session_state.get(FINDINGS)
    return found if isinstance(found, Audited) else None


def _notify(text: str) -> None:
    """A notice for the findings shown now (dropped once another audit replaces them)."""
    audited = _audited()
    st.session_state[NOTICE] = (audited.serial if audited else None, text)


def _audit(svc: Onboarding, ids: list[str]) -> None:
    with st.spinner(f"Reading {len(ids)} room(s): about {svc.audit_cost(ids)} reads…"):
        found = [a for a in svc.audit(ids) if a.differences]
    st.session_state[FINDINGS] = Audited(
        sorted(found, key=lambda a: id_key(a.client_id)),  # the page's order
        blueprint_digest(svc),
        journal_state(svc),
    )


def _shown_ids() -> list[str]:
    audited = _audited()
    return [a.client_id for a in audited.findings] if audited else []


def _repair(svc: Onboarding, client_id: str) -> None:
    auth.require_write("repair a client's room")
    with st.spinner(f"Repairing {display.md(client_id)}…"):
        report = svc.repair([client_id])
    fixed = report.repaired.get(client_id) or []
    left = report.not_repaired.get(client_id) or []
    text = f"{client_id}: restored {', '.join(fixed) or 'nothing'}" + (
        f"; left {', '.join(left)}" if left else ""
    )
    _audit(svc, [client_id, *(cid for cid in _shown_ids() if cid != client_id)])
    _notify(text)


def _accept(svc: Onboarding, client_id: str, item: str) -> None:
    auth.require_write("accept a difference")
    try:
        svc.accept(client_id, item)
    except ValueError as exc:  # gone since the audit (someone fixed it): the audit is shown again
        _audit(svc, _shown_ids())
        _notify(f"{client_id}: not accepted: {exc}")
        return
    audited = _audited()
    if audited is not None:
        for a in audited.findings:
            if a.client_id == client_id:
                a.differences = [d for d in a.differences if d.item != item]
        audited.findings = [a for a in audited.findings if a.differences]
    _notify(f"{client_id}: accepted {item!r} (no longer reported)")


def _check_joins(svc: Onboarding, ids: list[str]) -> None:
    """Record who joined and tell the CRM (``client.joined``): journal writes and webhook posts."""
    auth.require_write("check joins")  # the button is disabled too, but a forged click still arrives
    report = svc.check_joins(ids)
    _notify(f"{display.plural(report.checked, 'pending client')} checked, {len(report.joined)} joined now.")


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
        st.session_state.pop(NOTICE, None)  # an earlier action's, not this audit's
        _audit(svc, ids)
        st.rerun()  # the caption above says when the last audit was: this one
    if row.button(
        "Check joins",
        key="drift_joins",
        icon=":material/how_to_reg:",
        disabled=not ids or not auth.can_write(),
    ):
        _check_joins(svc, ids)
        st.rerun()
    audited = _audited()
    notice = st.session_state.pop(NOTICE, None)
    if isinstance(notice, tuple) and notice[0] == (audited.serial if audited else None):
        st.success(display.md(chrome.redact(notice[1])), icon=":material/build:")
    if audited is None:
        return
    when = display.when(audited.at)
    if why := stale_reason(svc, audited):
        st.warning(
            f"Audited at {when} {why}: these findings may no longer hold. Audit again.",
            icon=":material/history:",
        )
        return
    old = time.time() - audited.at > OLD_AFTER
    since = f" (audited at {when}{': rooms may have changed in DocSpace since' if old else ''})"
    if not audited.findings:
        st.success(
            "Every audited room matches the journal and the blueprint." + since, icon=":material/check:"
        )
        return
    st.caption(f"{display.plural(len(audited.findings), 'client')} with differences{since}.")
    for a in audited.findings:
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
