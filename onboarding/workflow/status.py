"""The product's one vocabulary of statuses, steps and step outcomes.

Every value is a ``StrEnum`` whose string is exactly what the journal stores and the exports
carry, so ``ClientStatus.DONE == "onboarded"`` and a journal written before these enums existed
reads the same. Labels for the screen live in one UI table keyed by these members; the rule for
"this event ends the client" lives here, in :func:`is_final`, and nowhere else.

This module imports nothing from the product, so the journal, the engine and the doors can all
depend on it without a cycle.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "FINAL_OUTCOMES",
    "Action",
    "ClientState",
    "ClientStatus",
    "Outcome",
    "RunStatus",
    "Step",
    "is_final",
]


class ClientStatus(StrEnum):
    """Where one client stands, as the journal keeps it (and as a run reports it)."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "onboarded"
    FAILED = "failed"
    DEFERRED = "deferred"
    """Stopped by the portal's daily limit or a person: a later run resumes it."""
    ARCHIVED = "archived"
    """Rolled back: its room is in the portal's Archive."""
    BLOCKED = "blocked"
    """The plan refused it (bad input, ineligible manager, archived room); nothing was written."""
    OFFBOARDED = "offboarded"
    """Its access was removed and its room archived (``offboard``); ``restore`` brings it back."""
    LOCKED = "locked"
    """Another run held the client: a run's result only, never stored in the journal."""


class ClientState(StrEnum):
    """Where one client stands for a person at the Clients table: the upload and the journal merged.

    Unlike :class:`ClientStatus` (what the journal stores), a state also covers rows the journal
    has never seen and rows whose id the journal onboarded for someone else. The Clients page
    filters and labels by it; :mod:`onboarding.directory` decides it.
    """

    NEW = "new"
    """In the current upload; the journal has never written anything for it."""
    READY = "ready"
    """Known to the journal with nothing written yet (pending), or a conflict the person chose
    to resolve by updating the record: the next run takes it."""
    CONFLICT = "conflict"
    """The upload's row reuses an id the journal onboarded under another name or e-mail."""
    RUNNING = "running"
    ONBOARDED = "onboarded"
    FAILED = "failed"
    """A step failed: needs a person (the error says why); retry when fixed."""
    BLOCKED = "blocked"
    """The plan refused it (an ineligible manager, bad input…): nothing was written; the error
    says why; retry once that is fixed."""
    DEFERRED = "deferred"
    ARCHIVED = "archived"
    """Its room is in the portal's Archive (archived or offboarded): link hidden, restore to undo."""


class Action(StrEnum):
    """What the dry run decided for one client."""

    CREATE = "create"
    RESUME = "resume"
    DONE = "done"
    BLOCKED = "blocked"
    CONFLICT = "conflict"
    """The client's room exists but is not what the blueprint makes (another room type): the
    portal cannot change it, so a person decides (nothing is written; the run records it blocked)."""
    SKIP = "skip"
    """The journal keeps the client out of onboarding: offboarded, or rolled back (``archive``) with
    its room in the Archive. Nothing is written and its status stays; ``restore`` brings it back."""
    REPAIR = "repair"
    """More than one active room carries the client's tag (two runs with different journals):
    the run finishes the client in the lowest id and archives the others it may."""


TO_ONBOARD = (Action.CREATE, Action.RESUME, Action.REPAIR)
"""The plan actions a run carries out (writes to the portal); the rest are said, not done."""


class RunStatus(StrEnum):
    """How a run (or a roll-back) stands in the journal."""

    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    """Stopped early (the daily limit, or a person pressed Stop); the rest is deferred."""
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    """Its process died while it ran (found by the next run's clean-up)."""


class Step(StrEnum):
    """What a journal event is about: a step of onboarding one client, or the client as a whole."""

    ROOM = "room"
    FOLDERS = "folders"
    FILES = "files"
    ACCESS = "access"
    LINK = "link"
    VERIFY = "verify"
    RECORD = "record"
    CLIENT = "client"
    """The client as a whole: started, skipped (already onboarded), locked, deferred."""
    PLAN = "plan"
    """The dry run's verdict (a blocked client never reaches a step)."""
    ARCHIVE = "archive"
    """The roll-back of one client."""
    THROTTLE = "throttle"
    """The portal's rate limit, run-wide (client id ``*``): the run waits for its window."""
    JOIN = "join"
    """Whether the invited client joined (``check-joins``)."""
    RENEW = "renew"
    """The client link extended or made again (``renew``)."""
    AUDIT = "audit"
    """The room compared with the journal and the blueprint (``audit``); differences or none."""
    REPAIR = "repair"
    """What ``repair`` restored (or could not)."""
    OFFBOARD = "offboard"
    """Access removed, then the room archived."""
    RESTORE = "restore"
    """The room unarchived and access made again per the blueprint."""


class Outcome(StrEnum):
    """What happened to a step (or a client), one journal event each."""

    STARTED = "started"
    DONE = "done"
    SKIPPED = "skipped"
    RETRY = "retry"
    """A call failed in a way that may pass; it is tried again after a wait (detail says why)."""
    FAILED = "failed"
    DEFERRED = "deferred"
    ONBOARDED = "onboarded"
    BLOCKED = "blocked"
    LOCKED = "locked"
    WAITING = "waiting"
    """Calls wait for the portal's rate window (detail: when they resume)."""


FINAL_OUTCOMES: frozenset[Outcome] = frozenset(
    {Outcome.ONBOARDED, Outcome.FAILED, Outcome.DEFERRED, Outcome.BLOCKED, Outcome.LOCKED}
)
"""Outcomes that end a client's part in a run; each also names the client's resulting status."""


def is_final(step: str, outcome: str) -> bool:
    """True when an event ends a client's part in the run (a progress bar counts it as finished).

    A client ends onboarded, failed, deferred, blocked or locked — or skipped as a whole because
    an earlier run onboarded it already.
    """
    return outcome in FINAL_OUTCOMES or (step == Step.CLIENT and outcome == Outcome.SKIPPED)
