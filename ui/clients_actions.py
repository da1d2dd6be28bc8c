"""Row and bulk actions of the Clients table: onboard or retry, archive, restore, re-send to the CRM.

Every action works on the selected rows (one row is a row action, several a bulk one), takes
only the clients it applies to (archive skips clients without a room, restore takes archived
ones), and says what it did in a notice shown on the next run. Writes go through
``auth.require_write``; the destructive one (archive) asks first, with a secondary-styled button.
Onboarding runs in the background (``ui/live.py``), so the table's state column follows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from onboarding import ClientEntry, ClientLike, Onboarding
from ui import auth, chrome, clients_table, display, live, session

ARCHIVE_MENU = "clients_archive_menu"
CLOSE_MENU = "clients_archive_close"
"""Set after archiving: the confirmation popover is closed on the next run."""


def who(entries: Sequence[ClientEntry]) -> str:
    """``Müller GmbH (C-1)`` for one client, ``3 clients`` for several (for notices)."""
    if len(entries) == 1:
        return f"{entries[0].name or entries[0].client_id} ({entries[0].client_id})"
    return display.plural(len(entries), "client")


def onboard(svc: Onboarding, entries: Sequence[ClientEntry]) -> None:
    """Start one background run for these clients (the upload's rows, else the journal's records)."""
    clients: list[ClientLike] = [c for e in entries if (c := e.client) is not None]
    plan = svc.plan(clients, **session.plan_choices())
    outcome = live.start(svc, plan, who(entries))
    # The table follows the run: its clients, whatever their state (a "failed" filter would
    # otherwise empty the table the moment a retry starts). Set before the filters are drawn.
    st.session_state[clients_table.FOLLOW_RUN] = outcome.run_id


def archive(svc: Onboarding, entries: Sequence[ClientEntry]) -> None:
    auth.require_write("archive rooms")
    done: list[str] = []
    with st.spinner(f"Archiving {display.plural(len(entries), 'room')}…"):
        for e in entries:
            done.append(f"{e.room_title or e.client_id} (room {svc.archive(e.client_id)})")
    live.forget_plan()
    live.notify("success", display.md(f"Moved to the Archive: {', '.join(done)}."))
    st.session_state[CLOSE_MENU] = True


def restore(svc: Onboarding, entries: Sequence[ClientEntry]) -> None:
    """Unarchive each room and make its access and link again (a journal run per client)."""
    auth.require_write("restore rooms")
    failed: list[str] = []
    with st.spinner(f"Restoring {display.plural(len(entries), 'room')} from the Archive…"):
        for e in entries:
            result = svc.restore(e.client_id)
            if result.exit_code != 0:
                failed.append(e.client_id)
    live.forget_plan()
    if failed:
        live.notify(
            "warning", display.md(f"Could not restore {', '.join(failed)}: see the client's details.")
        )
    else:
        live.notify(
            "success", display.md(f"Restored {who(entries)}: room unarchived, access and link made again.")
        )


def resend(svc: Onboarding, entries: Sequence[ClientEntry]) -> None:
    auth.require_write("re-send clients to the CRM")
    with st.spinner(f"Sending {display.plural(len(entries), 'client')} to the CRM…"):
        report = svc.deliver([e.client_id for e in entries], force=True)
    if report is None:
        return
    if report.failed:
        first = next(iter((report.errors or {}).values()), "")
        text = f"Re-sent {report.sent}; {report.failed} failed (first: {chrome.redact(first)})."
        live.notify("warning", display.md(text))
    else:
        live.notify("success", f"Re-sent {report.sent} to the CRM.")


def bar(svc: Onboarding, selected: Sequence[ClientEntry], busy: set[str], webhook: bool) -> None:
    """The action buttons for the selection (disabled, with the reason, when they do not apply)."""
    may_write, why = auth.can_write(), auth.why_not()
    to_onboard = [e for e in selected if e.can_onboard and e.client_id not in busy]
    to_archive = [e for e in selected if e.can_archive and e.client_id not in busy]
    to_restore = [e for e in selected if e.can_restore]
    to_send = [e for e in selected if e.can_deliver]
    row = st.container(horizontal=True, gap="small", wrap=True, vertical_alignment="center")
    if not selected:
        row.caption("Select rows (the boxes at the left) to act on them; one row opens its details below.")
    retry = bool(to_onboard) and all(e.is_retry for e in to_onboard)
    verb = "Retry" if retry else "Onboard"
    if row.button(
        f"{verb} {len(to_onboard)}" if selected else verb,
        key="clients_onboard",
        type="primary",
        icon=":material/replay:" if retry else ":material/play_arrow:",
        disabled=not to_onboard or not may_write,
        help=why or "Onboard (or retry) the selected clients in the background; the table follows.",
    ):
        onboard(svc, to_onboard)
        st.rerun(scope="app")
    if st.session_state.pop(CLOSE_MENU, False):
        st.session_state[ARCHIVE_MENU] = False
    with row.popover(
        f"Archive {len(to_archive)}" if selected else "Archive",
        icon=":material/archive:",
        disabled=not to_archive or not may_write,
        help=why or "Move the rooms to the portal's Archive (the roll-back); restore brings them back.",
        key=ARCHIVE_MENU,
        on_change="rerun",
    ):
        titles = ", ".join(e.room_title or e.client_id for e in to_archive[:5])
        more = f" and {len(to_archive) - 5} more" if len(to_archive) > 5 else ""
        st.markdown(f"Move **{display.md(titles)}**{display.md(more)} to the portal's Archive?")
        st.caption(
            "The client loses access and its link is hidden; Restore brings the room back."
            if len(to_archive) == 1
            else "The clients lose access and their links are hidden; Restore brings the rooms back."
        )
        if st.button(
            f"Archive {display.plural(len(to_archive), 'room')}",
            key="clients_archive_confirm",
            type="secondary",
            icon=":material/archive:",
        ):
            archive(svc, to_archive)
            st.rerun(scope="app")
    act(row, "Restore", to_restore, selected, key="clients_restore", icon=":material/unarchive:",
        why=why or "Unarchive the rooms and make the client's access and link again.", run=restore, svc=svc)  # fmt: skip
    if webhook:
        act(row, "Re-send", to_send, selected, key="clients_resend", icon=":material/send:", suffix=" to CRM",
            why=why or "Deliver the selected onboarded clients to the CRM webhook again.", run=resend, svc=svc)  # fmt: skip


def act(
    row: DeltaGenerator,
    verb: str,
    targets: Sequence[ClientEntry],
    selected: Sequence[ClientEntry],
    *,
    key: str,
    icon: str,
    why: str,
    run: Callable[[Onboarding, Sequence[ClientEntry]], None],
    svc: Onboarding,
    suffix: str = "",
) -> None:
    """A button for an action on the selected clients it applies to ("Restore 2"), then a fresh page."""
    label = f"{verb} {len(targets)}{suffix}" if selected else f"{verb}{suffix}"
    if row.button(label, key=key, icon=icon, disabled=not targets or not auth.can_write(), help=why):
        run(svc, targets)
        st.rerun(scope="app")
