"""The room: found by the client's tag, or created once (a lost answer is looked up, not repeated)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from onboarding.workflow import converge, template_room
from onboarding.workflow.status import Step
from onboarding.workflow.steps.base import StepBase, StepContext
from onboarding.workflow.tag_rooms import carries_tag

if TYPE_CHECKING:
    from onboarding.blueprint import Blueprint
    from onboarding.docspace import Folder
    from onboarding.workflow.plan import ClientPlan


TEMPLATE_READS = 2
"""Reads of a room made from a template beyond its one write: a status poll and the room's check."""
TEMPLATE_COMPLETE = "template_complete"
"""In the room's progress entry: the room's template job ended well (no contents to check)."""


class RoomStep(StepBase):
    """Creates the client's room, tagged so that any later run (or a lost journal) finds it."""

    name: ClassVar[Step] = Step.ROOM

    def writes(self, blueprint: Blueprint, plan: ClientPlan, *, resume: bool) -> int:
        return 0 if resume else 1

    def reads(self, blueprint: Blueprint, *, resume: bool) -> int:
        # From a template: the job's status until it ends (one poll when it is quick) and the
        # finished room, read to see it carries the client's tag (template_room.py).
        return TEMPLATE_READS if blueprint.room_template and not resume else 0

    def run(self, ctx: StepContext) -> str:
        plan, tag = ctx.plan, ctx.plan.tag
        if plan.room is not None:
            room: Folder = plan.room
            # Its creator (another run) may be filling it right now: the fills mark it shared
            # before their first new item (converge.mark_shared), unless it carries the mark.
            self._record(ctx, room, found_by_tag=True, shared=converge.SHARED_TAG in room.tags)
            return f"found existing room {room.id} by its tag"
        maybe = bool(ctx.progress.get(f"{self.name}_started"))
        ctx.mark_started(self.name)
        if ctx.batch.room_template is not None:
            room, created, complete = template_room.make_room(ctx, maybe_done=maybe)
            ctx.room_fresh = created
            self._record(ctx, room, found_by_tag=not created, template_complete=complete)
            if not created:
                return f"found room {room.id} (from the template) created by an earlier try"
            return self._converge(ctx, room) + f" from template {ctx.batch.room_template.id}"

        def lookup() -> Folder | None:
            rooms = ctx.caller.read(lambda: ctx.api.find_rooms_by_tags([tag]), what="look up room")
            found = [r for r in rooms if not r.archived and carries_tag(r, tag)]
            return min(found, key=lambda r: r.id) if found else None

        room, created = ctx.caller.ensure(
            lambda: ctx.api.create_room(plan.title, ctx.blueprint.room_type, tags=[tag]),
            lookup,
            maybe_done=maybe,
            what="room",
            on_uncertain=lambda: setattr(ctx, "uncertain_room", True),
        )
        ctx.room_fresh = created
        self._record(ctx, room, found_by_tag=not created)
        if not created:
            return f"found room {room.id} created by an earlier try"
        return self._converge(ctx, room)

    def _converge(self, ctx: StepContext, room: Folder) -> str:
        """Before the first write into a new room: does another run's room with a lower id win?

        Another run (another journal) may have created a room for the same client since the plan
        read the portal. The lowest active id wins (see :mod:`onboarding.workflow.converge`): if
        that is not ours, the client moves there (journal first) and our room, still empty, is
        archived. The look-up is the run's shared one (many clients per request).
        """
        best = converge.winner([*ctx.rooms_with_tag(), room])
        if best is None or best.id == room.id:
            return f"created room {room.id}"
        converge.move_to(ctx, best, self.name)
        converge.archive(
            ctx, self.name, room.id, f"another run's room {best.id} carries the tag (the lowest id wins)"
        )
        return f"created room {room.id}; continuing in room {best.id}, which another run created first"

    def _record(
        self,
        ctx: StepContext,
        room: Folder,
        *,
        found_by_tag: bool,
        template_complete: bool = False,
        shared: bool = False,
    ) -> None:
        ctx.room_id = room.id
        ctx.progress[self.name] = {"id": room.id, "title": room.title, "found_by_tag": found_by_tag}
        if shared:
            ctx.progress[self.name][converge.SHARED] = True
        if template_complete:  # its job was seen to end well: the template's contents are all there
            ctx.progress[self.name][TEMPLATE_COMPLETE] = True
        ctx.save(self.name, room_id=room.id, room_title=room.title)
