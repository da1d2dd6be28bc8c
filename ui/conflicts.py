"""Identity conflicts on the Onboard page: both sides shown, nothing written until a person chooses.

A row that reuses a client id the journal onboarded for another name or e-mail is planned as a
``conflict``. Here each one shows the journal's values next to the file's, with three choices:
skip the row, update the record (a changed e-mail invites the new address), or onboard the row as
a new client under a new id. The choices live with the upload (``session.conflict_choices``);
the plan is made again with them.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from onboarding import TO_ONBOARD, BatchPlan, ClientPlan, new_client_id
from ui import display, live, session

SKIP, UPDATE, NEW = "skip", "update", "new"
HAND_OVER = session.HAND_OVER
"""The Onboard page's "Hand over" choice (``session.plan_choices``), not a conflict's."""
CHOICE_LABELS = {
    SKIP: "Skip this row",
    UPDATE: "Update the record to this row",
    NEW: "Onboard as a new client under a new id",
}


def side_by_side(cp: ClientPlan) -> pd.DataFrame:
    """One row per differing field: what the journal onboarded, what this file says."""
    return pd.DataFrame(
        [
            {"Field": "E-mail" if key == "email" else "Name", "Onboarded (journal)": old, "This file": new}
            for key, (old, new) in cp.identity.items()
        ],
        columns=["Field", "Onboarded (journal)", "This file"],
    )


def render(plan: BatchPlan, known: Callable[[], set[str]]) -> None:
    """The account manager changes with their one choice, each identity conflict of the plan with
    its choices, and the choices already made — each under its own heading.

    ``known`` gives the ids in use (this upload's and the journal's), read only when needed.
    """
    conflicts = [cp for cp in plan.clients if cp.identity and not cp.update_identity]
    choices = _forget_done_hand_overs(plan, session.conflict_choices())
    _handovers(plan, choices)
    resolved = {cid: choice for cid, choice in choices.items() if choice and choice != HAND_OVER}
    if not conflicts and not resolved:
        return
    st.subheader("Conflicts", anchor=False)
    if conflicts:
        st.warning(
            f"{len(conflicts)} row{'s' if len(conflicts) != 1 else ''} reuse{'' if len(conflicts) != 1 else 's'} "
            "a client id already onboarded for another name or e-mail. Nothing is written for them "
            "until you choose.",
            icon=":material/warning:",
        )
    taken = known() if conflicts else set()
    for cp in conflicts:
        _conflict(cp, choices, taken)
    if resolved:
        st.caption(chosen_caption(plan, resolved))
        if st.button("Undo conflict choices", key="conflict_undo", icon=":material/undo:"):
            session.set_conflict_choices({cid: c for cid, c in choices.items() if c == HAND_OVER})
            st.rerun()


def chosen_caption(plan: BatchPlan, resolved: dict[str, str]) -> str:
    """The conflict choices as what is to be done (nothing is written until the client is
    onboarded): ``Conflict choices — BX-002: update the record; BX-003: onboard as new client
    BX-003B. Carried out when you onboard them.``"""
    said = {SKIP: "skip the row", UPDATE: "update the record"}
    lines = [
        f"{display.md(cid)}: "
        + (said.get(c) or f"onboard as new client {display.md(c.removeprefix('new:'))}")
        for cid, c in resolved.items()
    ]
    planned = {cp.client_id: cp for cp in plan.clients}
    writes = [cid if c == UPDATE else c.removeprefix("new:") for cid, c in resolved.items() if c != SKIP]
    to_do = [cid for cid in writes if cid in planned and planned[cid].action in TO_ONBOARD]
    if to_do:
        end = f" Carried out when you onboard {'it' if len(to_do) == 1 else 'them'}."
    elif writes:
        end = " Carried out." if all(cid in planned for cid in writes) else ""
    else:
        end = ""
    return "Conflict choices — " + "; ".join(lines) + "." + end


def _forget_done_hand_overs(plan: BatchPlan, choices: dict[str, str]) -> dict[str, str]:
    """The choices without the hand-overs that are over: a planned client chosen for a hand-over
    whose row no longer names another manager than the journal's (the run handed the room over,
    or the row changed back). Kept, such a choice would hand the room over again, unasked, the next
    time the row names someone else."""
    planned = {cp.client_id: cp for cp in plan.clients}
    over = {
        cid
        for cid, choice in choices.items()
        if choice == HAND_OVER and cid in planned and planned[cid].manager_before is None
    }
    if not over:
        return choices
    kept = {cid: choice for cid, choice in choices.items() if cid not in over}
    session.set_conflict_choices(kept)
    return kept


def _conflict(cp: ClientPlan, choices: dict[str, str], taken: set[str]) -> None:
    """One identity conflict: both sides, the three choices, and Apply."""
    cid, wid = cp.client_id, live.widget_id(cp.client_id)
    with st.container(border=True, key=f"conflict_{wid}"):
        st.markdown(f"**Client id {display.md(cid)}**")
        st.dataframe(side_by_side(cp), hide_index=True, key=f"conflict_table_{wid}")
        choice = st.radio(
            "What should happen to this row?",
            list(CHOICE_LABELS),
            format_func=CHOICE_LABELS.__getitem__,
            key=f"conflict_choice_{wid}",
            index=None,
            horizontal=True,
            captions=[
                "Nothing is written for it.",
                "A new e-mail is invited to the existing room."
                if "email" in cp.identity
                else "The journal keeps the new name.",
                "It gets its own room.",
            ],
        )
        new_id = ""
        if choice == NEW:
            new_id = st.text_input(
                "New client id",
                value=new_client_id(cid, taken),
                key=f"conflict_new_id_{wid}",
            ).strip()
        if st.button(
            "Apply",
            key=f"conflict_apply_{wid}",
            disabled=choice is None or (choice == NEW and (not new_id or new_id in taken)),
            help="The id is already used" if choice == NEW and new_id in taken else None,
        ):
            session.set_conflict_choices({**choices, cid: f"new:{new_id}" if choice == NEW else str(choice)})
            st.rerun()


def _handovers(plan: BatchPlan, choices: dict[str, str]) -> None:
    """Finished clients whose row names another account manager, with one choice for all of them,
    and the hand-overs already chosen (carried out when those clients are onboarded).

    A reassignment usually moves many clients at once (a manager leaves), so the choice is for the
    whole list; rows left out of the selection are not planned and so not handed over. A row that
    is an identity conflict is not listed: it is resolved as a conflict first. Nothing is written
    until the person chooses (see ``onboarding/workflow/reassign.py``).
    """
    pending = [
        cp
        for cp in plan.clients
        if cp.manager_before is not None and not cp.update_manager and not cp.identity
    ]
    chosen = [cid for cid, choice in choices.items() if choice == HAND_OVER]
    if not pending and not chosen:
        return
    st.subheader("Account manager changes", anchor=False)
    if pending:
        n = len(pending)
        st.info(
            f"{display.plural(n, 'onboarded client')} name{'' if n != 1 else 's'} another account manager "
            "in this file. Their rooms keep the manager they have until you hand them over: the new "
            "manager is then invited with the blueprint's manager role and the previous one's access is "
            "removed (never the API key's own account's).",
            icon=":material/swap_horiz:",
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Client id": cp.client_id,
                        "Manager now": cp.manager_before or "none",
                        "This file": cp.manager_named or "",
                    }
                    for cp in pending
                ],
                columns=["Client id", "Manager now", "This file"],
            ),
            hide_index=True,
            key="handover_table",
        )
        if st.button(
            f"Hand over {display.plural(n, 'room')}", key="handover_all", icon=":material/swap_horiz:"
        ):
            session.set_conflict_choices({**choices, **{cp.client_id: HAND_OVER for cp in pending}})
            st.rerun()
    if chosen:
        planned = {cp.client_id: cp for cp in plan.clients}

        def to(cid: str) -> str:
            cp = planned.get(cid)
            new = cp.manager.email if cp is not None and cp.manager is not None else ""
            return f"{display.md(cid)} to {display.md(new)}" if new else display.md(cid)

        st.caption(
            "Hand-over chosen — "
            + "; ".join(to(cid) for cid in chosen)
            + f". Carried out when you onboard {'it' if len(chosen) == 1 else 'them'}."
        )
        if st.button("Undo hand-over", key="handover_undo", icon=":material/undo:"):
            session.set_conflict_choices({cid: c for cid, c in choices.items() if c != HAND_OVER})
            st.rerun()
