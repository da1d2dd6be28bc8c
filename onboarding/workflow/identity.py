"""Identity conflicts: a row reuses a client id the journal onboarded for someone else.

A second spreadsheet may reuse id ``00002`` for another company. Without this check the plan
finds the journal's finished record and says "already onboarded", and the new company never gets
a room. So when the row's name or e-mail differs from what the journal holds under that id, the
plan marks the client a ``conflict`` and nothing is written until a person chooses: skip the row,
update the record (an e-mail change invites the new address), or onboard it under a new id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from onboarding.workflow.status import Action, ClientStatus, Step

if TYPE_CHECKING:  # the plan module imports this one; the CLI's parser only needs the choices
    from onboarding.journal import ClientRecord
    from onboarding.workflow.plan import ClientPlan

__all__ = [
    "CONFLICT_CHOICES",
    "EMAIL_CHANGES",
    "apply_identity",
    "identity_differences",
    "identity_json",
    "identity_lines",
    "join_stamp",
    "new_client_id",
]

CONFLICT_CHOICES: tuple[str, ...] = ("stop", "skip", "update")
"""What a run does with identity conflicts: report them (exit 1), leave them out, or update."""

EMAIL_CHANGES = "email_changes"
"""Progress key: how many times an update replaced the client's e-mail. Each replacement clears
``joined_at`` (the new address has not joined), and ``client.joined`` is keyed by the count, so the
new address joining is news to the CRM while the first address keeps the key it always had."""


def join_stamp(record: ClientRecord) -> str:
    """The stamp of the client's ``client.joined`` (``""`` for the address it was onboarded with)."""
    changes = int(record.progress.get(EMAIL_CHANGES, 0))
    return str(changes) if changes else ""


_WRITTEN = frozenset(
    {
        ClientStatus.DONE,
        ClientStatus.ARCHIVED,
        ClientStatus.FAILED,
        ClientStatus.DEFERRED,
        ClientStatus.RUNNING,
    }
)
"""Statuses of a record something was written for (blocked and pending ones made nothing)."""


def _norm(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def identity_differences(
    record: ClientRecord | None, name: str, email: str | None
) -> dict[str, tuple[str, str]]:
    """Field → (journal's value, row's value) for each of name and e-mail that differ.

    Only records something was written for count, and only fields the journal knows; letter case
    and runs of spaces are not differences.
    """
    if record is None or record.status not in _WRITTEN:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for key, theirs, ours in (("name", record.name, name), ("email", record.email, email or "")):
        if theirs and _norm(theirs) != _norm(ours):
            out[key] = (theirs, ours)
    return out


def apply_identity(plan: ClientPlan, record: ClientRecord | None, *, update: bool) -> None:
    """Turn a client's plan into a conflict when its row is not who the journal onboarded.

    With ``update`` the person chose to update the record instead: a finished client resumes at
    the access step when its e-mail changed (the new address is invited) or at the record step.
    """
    c = plan.client
    diffs = identity_differences(record, c.name, c.email)
    plan.identity = diffs
    if not diffs or plan.action in (Action.BLOCKED, Action.SKIP):  # nothing is written for these
        return
    if not update:
        plan.action = Action.CONFLICT
        plan.resume_step = ""
        plan.writes = plan.reads = 0
        said = "; ".join(f"{key}: journal {old!r}, file {new!r}" for key, (old, new) in diffs.items())
        plan.reasons.append(
            f"client id {c.client_id!r} was onboarded for someone else ({said}): skip the row, "
            "update the record, or onboard it under a new id"
        )
        return
    plan.update_identity = True
    plan.warnings.append("the journal's record is updated to this row's " + " and ".join(diffs))
    if plan.action == Action.DONE:
        plan.action = Action.RESUME
        plan.resume_step = Step.ACCESS if "email" in diffs else Step.RECORD


def new_client_id(client_id: str, taken: Iterable[str]) -> str:
    """A fresh id for onboarding a conflicting row as a new client: ``00002-2``, ``00002-3``, …"""
    used: Collection[str] = {t.casefold() for t in taken}
    n = 2
    while f"{client_id}-{n}".casefold() in used:
        n += 1
    return f"{client_id}-{n}"


def identity_lines(plan: ClientPlan) -> list[str]:
    """The journal's and the row's values side by side, one line per differing field."""
    return [f"{key}: journal {old!r} | file {new!r}" for key, (old, new) in plan.identity.items()]


def identity_json(plan: ClientPlan) -> dict[str, dict[str, str]]:
    """``journal`` and ``row`` values of a conflicting client (empty when it has none)."""
    if not plan.identity:
        return {}
    return {
        "journal": {key: old for key, (old, _) in plan.identity.items()},
        "row": {key: new for key, (_, new) in plan.identity.items()},
    }
