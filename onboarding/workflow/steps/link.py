"""The client link: the room's invitation link, or an external link found by its title.

The rules (which link is ours, when it is stale, what to ask for) are pure functions in
:mod:`onboarding.workflow.links`; this step applies them against the portal. A recorded link is
looked at again on every attempt, because it may have expired since.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from onboarding.docspace import Link, LinkRequest, LinkType
from onboarding.errors import Forbidden
from onboarding.workflow import converge, links
from onboarding.workflow.status import Step
from onboarding.workflow.steps.base import StepBase, StepContext, StepFailed

if TYPE_CHECKING:
    from onboarding.blueprint import Blueprint
    from onboarding.workflow.plan import ClientPlan

ONE_INVITATION_LINK = "may not exceed"
"""Words of the portal's 403 when a room already has its one invitation link."""


def find_our_link(ctx: StepContext, room_id: int, title: str | None) -> Link | None:
    """Our link among the room's links (one read)."""
    found = ctx.caller.read(lambda: ctx.api.room_links(room_id), what="links")
    return links.find_link(ctx.blueprint, found, title)


def record_link(ctx: StepContext, link: Link, step: Step) -> None:
    """The client's link in its progress and record (journal first: the URL is what people get)."""
    ctx.link_seen = link  # the portal's own answer (or listing): verification needs no read
    expires = link.shared_link.expiration_date or ""
    ctx.progress[Step.LINK] = {"id": link.shared_link.id, "url": link.url, "expires": expires}
    if link.link_type == LinkType.EXTERNAL and link.shared_link.internal:
        ctx.progress[Step.LINK]["internal"] = True
    ctx.save(step, link_url=link.url, link_expires=expires)


class LinkStep(StepBase):
    """Makes, reuses or renews the client's link; an outdated link is updated by its id."""

    name: ClassVar[Step] = Step.LINK

    def writes(self, blueprint: Blueprint, plan: ClientPlan, *, resume: bool) -> int:
        return int(blueprint.link.enabled)

    def reads(self, blueprint: Blueprint, *, resume: bool) -> int:
        return 1 if resume or blueprint.uses_primary_link else 0  # the room's links (or primary link)

    def finished_before(self, ctx: StepContext) -> bool:
        return super().finished_before(ctx) and not ctx.blueprint.link.enabled

    def run(self, ctx: StepContext) -> str:
        room_id, bp = ctx.room, ctx.blueprint
        if not bp.link.enabled:
            ctx.progress[self.name] = {}
            ctx.save(self.name)
            return "no link in the blueprint"
        request = self._request(ctx)
        existing = find_our_link(ctx, room_id, request.title) if ctx.maybe_done(self.name) else None
        ctx.mark_started(self.name)
        link: Link | None
        if existing is not None:
            link = self._align(ctx, room_id, existing)
        elif bp.uses_primary_link:
            # No additional external link is allowed (Form filling rooms): the room's primary link
            # is the client's, updated by its id (GET …/link makes it if the room has none).
            primary = ctx.caller.read(lambda: ctx.api.primary_link(room_id), what="primary link")
            link = self._align(ctx, room_id, primary)
        elif bp.link_type == LinkType.EXTERNAL:
            # A room may hold several external links: a retry after a lost answer must look for
            # the one it may have made (by its title) before making another. In a room another run
            # made, that run's link may be made meanwhile: marked first (so that run yields,
            # converge.yield_link), the room is looked at again right before ours is made.
            shared = converge.mark_shared(ctx, self.name)
            link, _ = ctx.caller.ensure(
                lambda: ctx.api.set_room_link(room_id, request),
                lambda: find_our_link(ctx, room_id, request.title),
                maybe_done=shared,
                what="link",
            )
        else:
            link = self._invitation_link(ctx, room_id, request)
        if link is None:
            raise StepFailed("the portal stored no link")
        internal = link.link_type == LinkType.EXTERNAL and link.shared_link.internal
        if internal and bp.link.require_public:
            raise StepFailed(links.INTERNAL_LINK + "; the blueprint requires a public link")
        record_link(ctx, link, self.name)
        kind = "invitation" if link.link_type == LinkType.INVITATION else "external"
        return f"{kind} link ready" + (f" ({links.INTERNAL_LINK})" if internal else "")

    def _invitation_link(self, ctx: StepContext, room_id: int, request: LinkRequest) -> Link | None:
        """The room's one invitation link: made now, or the one already there (made over, if stale)."""
        try:
            link = ctx.caller.write(lambda: ctx.api.set_room_link(room_id, request), what="link")
        except Forbidden as exc:
            # One invitation link per room: someone (or a lost answer) made it already.
            found = find_our_link(ctx, room_id, request.title) if ONE_INVITATION_LINK in str(exc) else None
            if found is None:
                raise
            link = self._align(ctx, room_id, found)
        if link is None:
            # Some server versions answer the one-invitation-link limit with a warning and no
            # link instead of a 403: the room's existing invitation link is then ours to use.
            found = find_our_link(ctx, room_id, request.title)
            link = self._align(ctx, room_id, found) if found is not None else None
        return link

    @staticmethod
    def _request(ctx: StepContext, link_id: str | None = None) -> LinkRequest:
        return links.link_request(ctx.blueprint, ctx.plan.link_title, link_id)

    def _align(self, ctx: StepContext, room_id: int, link: Link) -> Link | None:
        """Reuse an existing link; update it by id when it is expired or differs from the blueprint."""
        if not links.link_outdated(ctx.blueprint, link, ctx.plan.link_title):
            return link
        req = self._request(ctx, link_id=link.shared_link.id)
        return ctx.caller.write(lambda: ctx.api.set_room_link(room_id, req), what="link update")
