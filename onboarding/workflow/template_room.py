"""A client's room made from a DocSpace room template: one job at a time per portal, exactly once.

``POST files/rooms/fromTemplate`` starts a background job, and the portal runs **one such job per
tenant**: a start while one runs is not queued, and its answer (HTTP 200) is the running job's
status, which names no job (``RoomTemplatesWorker.StartCreateRoomAsync``,
``VirtualRoomsController.CreateRoomFromTemplate`` → ``GetRoomCreatingStatus``, DocSpace-server
3.7.2). So:

* the run's clients take turns (:func:`tenant_lock`, one per portal in this process); their
  share and link steps go on in parallel while the next room is made;
* a finished job counts as ours only when its room carries the client's tag (the request's tags
  are applied when the room is saved; ``FileStorageService.CreateRoomFromTemplateAsync``); a
  finished job without our room means another caller's job swallowed our start, so we start again;
* a start whose answer was lost, or a resumed client, first *settles*: waits for the tenant's job
  to end, then looks for the room by its tag; only when none is there is the job started (again).
  A job lost half way (its worker gone: the status vanishes, the room stays half filled) is found
  by its tag and finished by the contents steps, never repeated.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from onboarding.errors import DocSpaceError, Forbidden, NotFound
from onboarding.workflow.status import Action
from onboarding.workflow.steps.base import StepContext, StepFailed

if TYPE_CHECKING:
    from onboarding.docspace import Folder, TemplateJob
    from onboarding.workflow.context import RunContext
    from onboarding.workflow.plan import ClientPlan

JOB_TIMEOUT = 300.0
"""Seconds to wait for the tenant's job (ours or another caller's) before giving the client up."""
MAX_STARTS = 3
"""Starts per client when other callers' jobs keep swallowing ours."""
FIRST_POLL, MAX_POLL = 0.05, 1.0
TURN_PAUSE = FIRST_POLL
"""Seconds a turn waits between its status polls (once, when the job is quick)."""

TURN_CALLS = 3
"""Calls a fresh client makes while it holds the portal's turn: the start and (typically) two
status polls. The turns follow one another, so a batch takes at least clients x this x latency."""

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def tenant_lock(portal_key: str) -> threading.Lock:
    """The lock that lets one of this process's clients at a time run a template job on a portal."""
    with _locks_guard:
        return _locks.setdefault(portal_key, threading.Lock())


class SerialCost(NamedTuple):
    """The estimate's serial term: calls that take turns on the portal, and the waits between them."""

    calls: int
    pause: float


def serial_cost(ctx: RunContext, clients: Sequence[ClientPlan]) -> SerialCost:
    """The template turns a batch takes on the portal, one after another: one per fresh client
    whose own (segment's) blueprint makes its room from a template."""
    fresh = [c for c in clients if c.action == Action.CREATE]
    turns = sum(1 for c in fresh if ctx.for_segment(c.segment).room_template is not None)
    return SerialCost(turns * TURN_CALLS, turns * TURN_PAUSE)


def make_room(ctx: StepContext, *, maybe_done: bool) -> tuple[Folder, bool, bool]:
    """The client's room from the blueprint's template: (room, created now, job completed).

    ``job completed`` False means the room was found (by its tag) rather than seen finished by its
    job: its contents may be partial, so the contents steps look and fill.
    """
    template = ctx.batch.room_template
    if template is None:
        raise StepFailed("the blueprint names a room template but the run did not resolve it")
    for _ in range(MAX_STARTS):
        with tenant_lock(ctx.batch.portal_key):  # held from the start to the job's end only
            start: Callable[[], Folder | _Started] = lambda: _start(ctx, template.id)  # noqa: E731
            found, created = ctx.caller.ensure(
                start,
                lambda: _settle_and_find(ctx),
                maybe_done=maybe_done,
                what="room from template",
                on_uncertain=lambda: setattr(ctx, "uncertain_room", True),
            )
            if not created:
                assert not isinstance(found, _Started)
                return found, False, False
            job = _wait(ctx)
        room = _ours(ctx, job)  # the next client's job may start meanwhile
        if room is not None:
            return room, True, True
        if job is not None and job.error:
            raise StepFailed(f"the portal could not make the room from the template: {job.error}")
        if (by_tag := _find_by_tag(ctx)) is not None:  # the status did not show ours: look, not restart
            return by_tag, False, False
        maybe_done = False  # another caller's job took the turn: start ours again
    raise StepFailed(f"other jobs on the portal kept taking the room-template queue ({MAX_STARTS} starts)")


class _Started:
    """A start the portal answered (its status may be another caller's job)."""

    def __init__(self, job: TemplateJob | None) -> None:
        self.job = job


def _start(ctx: StepContext, template_id: int) -> _Started:
    plan = ctx.plan
    return _Started(ctx.api.start_room_from_template(template_id, plan.title, tags=[plan.tag]))


def _status(ctx: StepContext) -> TemplateJob | None:
    return ctx.caller.read(ctx.api.room_from_template_status, what="template job status")


def _wait(ctx: StepContext) -> TemplateJob | None:
    """Poll the tenant's job until it is completed; None once the queue no longer holds one."""
    sleep = ctx.caller.retrier.sleep
    deadline = time.monotonic() + JOB_TIMEOUT
    delay = FIRST_POLL
    while True:
        job = _status(ctx)
        if job is None or job.is_completed:
            return job
        if time.monotonic() >= deadline:
            raise DocSpaceError(
                f"the portal's room-template job did not finish within {JOB_TIMEOUT:g} s",
                path="/api/2.0/files/rooms/fromTemplate/status",
            )
        sleep(delay)
        delay = min(delay * 1.5, MAX_POLL)


def _ours(ctx: StepContext, job: TemplateJob | None) -> Folder | None:
    """The finished job's room when it is this client's (carries its tag and is active)."""
    if job is None or job.error or job.result_id < 0:
        return None
    room_id = job.result_id
    try:
        room = ctx.caller.read(lambda: ctx.api.get_room(room_id), what="check template room")
    except (NotFound, Forbidden):
        return None
    tags = {t.casefold() for t in room.tags}
    return room if ctx.plan.tag.casefold() in tags and not room.archived else None


def _settle_and_find(ctx: StepContext) -> Folder | _Started | None:
    """After a lost answer or on resume: let the tenant's job end, then find the room by its tag."""
    room = _ours(ctx, _wait(ctx))
    return room if room is not None else _find_by_tag(ctx)


def _find_by_tag(ctx: StepContext) -> Folder | None:
    """The client's active room with the lowest id, as the portal lists rooms by the client's tag."""
    rooms = ctx.caller.read(lambda: ctx.api.find_rooms_by_tags([ctx.plan.tag]), what="look up room")
    active = [r for r in rooms if not r.archived]
    return min(active, key=lambda r: r.id) if active else None
