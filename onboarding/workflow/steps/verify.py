"""Verification: members and link as the portal shows them, so that a call it silently ignored fails.

The writes' answers are read-backs already: ``PUT rooms/{id}/share`` answers with the members for
the ids in the request, and ``PUT rooms/{id}/links`` with the link the server stored. So only what
no answer of this attempt showed is read again: the invitee by e-mail (one members read for a
fresh client), and anything an attempt took from the journal instead of the portal.

It also tidies after an uncertain room create: an empty room with the client's tag that a timed-out
create left behind (completed after its look-up found nothing) is archived.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar

from onboarding.workflow import links
from onboarding.workflow.status import Outcome, Step
from onboarding.workflow.steps.access import expected_invitations, missing_invitations
from onboarding.workflow.steps.base import StepBase, StepContext, StepFailed

if TYPE_CHECKING:
    from onboarding.blueprint import Blueprint


class VerifyStep(StepBase):
    """Runs on every attempt: what an earlier attempt recorded may have changed since."""

    name: ClassVar[Step] = Step.VERIFY

    def reads(self, blueprint: Blueprint, *, resume: bool) -> int:
        return 1 if blueprint.invite_client or resume else 0  # the members, for the invitee by e-mail

    def finished_before(self, ctx: StepContext) -> bool:
        return False

    def run(self, ctx: StepContext) -> str:
        room_id, bp = ctx.room, ctx.blueprint
        problems: list[str] = []
        unconfirmed = [inv for inv in expected_invitations(ctx) if inv not in ctx.confirmed]
        if unconfirmed:
            members = ctx.caller.read(lambda: ctx.api.room_members(room_id), what="verify members")
            for inv in missing_invitations(members, unconfirmed):
                manager = ctx.plan.manager.email if ctx.plan.manager else ""
                problems.append(
                    f"{inv.email or manager or 'manager'} does not have {inv.access.label} access"
                )
                ctx.progress.pop(Step.ACCESS, None)
        link = ctx.progress.get(Step.LINK) or {}
        if bp.link.enabled:
            seen = ctx.link_seen
            if seen is not None and seen.shared_link.id == link.get("id"):
                on_room = [seen]
            else:
                on_room = ctx.caller.read(lambda: ctx.api.room_links(room_id), what="verify link")
            match = [lk for lk in on_room if lk.shared_link.id == link.get("id")]
            if not match:
                problems.append("the client link is not on the room")
                ctx.progress.pop(Step.LINK, None)
            elif why := links.link_outdated(bp, match[0]):
                problems.append(f"the client link cannot be used: {why}")
                ctx.progress.pop(Step.LINK, None)
        if problems:
            ctx.save(
                self.name, **({} if ctx.progress.get(Step.LINK) else {"link_url": "", "link_expires": ""})
            )
            raise StepFailed("; ".join(problems))
        strays = self._archive_stray_rooms(ctx) if ctx.uncertain_room else ""
        return "members and link confirmed" + strays

    def _archive_stray_rooms(self, ctx: StepContext) -> str:
        """Archive empty rooms with our tag made by a create that timed out but completed later.

        A create whose answer never came may still be running on the portal when the look-up
        after it finds nothing; the retry then makes a second room. By verification time the
        first has usually appeared: if it is empty (nothing of ours went into it), it is archived.
        """
        tag = ctx.plan.tag
        rooms = ctx.caller.read(lambda: ctx.api.find_rooms_by_tags([tag]), what="look for stray rooms")
        archived = []
        for room in rooms:
            if room.id == ctx.room_id or room.archived or room.files_count or room.folders_count:
                continue
            rid = room.id
            op = ctx.caller.write(functools.partial(ctx.api.archive_room, rid), what="archive stray room")
            ctx.api.wait_operation(op, read=ctx.caller.read)
            archived.append(rid)
            ctx.emit(
                self.name, Outcome.DONE, f"archived room {rid}: an empty duplicate left by a timed-out create"
            )
        return f"; archived duplicate room(s) {', '.join(map(str, archived))}" if archived else ""
