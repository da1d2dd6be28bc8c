"""Access: the account manager and the client invited to the room with the blueprint's roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from onboarding.docspace import FileShare, Invitation, Member
from onboarding.workflow.reassign import REMOVALS, REMOVED, needed_in_room
from onboarding.workflow.status import Step
from onboarding.workflow.steps.base import StepBase, StepContext, StepFailed

if TYPE_CHECKING:
    from onboarding.blueprint import Blueprint
    from onboarding.workflow.plan import ClientPlan


def expected_invitations(ctx: StepContext) -> list[Invitation]:
    """Who should be a member of the room, with which access (the key's own account never is)."""
    out: list[Invitation] = []
    m = ctx.plan.manager
    if m is not None and m.user_id and m.role is not None and m.user_id != ctx.batch.me.id:
        out.append(Invitation(access=m.role, user_id=m.user_id))
    email = ctx.plan.client.email
    if ctx.plan.invite_client and email:
        out.append(Invitation(access=ctx.blueprint.client_role, email=email))
    return out


def missing_invitations(members: list[Member], invitations: list[Invitation]) -> list[Invitation]:
    """Invitations not yet reflected in the room's member list."""
    by_id = {m.user.id: m.access for m in members if m.user is not None}
    by_email = {(m.user.email or "").casefold(): m.access for m in members if m.user is not None}
    missing = []
    for inv in invitations:
        have = by_id.get(inv.user_id or "") if inv.user_id else by_email.get((inv.email or "").casefold())
        if have != int(inv.access):
            missing.append(inv)
    return missing


def confirmed_by_answer(ctx: StepContext, sent: list[Invitation], members: list[Member]) -> list[Invitation]:
    """The invitations by id that the share call's answer shows in place; fails when one is absent.

    The server reads the room's members back after the write for the ids in the request
    (``VirtualRoomsController.SetRoomSecurity``: ``GetRoomSharedInfoAsync(id, invitationIds)``),
    so that answer proves the manager; an invitee by e-mail has no id there and stays unconfirmed
    (verification reads the members once for it). An id the answer lacks, or lists with another
    access, is a call the portal silently ignored (e.g. a user the key's account may not see).
    """
    by_id = [inv for inv in sent if inv.user_id]
    for inv in missing_invitations(members, by_id):
        who = ctx.plan.manager.email if ctx.plan.manager and ctx.plan.manager.user_id == inv.user_id else ""
        raise StepFailed(
            f"the portal's answer does not show {who or inv.user_id} with {inv.access.label} access"
        )
    return by_id


class AccessStep(StepBase):
    """One share call for everyone missing; setting access is idempotent on the server."""

    name: ClassVar[Step] = Step.ACCESS

    def writes(self, blueprint: Blueprint, plan: ClientPlan, *, resume: bool) -> int:
        manager = plan.manager is not None and plan.manager.role is not None
        return (1 if manager or blueprint.invite_client else 0) + len(plan.removals)

    def finished_before(self, ctx: StepContext) -> bool:
        """Done in this attempt: access an earlier attempt set is read again (a person may have
        removed the manager since), in the members read verification would make anyway."""
        return self.name not in ctx.earlier and super().finished_before(ctx)

    def run(self, ctx: StepContext) -> str:
        room_id = ctx.room
        invitations = expected_invitations(ctx)
        said = "nobody to invite"
        if invitations:
            said = self._invite(ctx, room_id, invitations)
        for old, what in pending_removals(ctx):
            if remove_member(ctx, room_id, old):
                said += REMOVED.format(email=old, why=what)
        ctx.progress.pop(REMOVALS, None)
        ctx.progress[self.name] = {"invited": len(invitations)}
        ctx.save(self.name)
        return said

    def _invite(self, ctx: StepContext, room_id: int, invitations: list[Invitation]) -> str:
        if ctx.maybe_done(self.name) or self.name in ctx.earlier:
            members = ctx.members(room_id, what="members")
            missing = missing_invitations(members, invitations)
            ctx.confirmed += [inv for inv in invitations if inv not in missing]
            invitations = missing
        ctx.mark_started(self.name)
        if invitations:
            bp = ctx.blueprint
            result = ctx.caller.write(
                lambda: ctx.api.share_room(room_id, invitations, notify=bp.notify),
                what="access",
            )
            if result.warning:
                raise StepFailed(f"the portal accepted the invitations but reported: {result.warning}")
            ctx.confirmed += confirmed_by_answer(ctx, invitations, result.members)
            if any(inv not in ctx.confirmed for inv in expected_invitations(ctx)):
                ctx.send_members_read(room_id)  # verification's read, alongside the link write
        return ", ".join(f"{i.email or 'manager'} as {i.access.label}" for i in invitations) or "already set"


def pending_removals(ctx: StepContext) -> list[tuple[str, str]]:
    """The removals the plan put in the progress document (workflow/reassign.py), checked again
    against who the room needs now: its manager, the client's address, the key's own account."""
    keep = needed_in_room(ctx.plan, ctx.batch.me.email or "")
    return [
        (str(r[0]), str(r[1])) for r in ctx.progress.get(REMOVALS) or [] if str(r[0]).casefold() not in keep
    ]


def remove_member(ctx: StepContext, room_id: int, email: str) -> bool:
    """Take ``email``'s access to the room away (a departed contact must not keep reading the
    client's invoices); False when it had none. The room's owner is never touched.

    By the member's id with access None (``VirtualRoomsController.SetRoomSecurity``: an
    invitation with ``FileShare.None`` removes that user's share); the answer lists the ids of
    the request, so a user still shown with access is a removal the portal ignored.
    """
    members = ctx.caller.read(lambda: ctx.api.room_members(room_id), what="members")
    ids = [
        m.user.id
        for m in members
        if m.user is not None and not m.is_owner and m.access != int(FileShare.NONE)
        and (m.user.email or "").casefold() == email.casefold()
    ]  # fmt: skip
    if not ids:
        return False
    removal = [Invitation(access=FileShare.NONE, user_id=uid) for uid in ids]
    result = ctx.caller.write(lambda: ctx.api.share_room(room_id, removal, notify=False), what="access")
    if result.blocked_by_form_roles:
        raise StepFailed(
            f"the portal did not remove {email}: they hold form roles in this Virtual data room "
            "(take the roles away, or remove them in DocSpace, which asks to confirm), then run again"
        )
    still = [
        m
        for m in result.members
        if m.user is not None and m.user.id in ids and m.access != int(FileShare.NONE)
    ]
    if result.warning or still:
        raise StepFailed(f"the portal did not remove {email}: {result.warning or 'still a member'}")
    return True
