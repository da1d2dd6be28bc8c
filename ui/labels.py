"""The one table of labels for the product's statuses, keyed by its status enums.

Adding a status to ``onboarding/workflow/status.py`` means adding its label here (a test checks
that every member has one). Symbols are chosen from fonts every system has (no emoji): they also
render inside canvas grids such as ``st.dataframe``.
"""

from __future__ import annotations

from enum import StrEnum

from onboarding import ALREADY_ONBOARDED, Action, ClientState, ClientStatus, Outcome, RunStatus

LABELS: dict[type[StrEnum], dict[str, str]] = {
    ClientStatus: {
        ClientStatus.DONE: "✔ onboarded",
        ALREADY_ONBOARDED: "✔ already onboarded",
        Outcome.SKIPPED: "○ skipped (offboarded or rolled back)",
        ClientStatus.RUNNING: "⟳ running",
        ClientStatus.PENDING: "○ pending",
        ClientStatus.FAILED: "✖ failed",
        ClientStatus.BLOCKED: "■ blocked",
        ClientStatus.DEFERRED: "◐ deferred",
        ClientStatus.LOCKED: "■ locked by another run",
        ClientStatus.ARCHIVED: "○ archived",
        ClientStatus.OFFBOARDED: "○ offboarded",
    },
    ClientState: {  # the Clients table: upload and journal merged
        ClientState.NEW: "○ new",
        ClientState.READY: "● ready",
        ClientState.CONFLICT: "⚠ conflict",
        ClientState.RUNNING: "⟳ running",
        ClientState.ONBOARDED: "✔ onboarded",
        ClientState.FAILED: "✖ failed",
        ClientState.BLOCKED: "■ blocked",
        ClientState.DEFERRED: "◐ deferred",
        ClientState.ARCHIVED: "▣ archived",
    },
    Action: {
        Action.CREATE: "● create",
        Action.RESUME: "↻ resume",
        Action.REPAIR: "⚠ repair",
        Action.DONE: "✔ done",
        Action.SKIP: "○ skip",
        Action.BLOCKED: "■ blocked",
        Action.CONFLICT: "⚠ conflict",
    },
    Outcome: {  # marks in a step's cell of the progress table
        Outcome.STARTED: "…",
        Outcome.DONE: "✓",
        Outcome.SKIPPED: "✓ before",
        Outcome.RETRY: "↻ retrying",
        Outcome.FAILED: "✗ failed",
        Outcome.DEFERRED: "◐ deferred",
        Outcome.ONBOARDED: "✓",
        Outcome.BLOCKED: "■ blocked",
        Outcome.LOCKED: "■ locked",
        Outcome.WAITING: "◷ waiting",
    },
    RunStatus: {
        RunStatus.RUNNING: "⟳ running",
        RunStatus.FINISHED: "✔ finished",
        RunStatus.STOPPED: "◐ stopped",
        RunStatus.INTERRUPTED: "⚠ interrupted",
        RunStatus.FAILED: "✖ failed",
    },
}


def label(kind: type[StrEnum], value: str) -> str:
    """The label of ``value`` (a member or its stored string) of ``kind``; unknown values as they are."""
    return LABELS[kind].get(value, value)


def status_label(status: str) -> str:
    return label(ClientStatus, status)


def state_label(state: str) -> str:
    """A client's state at the Clients table (new, ready, conflict, … archived) with its mark."""
    return label(ClientState, state)


def outcome_label(outcome: str) -> str:
    """A step outcome with its mark, the word said once ("◐ deferred", "✓ done", "… started")."""
    mark = LABELS[Outcome].get(outcome, "")
    if not mark:
        return outcome
    return mark if outcome in mark else f"{mark} {outcome}"
