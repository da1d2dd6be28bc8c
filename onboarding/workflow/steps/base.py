"""What every step of onboarding one client is, and what it works on.

A step is an object with a ``name`` (a :class:`~onboarding.workflow.status.Step`), its cost
(``writes``/``reads``, which the dry run adds up) and ``run(ctx)``, which does its work on the
portal and returns a one-line detail for the journal. :class:`StepContext` is the one client's
state the steps share: the portal client, the retrying caller, the plan and the ``progress``
document the journal keeps for the client.

Progress lives in the journal's ``progress`` document:

* ``room`` / ``folders`` / ``files`` / ``access`` / ``link``: the step's result (remote ids);
* ``<step>_started``: written *before* the step's first write, so that a resumed step knows a
  write may already have happened and looks first. A step never started needs no look-up, which
  is why a fresh client costs no extra reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from onboarding.errors import WorkflowError
from onboarding.workflow.read_ahead import ReadAhead, taken
from onboarding.workflow.status import Outcome, Step
from onboarding.workflow.tag_rooms import carries_tag

if TYPE_CHECKING:
    from concurrent.futures import Future

    from onboarding.blueprint import Blueprint
    from onboarding.docspace import DocSpaceClient, File, Folder, Invitation, Link, Member
    from onboarding.journal import Journal
    from onboarding.journal.protocol import StepNote
    from onboarding.workflow.calls import Caller
    from onboarding.workflow.context import RunContext
    from onboarding.workflow.plan import ClientPlan
    from onboarding.workflow.tag_rooms import TagRooms


@dataclass(frozen=True)
class StepEvent:
    """Progress of one client, for the UI and the CLI."""

    run_id: str
    client_id: str
    step: str
    """A :class:`~onboarding.workflow.status.Step`."""
    outcome: str
    """An :class:`~onboarding.workflow.status.Outcome`."""
    detail: str = ""
    at: float = 0.0


class StepFailed(WorkflowError):
    """A step found the portal in a state it cannot accept (the message says what and why)."""


class Refill(WorkflowError):
    """The client's room changed (or lost an item) at verification: run the fill steps again."""


class ClientStep(Protocol):
    """One step of onboarding a client; the registry in :mod:`onboarding.workflow.steps` orders them."""

    @property
    def name(self) -> Step:
        """Its name in the journal's events and progress document."""
        ...

    @property
    def outcome(self) -> Outcome:
        """What the journal records when the step ran (``done``; ``onboarded`` for the last)."""
        ...

    @property
    def remote(self) -> bool:
        """True when the step calls the portal: a stopped run or a lost claim halts before it."""
        ...

    def writes(self, blueprint: Blueprint, plan: ClientPlan, *, resume: bool) -> int:
        """Most POST/PUT calls the step makes for the client (the dry run's cost model)."""
        ...

    def reads(self, blueprint: Blueprint, *, resume: bool) -> int:
        """GET calls the step makes beyond the run's shared look-ups (the dry run's cost model)."""
        ...

    def finished_before(self, ctx: StepContext) -> bool:
        """True when an earlier attempt completed the step, so this one is skipped."""
        ...

    def run(self, ctx: StepContext) -> str:
        """Do the step's work; return a short detail for the journal. Raise to fail the client."""
        ...


class StepBase:
    """Defaults for a step: remote, reports ``done``, finished once its progress entry exists."""

    name: ClassVar[Step]
    outcome: ClassVar[Outcome] = Outcome.DONE
    remote: ClassVar[bool] = True

    def writes(self, blueprint: Blueprint, plan: ClientPlan, *, resume: bool) -> int:
        return 0

    def reads(self, blueprint: Blueprint, *, resume: bool) -> int:
        return 0

    def finished_before(self, ctx: StepContext) -> bool:
        return ctx.progress.get(self.name) is not None

    def __repr__(self) -> str:
        return f"<step {self.name}>"


@dataclass
class StepContext:
    """One client's state while its steps run: what they read, what they record, what they found."""

    api: DocSpaceClient
    caller: Caller
    journal: Journal
    batch: RunContext
    """What the run read once and shares between its clients (templates, managers, rooms)."""
    plan: ClientPlan
    run_id: str
    actor: str
    on_event: Callable[[StepEvent], None]
    owner: str = ""
    """The run's lease owner: every progress write is fenced by it (empty: not fenced)."""
    clock: Callable[[], float] = time.time
    progress: dict[str, Any] = field(default_factory=dict)
    onboarded_before: tuple[int, float, str] | None = None
    """The room, time and actor the journal's record says the client was onboarded in, at, by."""
    earlier: frozenset[str] = frozenset()
    """Steps whose result the journal held when this attempt began: done by an earlier attempt,
    so what they made may have been removed on the portal since (contents and access look again)."""
    room_id: int | None = None
    room_fresh: bool = False
    """The room was created by this attempt (so nothing of ours can be in it yet)."""
    uncertain_room: bool = False
    """A room create's answer was lost: a duplicate may appear later (verify looks for it)."""
    listings: dict[int, tuple[list[File], list[Folder]]] = field(default_factory=dict)
    confirmed: list[Invitation] = field(default_factory=list)
    """Invitations the portal's own answers in this attempt show in place (the share call's
    ``members``, or a members read): verification reads the members again only for the rest."""
    _fields: dict[str, Any] = field(default_factory=dict, repr=False)
    _events: list[StepNote] = field(default_factory=list, repr=False)
    _dirty: bool = field(default=False, repr=False)
    link_seen: Link | None = None
    """The client link as the portal answered or listed it in this attempt (verification checks it
    without reading the room's links again)."""
    former_room: int | None = None
    """The room this journal recorded before the plan chose another (a losing duplicate: ours)."""
    tag_rooms: TagRooms | None = None
    """The run's shared look-up of rooms by tag (None: one read per look-up, outside a run)."""
    read_ahead: ReadAhead | None = None
    """The run's pool for reads sent before the step that needs them (None: read when needed)."""
    _members_ahead: tuple[int, Future[list[Member]]] | None = field(default=None, repr=False)

    @property
    def blueprint(self) -> Blueprint:
        return self.batch.blueprint

    @property
    def client_id(self) -> str:
        return self.plan.client_id

    @property
    def room(self) -> int:
        """The client's room id (every step after ``room`` has one)."""
        if self.room_id is None:
            raise StepFailed("no room for this client yet")
        return self.room_id

    def emit(self, step: str, outcome: str, detail: str = "") -> None:
        """Hand an event to the run's listener now; it reaches the journal with the next flush."""
        self._events.append((self.run_id, step, outcome, detail))
        self.on_event(StepEvent(self.run_id, self.client_id, step, outcome, detail, self.clock()))

    def finish(self, step: str, outcome: str, detail: str = "") -> None:
        """The client's last event: written with its record, and told to the listener once on disk."""
        self._events.append((self.run_id, step, outcome, detail))
        self.flush()
        self.on_event(StepEvent(self.run_id, self.client_id, step, outcome, detail, self.clock()))

    def note(self, **fields: Any) -> None:
        """Record fields (status, error, input data...) for the journal, written at the next flush."""
        self._fields.update(fields)
        self._dirty = True

    def save(self, step: str, **fields: Any) -> None:
        """The progress document (and any record fields) for the journal, written at the next flush."""
        self.note(step=step, **fields)

    def flush(self) -> None:
        """Write what was noted since the last flush, with its events, in one transaction.

        The job flushes before each of the client's writes to the portal (the caller's
        ``before_write``) and when the client ends: so a step's ``started`` mark is on disk before
        its first write, and a step's result with the next step's mark and both steps' events
        cost one commit. A crash in between loses only what a resumed step looks up anyway.
        The lease is checked in the same transaction as the write: a run that lost the client
        gets :class:`~onboarding.journal.LeaseLost` instead of overwriting the new owner's record.
        """
        if not self._dirty and not self._events:
            return
        fields, events = self._fields, self._events
        if self._dirty:
            fields = {**fields, "progress": self.progress}
        self._fields, self._events, self._dirty = {}, [], False
        fence = self.owner or None
        self.journal.upsert_client(
            self.batch.portal_key, self.client_id, fence=fence, events=events, **fields
        )

    def abandon(self) -> None:
        """Drop what was noted for a client another run holds now; only the events are written."""
        events, self._fields, self._events, self._dirty = self._events, {}, [], False
        for run_id, step, outcome, detail in events:
            self.journal.add_event(run_id, self.batch.portal_key, self.client_id, step, outcome, detail)

    def mark_started(self, step: str) -> None:
        """Note, before a step's first write, that a write may happen (a resume then looks first)."""
        if not self.progress.get(f"{step}_started"):
            self.progress[f"{step}_started"] = True
            self.save(step)

    def maybe_done(self, step: str) -> bool:
        """True when a write of this step may already have happened, so it must look first."""
        found_by_tag = (self.progress.get(Step.ROOM) or {}).get("found_by_tag", False)
        # A room found by its tag that this journal did not create: its content is unknown.
        return bool(self.progress.get(f"{step}_started")) or (not self.room_fresh and found_by_tag)

    def rooms_with_tag(self) -> list[Folder]:
        """Every room (active or archived) carrying the client's tag, as the portal shows it now.

        A room whose tag differs from ours in letter case alone is another client's: left out.
        """
        tag = self.plan.tag
        if self.tag_rooms is not None:
            rooms = self.tag_rooms.rooms(tag)
        else:
            rooms = self.caller.read(lambda: self.api.find_rooms_by_tags([tag]), what="look up rooms by tag")
        return [r for r in rooms if carries_tag(r, tag)]

    def send_members_read(self, room_id: int) -> None:
        """Start reading the room's members now (see :mod:`~onboarding.workflow.read_ahead`)."""
        if self.read_ahead is not None:
            self._members_ahead = (room_id, self.read_ahead.submit(lambda: self.api.room_members(room_id)))

    def drop_members_read(self) -> None:
        """The client ends before verification: its read sent ahead is not sent if still queued."""
        ahead, self._members_ahead = self._members_ahead, None
        if ahead is not None:
            ahead[1].cancel()

    def members(self, room_id: int, what: str) -> list[Member]:
        """The room's members: the read sent ahead for this room if it answered, else a read now."""
        ahead, self._members_ahead = self._members_ahead, None
        if ahead is not None and ahead[0] == room_id:
            found = taken(ahead[1])
            if found is not None:
                return found
        return self.caller.read(lambda: self.api.room_members(room_id), what=what)

    def listing(self, folder_id: int, *, refresh: bool = False) -> tuple[list[File], list[Folder]]:
        """A folder's files and sub-folders, read once per attempt unless ``refresh``."""
        if refresh or folder_id not in self.listings:
            content = self.caller.read(lambda: self.api.folder_contents(folder_id), what="list folder")
            self.listings[folder_id] = (list(content.files), list(content.folders))
        return self.listings[folder_id]
