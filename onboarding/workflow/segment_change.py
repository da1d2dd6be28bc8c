"""A client whose segment changed since its room was made: the plan shows it, nothing is re-typed.

The journal keeps each client's columns as it was onboarded, so the segment its room was made for
is known without the old file; the plan compares it with the row's and says what happens to the
room (DocSpace cannot change a room's type: a different one is a conflict, see ``plan.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onboarding.segments import UnknownSegment
from onboarding.segments import label as segment_label
from onboarding.workflow.status import Action, ClientStatus

if TYPE_CHECKING:
    from onboarding.blueprint import Blueprint
    from onboarding.journal import ClientRecord
    from onboarding.workflow.context import ClientLike
    from onboarding.workflow.plan import ClientPlan


def segment_before(blueprint: Blueprint, record: ClientRecord | None, segment: str) -> str | None:
    """The segment the client's room was made for, when it is not ``segment`` (else None).

    The journal keeps the row's columns as the client was onboarded; a record from before the
    blueprint had segments (no such column) was made with the default blueprint.
    """
    if blueprint.segments is None or record is None or not record.room_id:
        return None
    if record.status == ClientStatus.ARCHIVED:
        return None
    cell = blueprint.segments.cell(record.extra) or ""
    try:
        before = blueprint.segments.name_for(cell)
    except UnknownSegment:
        before = cell  # a segment since removed from the blueprint
    return None if before == segment else before


def whose_blueprint(plan: ClientPlan) -> str:
    """Which blueprint asks for the room type, in words for the plan's room-type conflict."""
    if plan.segment_before is not None:
        return f"its segment's blueprint ({segment_label(plan.segment)}, was {segment_label(plan.segment_before)})"
    return "the blueprint" if not plan.segment else f"the blueprint of segment {plan.segment!r}"


def note_segment_change(plan: ClientPlan) -> None:
    """A room made for another segment is kept as it is: the plan says so (nothing is re-typed)."""
    if plan.segment_before is None:
        return
    was, now = segment_label(plan.segment_before), segment_label(plan.segment)
    room = plan.room.id if plan.room else ""
    if plan.action == Action.DONE:
        plan.warnings.append(
            f"segment changed from {was!r} to {now!r} since onboarding: room {room} stays as the "
            f"{was!r} blueprint made it; archive it to have a room made for {now!r}"
        )
    else:
        plan.warnings.append(
            f"segment changed from {was!r} to {now!r}: room {room}, started for {was!r}, is finished "
            f"with the {now!r} blueprint"
        )


def segment_json(plan: ClientPlan) -> dict[str, dict[str, str]]:
    """``plan --json``: the segment change, journal's side and row's side (empty when unchanged)."""
    if plan.segment_before is None:
        return {}
    return {"segment_change": {"journal": segment_label(plan.segment_before), "row": plan.blueprint_name}}


def recorded_blueprint(blueprint: Blueprint, record: ClientRecord) -> Blueprint:
    """The blueprint an onboarded client's room was made with, from the columns the journal kept
    (the default when its segment is gone from the blueprint): what audits and renewals compare with."""
    try:
        return blueprint.choose(record.extra)[1]
    except UnknownSegment:
        return blueprint


def column_missing(blueprint: Blueprint, client: ClientLike) -> str:
    """A note when the row has no segment column at all (a renamed header would otherwise send every
    client to the default blueprint without a word); ``""`` when it has one or there are no segments."""
    rules = blueprint.segments
    if rules is None or rules.cell(client.extra) is not None:
        return ""
    return (
        f"the list has no column {rules.column!r}: the default blueprint; rename the header, "
        "or name the column in Settings → Blueprint per segment"
    )
