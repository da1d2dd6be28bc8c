"""Onboarding one claimed client: run the registry's steps in order and record each outcome.

The steps do the work (:mod:`onboarding.workflow.steps`); this class only decides what an
attempt starts from (the journal's progress, checked against the portal), halts between steps
when the run is stopped or its claim is lost, and turns how the attempt ended into the client's
status: onboarded, deferred (resume later), or failed with the step and the reason.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from onboarding.docspace import DocSpaceClient, Folder
from onboarding.errors import DailyLimitReached, DocSpaceError, Forbidden, NotFound, WorkflowError
from onboarding.journal import Journal, LeaseLost
from onboarding.workflow.calls import Caller
from onboarding.workflow.context import RunContext
from onboarding.workflow.identity import EMAIL_CHANGES
from onboarding.workflow.plan import ClientPlan, untagged_room
from onboarding.workflow.portal_limits import LimitBoard, PortalLimit, PortalLimitReached, portal_limit
from onboarding.workflow.read_ahead import ReadAhead
from onboarding.workflow.reassign import REMOVALS, replaced_email
from onboarding.workflow.retry import describe_retry
from onboarding.workflow.status import Action, ClientStatus, Outcome, Step
from onboarding.workflow.steps import REGISTRY, ClientStep, Refill, StepContext, StepEvent, StepFailed
from onboarding.workflow.tag_rooms import TagRooms

log = logging.getLogger(__name__)

MAX_PASSES = 3
"""Passes over the steps when verification sends the client back to fill (see ``converge``)."""


class Stopped(WorkflowError):
    """The run was asked to stop (daily limit reached elsewhere, or a person pressed Stop)."""


class ClientJob:
    """Runs the steps for one claimed client and records each outcome in the journal."""

    def __init__(
        self,
        *,
        api: DocSpaceClient,
        caller: Caller,
        journal: Journal,
        ctx: RunContext,
        plan: ClientPlan,
        run_id: str,
        actor: str,
        stop: threading.Event,
        emit: Callable[[StepEvent], None],
        owner: str = "",
        clock: Callable[[], float] = time.time,
        steps: Sequence[ClientStep] = REGISTRY,
        limits: LimitBoard | None = None,
        tag_rooms: TagRooms | None = None,
        read_ahead: ReadAhead | None = None,
    ) -> None:
        rec = journal.get(ctx.portal_key, plan.client_id)
        self.step: str = Step.ROOM
        """The step under way: failures and retries are recorded against it."""
        self.ctx = StepContext(
            api=api,
            caller=caller.with_retry_hook(self._retried, before_write=self._before_write),
            journal=journal,
            batch=ctx,
            plan=plan,
            run_id=run_id,
            actor=actor,
            on_event=emit,
            owner=owner,
            clock=clock,
            progress=dict(rec.progress) if rec else {},
            onboarded_before=(rec.room_id, rec.onboarded_at, rec.onboarded_by)
            if rec and rec.room_id and rec.onboarded_at
            else None,
            tag_rooms=tag_rooms,
            read_ahead=read_ahead,
        )
        self.ctx.earlier = frozenset(
            s for s in (Step.FOLDERS, Step.FILES, Step.ACCESS) if s in self.ctx.progress
        )
        self.previous_status = rec.status if rec else ""
        if plan.update_identity or plan.update_manager:  # the record is updated: not done yet
            self.previous_status = ""
            if "email" in plan.identity or plan.update_manager:  # invited, and the room checked again
                for step in (Step.ACCESS, Step.VERIFY):
                    self.ctx.progress.pop(step, None)
        self.new_address = bool(replaced_email(plan))
        """The client's e-mail is replaced: the new address has not joined (check-joins follows it)."""
        if self.new_address:
            self.ctx.progress[EMAIL_CHANGES] = int(self.ctx.progress.get(EMAIL_CHANGES, 0)) + 1
        if plan.removals:  # on disk with the first write's mark: a resume finishes them (reassign.py)
            self.ctx.progress[REMOVALS] = plan.removals
        self.stop = stop
        self.owner = owner
        self.steps = steps
        self.limits = limits or LimitBoard()
        """The run's portal-wide limits (invitation budget, room quota), shared by its clients."""

    def _before_write(self) -> None:
        self.ctx.flush()

    def _retried(self, what: str, exc: BaseException, wait: float) -> None:
        """Every retry of this client's calls is a ``retry`` event: the CLI and the dashboard show it.

        Written at once (not with the next step's write): the wait that follows may be long, and
        the dashboard reads the journal to say why the client is held up.
        """
        self.ctx.emit(self.step, Outcome.RETRY, describe_retry(what, exc, wait))
        self.ctx.flush()

    def check_stop(self) -> None:
        """Halt between steps when the run is stopped.

        A claim another run took over needs no look here: the journal write before each step's
        first portal write is fenced by the lease and raises ``LeaseLost`` (the client is deferred).
        """
        limit = self.limits.blocks(self.step, self.ctx.progress)
        if limit is not None:  # another client met a portal-wide limit this one needs past
            raise PortalLimitReached(limit)
        if self.stop.is_set():
            raise Stopped("the run was stopped before this client finished")

    def reconcile(self) -> bool:
        """Make the journal's progress agree with the portal; True when the client is already done.

        The journal may remember a room the portal no longer has (deleted, archived, retagged),
        or the plan may predate a concurrent run that created the room: one read settles which.
        """
        ctx = self.ctx
        stored = (ctx.progress.get(Step.ROOM) or {}).get("id")
        if stored is None:
            return False
        planned = ctx.plan.room
        if planned is not None:
            if planned.id != stored:
                ctx.progress = {}  # the tag points at another room: nothing recorded applies to it
                ctx.former_room = int(stored)
                return False
            # The plan's room is the journal's: a concurrent run (another machine on a shared
            # journal) finished the client since this run planned it, so it is not done twice.
            # A repair (duplicates of the room on the portal) always goes on to verification.
            return self.previous_status == ClientStatus.DONE and ctx.plan.action != Action.REPAIR
        try:
            room: Folder | None = ctx.caller.read(lambda: ctx.api.get_room(int(stored)), what="check room")
        except (NotFound, Forbidden):
            room = None
        tagged = room is not None and ctx.plan.tag.casefold() in {t.casefold() for t in room.tags}
        if room is not None and not room.archived and not tagged:  # the tag was taken off since the plan
            raise StepFailed(untagged_room(room, ctx.plan.tag))
        alive = room is not None and not room.archived and tagged
        if not alive:
            ctx.progress = {}
            ctx.emit(Step.ROOM, Outcome.SKIPPED, f"room {stored} is gone from the portal: starting again")
            return False
        ctx.plan.room = room
        return self.previous_status == ClientStatus.DONE

    def run(self) -> str:
        """Run every open step; returns the client's final status."""
        try:
            return self._run()
        finally:
            self.ctx.drop_members_read()  # a read sent ahead for a step that will not come now

    def _run(self) -> str:
        ctx = self.ctx
        joined = {"joined_at": None} if self.new_address else {}  # written with the new address
        ctx.note(
            **ctx.plan.journal_fields(), **joined, status=ClientStatus.RUNNING, error="", run_id=ctx.run_id
        )
        ctx.emit(Step.CLIENT, Outcome.STARTED)
        self.step = Step.ROOM
        try:
            for attempt in range(1, MAX_PASSES + 1):
                try:
                    status = self._steps(first=attempt == 1)
                    ctx.flush()
                    return status
                except Refill as exc:  # verification moved the client or found an item missing
                    if attempt == MAX_PASSES:
                        raise StepFailed(f"the room kept changing under concurrent runs: {exc}") from exc
                    ctx.emit(self.step, Outcome.RETRY, str(exc))
            raise AssertionError("unreachable")
        except LeaseLost as exc:  # another run holds the client now: its record is not ours to write
            ctx.emit(self.step, Outcome.DEFERRED, str(exc))
            ctx.abandon()
            return ClientStatus.DEFERRED
        except (DailyLimitReached, Stopped, PortalLimitReached) as exc:
            self._deferred(str(exc))
            if isinstance(exc, DailyLimitReached):
                # The run's other clients are deferred with this reason, not "stopped" (a later
                # run's records said "the run was stopped…", or nothing at all).
                self.limits.hit(PortalLimit(self.step, str(exc), every_step=True))
                self.stop.set()
                raise
            return ClientStatus.DEFERRED
        except DocSpaceError as exc:
            limit = portal_limit(exc)
            if limit is not None:  # every later client would meet it too: defer, resume later
                self.limits.hit(limit)
                return self._deferred(limit.reason)
            return self._failed(f"{self.step}: {exc}", exc.server_message or str(exc))
        except StepFailed as exc:
            return self._failed(f"{self.step}: {exc}", str(exc))
        except Exception as exc:  # anything unforeseen fails this client, not the run
            log.exception("client %s failed at step %s", ctx.client_id, self.step)
            message = f"{self.step}: unexpected {type(exc).__name__}: {exc}"
            return self._failed(message, message)

    def _steps(self, *, first: bool = True) -> str:
        """The steps still open, in order (the journal is written by :meth:`run`'s flushes).

        A later pass (``first`` False: verification sent the client back to fill) starts from the
        progress as verification left it, without reconciling it with the plan again.
        """
        ctx = self.ctx
        if first and self.reconcile():
            ctx.save(Step.RECORD, status=ClientStatus.DONE)
            ctx.finish(Step.CLIENT, Outcome.SKIPPED, "already onboarded")
            return ClientStatus.DONE
        if first and (room := ctx.progress.get(Step.ROOM)) is not None:
            ctx.room_id = int(room["id"])
        for each in self.steps:
            self.step = step = each.name
            if each.remote:
                self.check_stop()
            if each.finished_before(ctx):
                ctx.emit(step, Outcome.SKIPPED, "done before")
                continue
            detail = each.run(ctx)
            if each.outcome == Outcome.ONBOARDED:
                ctx.finish(step, each.outcome, detail)
            else:
                ctx.emit(step, each.outcome, detail)
        return ClientStatus.DONE

    def _deferred(self, reason: str) -> str:
        """The client stops here, progress kept: a later run resumes it from this step."""
        self.ctx.save(self.step, status=ClientStatus.DEFERRED, error=reason)
        self.ctx.emit(self.step, Outcome.DEFERRED, reason)
        self.ctx.flush()
        return ClientStatus.DEFERRED

    def _failed(self, error: str, detail: str) -> str:
        self.ctx.save(self.step, status=ClientStatus.FAILED, error=error)
        self.ctx.emit(self.step, Outcome.FAILED, detail)
        self.ctx.flush()
        return ClientStatus.FAILED
