"""Verification: members and link as the portal shows them, so that a call it silently ignored fails.

The writes' answers are read-backs already: ``PUT rooms/{id}/share`` answers with the members for
the ids in the request, and ``PUT rooms/{id}/links`` with the link the server stored. So only what
no answer of this attempt showed is read again: the invitee by e-mail (one members read for a
fresh client, sent ahead when the share call answers: :mod:`~onboarding.workflow.read_ahead`), and
anything an attempt took from the journal instead of the portal.

Then it converges (:mod:`onboarding.workflow.converge`): the rooms carrying the client's tag are
looked up again (the run's shared look-up), the client moves to the lowest active id if that is
not its room, empty duplicates (a timed-out create's, a killed run's) are archived, and copies a
concurrent run made in the same room are deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from onboarding.workflow import converge, links
from onboarding.workflow.status import Action, Step
from onboarding.workflow.steps.access import expected_invitations, missing_invitations
from onboarding.workflow.steps.base import Refill, StepBase, StepContext, StepFailed

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
        # Verification ends with the run's shared tag look-up, which waits for every client to
        # reach it: what is done so far (the link) is journalled first, so progress and the time
        # left see it now instead of every client's last steps landing together at the end.
        ctx.flush()
        room_id, bp = ctx.room, ctx.blueprint
        problems: list[str] = []
        unconfirmed = [inv for inv in expected_invitations(ctx) if inv not in ctx.confirmed]
        if unconfirmed:
            members = ctx.members(room_id, what="verify members")
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
        return "members and link confirmed" + self._converge(ctx)

    def _converge(self, ctx: StepContext) -> str:
        """After the fills: is this still the client's one room, and is each item in it once?

        The look-up (the run's shared one) shows every room with the client's tag. When a lower
        active id than ours is there (a room whose create answered late, or another run's), the
        client moves to it and is filled there (:class:`Refill`); our room is archived. When ours
        wins, empty losers (a timed-out create's, a killed run's) are archived, and if any other
        room carries the tag, another run may have filled ours alongside us: its newer copies go.
        """
        own = ctx.room
        rooms = ctx.rooms_with_tag()
        best = converge.winner(rooms)
        if best is None:
            raise StepFailed(
                f"room {own} is no longer active on the portal (archived, or its tag taken off, meanwhile?)"
            )
        if best.id != own:
            converge.move_to(ctx, best, self.name)
            converge.archive(ctx, self.name, own, f"room {best.id} carries the tag too (the lowest id wins)")
            raise Refill(f"continuing in room {best.id}, the client's room with the lowest id")
        # Ours: this room, the journal's earlier one; in a repair the plan found them all to archive.
        mine = {own, ctx.former_room} if ctx.plan.action != Action.REPAIR else {r.id for r in rooms}
        archived = converge.settle_losers(ctx, rooms, best, own={r for r in mine if r is not None})
        notes = f"; archived duplicate room(s) {', '.join(map(str, archived))}" if archived else ""
        if any(r.id != own or converge.SHARED_TAG in r.tags for r in rooms):  # a second run's trace
            deleted, complete = converge.dedupe_contents(ctx)
            ctx.save(self.name)
            if not complete:
                raise Refill(f"room {own} lost an item with a concurrent run's duplicate: filling it again")
            notes += f"; deleted {deleted} duplicate item(s)" if deleted else ""
            notes += converge.yield_link(ctx)
        return notes
