"""The record: the client's row in the journal marked onboarded, with its room and link.

This is what the CRM export and the webhook read, so it is written last, once verification passed.
"""

from __future__ import annotations

from typing import ClassVar

from onboarding.workflow.status import ClientStatus, Outcome, Step
from onboarding.workflow.steps.base import StepBase, StepContext


def room_web_url(base_url: str, room_id: int, *, archived: bool = False) -> str:
    """The room's address in the DocSpace web UI.

    The web client routes an active room as ``/rooms/shared/{id}/filter?folder={id}`` and an
    archived one under ``/rooms/archived/{id}/filter`` (DocSpace-client, category URL helpers).
    """
    section = "archived" if archived else "shared"
    return f"{base_url}/rooms/{section}/{room_id}/filter?folder={room_id}"


class RecordStep(StepBase):
    """Journal-only: a stop requested after verification no longer holds the client back."""

    name: ClassVar[Step] = Step.RECORD
    outcome: ClassVar[Outcome] = Outcome.ONBOARDED
    remote: ClassVar[bool] = False

    def finished_before(self, ctx: StepContext) -> bool:
        return False

    def run(self, ctx: StepContext) -> str:
        room_id = ctx.room
        link = ctx.progress.get(Step.LINK) or {}
        ctx.progress[Step.VERIFY] = True
        ctx.save(
            self.name,
            status=ClientStatus.DONE,
            error="",
            room_id=room_id,
            room_title=(ctx.progress.get(Step.ROOM) or {}).get("title", ctx.plan.title),
            room_url=room_web_url(ctx.api.base_url, room_id),
            link_url=link.get("url", ""),
            link_expires=link.get("expires", ""),
            onboarded_at=onboarded_at(ctx, room_id),
            onboarded_by=onboarded_by(ctx, room_id),
        )
        return f"room {room_id}"


def onboarded_at(ctx: StepContext, room_id: int) -> float:
    """When the client counts as onboarded: the first time, as long as it is the same room.

    A restore, a repair or a new e-mail finishes the client again in its room, which does not
    onboard it anew (the CRM's date stays); a room made again after the old one was lost does.
    """
    before = ctx.onboarded_before
    return before[1] if before is not None and before[0] == room_id else ctx.clock()


def onboarded_by(ctx: StepContext, room_id: int) -> str:
    """Who onboarded the client: kept with :func:`onboarded_at` (a colleague's repair or restore
    of the same room is not an onboarding, and would tell the CRM of a change that is none)."""
    before = ctx.onboarded_before
    return (before[2] or ctx.actor) if before is not None and before[0] == room_id else ctx.actor
