"""The dry run: what a batch would do on the portal, client by client, without writing anything.

Planning reads as little as possible and exactly once per run (:mod:`onboarding.workflow.context`
holds those reads); this module decides create / resume / done / blocked for each client and adds
up the cost over the step registry. The same :class:`RunContext` then drives the real run, so the
plan a person approved and the run that follows make the same decisions.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient, Folder, RoomType
from onboarding.ingest.lookalike import differing_characters, skeleton
from onboarding.journal import ClientRecord, Journal
from onboarding.segments import UnknownSegment
from onboarding.segments import label as segment_label
from onboarding.titles import MAX_LINK_TITLE_LENGTH, MAX_TAG_LENGTH, PatternError, fit_length, room_names
from onboarding.workflow.context import (
    ClientLike,
    ManagerDecision,
    Reader,
    RunContext,
    build_context,
    client_fields,
    direct,
    find_hidden_rooms,
    manager_email,
)
from onboarding.workflow.identity import apply_identity
from onboarding.workflow.lifecycle import offboard_unfinished, unfinished_offboard
from onboarding.workflow.links import INTERNAL_LINK
from onboarding.workflow.reassign import (
    CLIENT_IS_MANAGER,
    apply_manager_change,
    keep_manager,
    note_manager_change,
    note_unfinished_hand_over,
    plan_removals,
)
from onboarding.workflow.segment_change import (
    column_missing,
    note_segment_change,
    segment_before,
    whose_blueprint,
)
from onboarding.workflow.status import Action, ClientStatus, Step
from onboarding.workflow.steps import REGISTRY, ClientStep
from onboarding.workflow.tag_rooms import carries_tag

GUESTS_FORBIDDEN = (
    "the portal forbids inviting guests, and DocSpace then refuses every invitation by e-mail: "
    "allow guest invitations in the portal's invitation settings, "
    "or turn client invitations off in the blueprint and invite the clients as existing users yourself"
)

STEPS: tuple[Step, ...] = tuple(step.name for step in REGISTRY)
"""The steps of onboarding one client, in order (named from the one registry)."""

__all__ = [
    "STEPS",
    "BatchPlan",
    "ClientPlan",
    "StepCosts",
    "client_cost",
    "make_plan",
    "plan_client",
]


@dataclass
class ClientPlan:
    """The plan for one client."""

    client: ClientLike
    title: str
    tag: str
    action: Action
    resume_step: str = ""
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    manager: ManagerDecision | None = None
    room: Folder | None = None
    writes: int = 0
    reads: int = 0
    invite_client: bool = True
    """False when the client's e-mail is the key's own account or the manager's (see plan_client)."""
    link_title: str = ""
    identity: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Field → (journal's value, row's value) where the row is not who the journal onboarded."""
    update_identity: bool = False
    """The person chose to update the journal's record to this row (see workflow/identity.py)."""
    segment: str = ""
    """The segment whose blueprint the client gets (``""``: the default; see onboarding/segments.py)."""
    segment_before: str | None = None
    """The segment the client's room was made for, when the row now names another one."""

    manager_before: str | None = None
    """The finished client's account manager in the journal (``""``: none) when the row names
    another one; None when it does not (see workflow/reassign.py)."""
    manager_named: str | None = None
    """The manager the row names, when the room keeps another (see workflow/reassign.py)."""
    update_manager: bool = False
    """The person chose to hand the room to the row's manager (see workflow/reassign.py)."""
    removals: list[list[str]] = field(default_factory=list)
    """``[email, why]`` of each person the run takes out of the room (see workflow/reassign.py)."""

    segment_known: bool = True
    """False when the row's segment cell names no segment (the client is blocked, with no blueprint)."""

    @property
    def blueprint_name(self) -> str:
        """The blueprint the client gets, as the plan shows it (``""`` when its segment is unknown)."""
        return segment_label(self.segment) if self.segment_known else ""

    @property
    def client_id(self) -> str:
        return self.client.client_id

    def journal_fields(self) -> dict[str, Any]:
        """The client's input as the journal keeps it (what a resume without the file needs)."""
        c = self.client
        manager = (self.manager.email if self.manager else "") or c.manager_email or ""
        return {
            "name": c.name,
            "email": c.email or "",
            "manager_email": manager,
            "extra": dict(c.extra or {}),
            "tag": self.tag,
        }


@dataclass(frozen=True)
class BlockedReason:
    """One reason the plan blocks clients, and whom it blocks."""

    reason: str
    ids: list[str]

    @property
    def some(self) -> str:
        """``C-1, C-2, C-3, …``: the first ids, for a line that names the reason once."""
        return ", ".join(self.ids[:3]) + (", …" if len(self.ids) > 3 else "")


@dataclass
class BatchPlan:
    """The plan for a batch, with its cost against the portal's limits."""

    context: RunContext
    clients: list[ClientPlan]
    lookup_reads: int
    problems: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.clients if c.action == action)

    def blocked_reasons(self) -> list[BlockedReason]:
        """Each reason that blocks clients, with the ids it blocks, the most common first.

        A batch is often blocked for one reason (an account manager who is not a portal user, a
        link password the portal refuses): said once with its count, not once per client."""
        groups: dict[str, list[str]] = {}
        for cp in self.clients:
            if cp.action == Action.BLOCKED:
                for reason in cp.reasons or ["no reason given"]:
                    groups.setdefault(reason, []).append(cp.client_id)
        return [BlockedReason(r, ids) for r, ids in sorted(groups.items(), key=lambda item: -len(item[1]))]

    @property
    def writes(self) -> int:
        return sum(c.writes for c in self.clients)

    @property
    def reads(self) -> int:
        return self.lookup_reads + sum(c.reads for c in self.clients)

    def days_of_writes(self, daily_writes: int) -> int:
        """How many daily POST+PUT budgets the batch needs (1 = fits in today's)."""
        return max(1, math.ceil(self.writes / max(1, daily_writes)))

    def summary(self) -> dict[str, Any]:
        return {
            "clients": len(self.clients),
            **{str(action): self.count(action) for action in Action},
            "writes": self.writes,
            "reads": self.reads,
        }


def client_cost(
    blueprint: Blueprint, plan: ClientPlan, *, resume: bool, steps: Sequence[ClientStep] = REGISTRY
) -> tuple[int, int]:
    """(writes, reads) for one client, added up over the step registry.

    From nothing (``resume`` False) the writes are exact; for a resumed client they are an upper
    bound (only the missing parts are written) and the reads include the listings it looks at.
    """
    return StepCosts(steps)(blueprint, plan, resume=resume)


class StepCosts:
    """:func:`client_cost` for a whole batch: a step's reads depend only on the blueprint and
    ``resume`` (its signature has no client), so they are added up once per blueprint, not once
    per client (10,000 clients summed 80,000 of them); writes may look at the client's plan (the
    manager's invitation) and are added up per client."""

    def __init__(self, steps: Sequence[ClientStep] = REGISTRY) -> None:
        self._writes = [step.writes for step in steps]
        self._index = {str(step.name): i for i, step in enumerate(steps)}
        self._steps = steps
        self._reads: dict[tuple[int, bool], tuple[Blueprint, int]] = {}

    def __call__(self, blueprint: Blueprint, plan: ClientPlan, *, resume: bool) -> tuple[int, int]:
        # A resumed client writes nothing in the steps before its resume step (they are recorded
        # done): a hand-over, resumed at access, is its invitations and removals and the link's
        # look, not a whole client's folders and files.
        start = self._index.get(plan.resume_step, 0) if resume else 0
        writes = 0
        for step_writes in self._writes[start:]:
            writes += step_writes(blueprint, plan, resume=resume)
        return writes, self.reads(blueprint, resume=resume)

    def reads(self, blueprint: Blueprint, *, resume: bool) -> int:
        key = (id(blueprint), resume)
        known = self._reads.get(key)
        if known is None or known[0] is not blueprint:  # the blueprint is kept: its id stays its own
            known = self._reads[key] = (
                blueprint,
                sum(s.reads(blueprint, resume=resume) for s in self._steps),
            )
        return known[1]


def plan_client(
    ctx: RunContext,
    c: ClientLike,
    record: ClientRecord | None,
    seen_tags: dict[str, str],
    steps: Sequence[ClientStep] | StepCosts = REGISTRY,
) -> ClientPlan:
    """Decide create / resume / done / skip / blocked for one client (with its segment's blueprint).

    ``steps``: the registry whose cost is added up, or a batch's :class:`StepCosts` for it.
    """
    cost = steps if isinstance(steps, StepCosts) else StepCosts(steps)
    try:
        segment, _ = ctx.blueprint.choose(c.extra)
    except UnknownSegment as exc:
        return ClientPlan(c, "", "", Action.BLOCKED, reasons=[str(exc)], segment_known=False)
    before = segment_before(ctx.blueprint, record, segment)
    missing = column_missing(ctx.blueprint, c)
    ctx = ctx.for_segment(segment)
    bp = ctx.blueprint
    fields = client_fields(c)
    try:
        names = room_names(bp.title_pattern, bp.tag_pattern, fields)
        link_title = (
            fit_length(bp.render(bp.link.title, fields), MAX_LINK_TITLE_LENGTH) if bp.link.enabled else ""
        )
    except PatternError as exc:
        return ClientPlan(c, "", "", Action.BLOCKED, reasons=[str(exc)], segment=segment)
    title, tag = names.title, names.tag
    plan = ClientPlan(
        c, title, tag, Action.CREATE, link_title=link_title, segment=segment, segment_before=before
    )
    if missing:
        plan.warnings.append(missing)
    if title != names.raw_title:
        plan.warnings.append(f"the portal will store the title as {title!r}")
    if not title:
        plan.action, plan.reasons = Action.BLOCKED, ["the room title is empty once trimmed"]
    if len(tag) > MAX_TAG_LENGTH:
        plan.action = Action.BLOCKED
        plan.reasons.append(f"the room tag is longer than {MAX_TAG_LENGTH} characters")
    other = seen_tags.get(tag.casefold())
    if other is not None:
        plan.action = Action.BLOCKED
        plan.reasons.append(
            f"client {c.client_id!r} appears twice in this batch"
            if other == c.client_id
            else f"its room tag {tag!r} equals client {other!r}'s (DocSpace tags ignore letter case)"
        )
    seen_tags.setdefault(tag.casefold(), c.client_id)
    if offboard_unfinished(record):  # never resumed: that would give its access back
        plan.action, plan.reasons, plan.warnings = Action.BLOCKED, [unfinished_offboard(c.client_id)], []
        return plan
    if record is not None and record.status == ClientStatus.OFFBOARDED and plan.action != Action.BLOCKED:
        return _kept_out(plan, f"offboarded: restore it to onboard again ({_restore(c.client_id)})")
    if bp.invite_client and not (c.email or "").strip():
        plan.action = Action.BLOCKED
        plan.reasons.append("no client e-mail, and the blueprint invites the client by e-mail")

    memail = (manager_email(c, bp) or "").casefold()
    manager_blocked = ""
    if memail:
        plan.manager = ctx.managers.get(memail)
        if plan.manager and plan.manager.blocked:
            manager_blocked = plan.manager.blocked
            plan.action = Action.BLOCKED
            plan.reasons.append(manager_blocked)
        elif plan.manager and plan.manager.note:
            plan.warnings.append(plan.manager.note)
    else:
        plan.manager = ManagerDecision(
            "", ctx.me.id, None, note="no account manager: the key's account owns the room"
        )
    cemail = (c.email or "").strip().casefold()
    if bp.invite_client and cemail and cemail == (ctx.me.email or "").casefold():
        plan.invite_client = False
        plan.warnings.append("the client's e-mail is the API key's own account (the room owner): not invited")
    elif bp.invite_client and cemail and memail and cemail == memail:
        plan.invite_client = False
        plan.warnings.append(CLIENT_IS_MANAGER)
    plan.invite_client = plan.invite_client and bp.invite_client
    if plan.invite_client and not ctx.guest_invites:
        plan.action = Action.BLOCKED
        plan.reasons.append(GUESTS_FORBIDDEN)

    rooms = ctx.rooms_by_tag.get(tag.casefold(), [])
    untagged = ctx.untagged_rooms.get(c.client_id)
    if untagged is not None and tag in untagged.tags:  # (carries_tag counts a room without tags)
        # The journal's room, missing from the tag look-up yet carrying the tag: another run made it
        # after the look-up (the journal is read next). It is the client's room, not an untagged one.
        rooms = [*rooms, untagged] if all(r.id != untagged.id for r in rooms) else rooms
        untagged = None
    rooms = sorted(rooms, key=lambda r: r.id)
    others = [r for r in rooms if not carries_tag(r, tag)]
    if others:  # another client's room, found because tags ignore case (see carries_tag)
        theirs = next(t for t in others[0].tags if t.casefold() == tag.casefold())
        plan.action = Action.BLOCKED
        plan.reasons.append(
            f"room {others[0].id} carries the tag {theirs!r}, another client's: DocSpace ignores "
            f"letter case in tags, so {tag!r} would be that room; give this client an id that "
            "differs by more than case"
        )
        return plan
    progress = record.progress if record else {}
    # Every run, whatever its journal, keeps the lowest active id (see workflow/converge.py).
    active = [r for r in rooms if not r.archived]
    if rooms and not active and record is not None and record.status == ClientStatus.ARCHIVED:
        return _kept_out(
            plan,
            f"rolled back: its room {rooms[0].id} is in the Archive; restore it to onboard again "
            f"({_restore(c.client_id)})",
        )
    if rooms and not active:  # archived by hand in DocSpace (or by a run with another journal)
        plan.action = Action.BLOCKED
        plan.reasons.append(
            f"the client's room {rooms[0].id} is in the Archive: restore it to go on ({_restore(c.client_id)})"
        )
    elif record is not None and record.status == ClientStatus.ARCHIVED and not rooms:
        plan.warnings.append("was rolled back and its room is gone from the portal: it will be created again")
    finished = (
        record if record is not None and record.status == ClientStatus.DONE and len(active) == 1 else None
    )
    if (
        finished
        and manager_blocked
        and plan.reasons == [manager_blocked]
        and finished.room_id == active[0].id
    ):
        # A finished room needs no manager now (one who left the company, say): said, not blocked.
        was = finished.manager_email or "its manager"
        plan.action, plan.reasons = Action.CREATE, []
        keep_manager(plan, finished.manager_email, "kept: the file's cannot take it")
        plan.warnings.append(
            f"the file's account manager cannot take the room ({manager_blocked}): it keeps {was}"
        )
    if plan.action == Action.BLOCKED:
        return plan
    plan.room = active[0] if active else None
    hidden = ctx.hidden_rooms.get(c.client_id)
    if plan.room is None and hidden is not None:
        plan.action = Action.BLOCKED
        plan.reasons.append(
            f"its room {hidden} (in the journal) is not visible to the API key's account "
            f"({ctx.me.user_type}): DocSpace shows a room admin only the rooms they created or were "
            "invited to; add the account to the room as Room manager, or use the key of an admin"
        )
        return plan
    if plan.room is None and untagged is not None:
        if record is not None and record.status == ClientStatus.DONE and record.room_id == untagged.id:
            plan.action = Action.DONE  # finished in that room: nothing to write, the tag is said
            plan.warnings.append(untagged_room(untagged, tag, done=True))
        else:
            plan.action = Action.BLOCKED
            plan.reasons.append(untagged_room(untagged, tag))
        return plan
    if plan.room is not None:
        if (progress.get(Step.LINK) or {}).get("internal"):
            plan.warnings.append(f"its link: {INTERNAL_LINK}")
        done = record is not None and record.status == ClientStatus.DONE and record.room_id == plan.room.id
        if done and len(active) == 1:
            plan.action = Action.DONE
            note_segment_change(plan)
            was = (record.manager_email if record else "") or ""
            if was.casefold() != memail and not manager_blocked:  # done only on request: reassign.py
                note_manager_change(plan, was, memail, me=ctx.me.email or "")
            return plan
        if _room_unusable(ctx, plan):
            return plan
        note_segment_change(plan)
        plan.action = Action.RESUME
        if len(active) > 1:  # two runs with different journals: every run keeps the lowest id
            ids = ", ".join(str(r.id) for r in active)
            plan.action = Action.REPAIR
            plan.reasons.append(
                f"{len(active)} active rooms carry the tag {tag!r} (ids {ids}): the client is finished "
                f"in room {plan.room.id} (the lowest id) and the others are archived"
            )
        plan.resume_step = _first_open_step(progress, plan.room.id)
        plan.writes, plan.reads = cost(bp, plan, resume=True)
        return plan
    if record is not None and record.status == ClientStatus.DONE and record.room_id:
        plan.warnings.append(
            "was onboarded before, but its room is no longer on the portal: it will be created again"
        )
    plan.writes, plan.reads = cost(bp, plan, resume=False)
    return plan


def untagged_room(room: Folder, tag: str, *, done: bool = False) -> str:
    """Why a client whose room lost its tag is not given a new room (that would be a second one)."""
    said = f"its room {room.id} ({room.title!r}, in the journal) no longer carries the tag {tag!r}"
    if done:
        return f"{said}: put the tag back on the room in DocSpace (runs and audits find the room by it)"
    return (
        f"{said}, so a new room would be a second one: put the tag back on the room in DocSpace "
        "to go on in it, or archive the room to have a new one made"
    )


def _restore(client_id: str) -> str:
    return f"`docspace-onboard restore {client_id}`, or Restore on the Clients page"


def _kept_out(plan: ClientPlan, why: str) -> ClientPlan:
    """A client the journal keeps out of onboarding (offboarded, rolled back): skipped, its status kept."""
    plan.action, plan.reasons, plan.warnings = Action.SKIP, [why], []
    plan.writes = plan.reads = 0
    return plan


def _room_unusable(ctx: RunContext, plan: ClientPlan) -> bool:
    """Block (or mark as a conflict) a found room the run could not finish: caught here, not as a 403."""
    room, bp = plan.room, ctx.blueprint
    assert room is not None
    if room.room_type is not None and room.room_type != int(bp.room_type):
        plan.action = Action.CONFLICT
        plan.reasons.append(
            f"its room {room.id} is a {RoomType.label_of(room.room_type)}, but {whose_blueprint(plan)} now makes "
            f"{bp.room_type.label}s; DocSpace cannot change a room's type — archive the old room "
            "to have a new one made, or set the blueprint's room type back"
        )
        return True
    # FileSecurity.FilterEntryAsync: folders, copies, invitations and links need Create/EditAccess/
    # EditRoom, which only the room's creator and its Room managers hold (admins included).
    missing = room.lacks("Create", "EditAccess", "EditRoom")
    if missing:
        plan.action = Action.BLOCKED
        plan.reasons.append(
            f"its room {room.id} was made by another account and the API key's account "
            f"({ctx.me.user_type}) may not change it ({', '.join(missing)} not granted): add the "
            "account to the room as Room manager, or run with the room creator's key"
        )
        return True
    return False


def _first_open_step(progress: dict[str, Any], room_id: int) -> str:
    if (progress.get("room") or {}).get("id") != room_id:
        return Step.FOLDERS
    for step in STEPS[1:]:
        if not progress.get(step):
            return step
    return Step.RECORD


def make_plan(
    client: DocSpaceClient,
    blueprint: Blueprint,
    clients: Sequence[ClientLike],
    journal: Journal,
    *,
    portal_key: str,
    context: RunContext | None = None,
    read: Reader = direct,
    steps: Sequence[ClientStep] = REGISTRY,
    update: Collection[str] = (),
    hand_over: Collection[str] = (),
) -> BatchPlan:
    """Plan a batch (reads only); ``read`` wraps each call (the engine passes its retrying reader).

    ``steps`` is the registry whose cost is added up (the engine passes the one it runs);
    ``update`` names the clients whose identity conflict a person resolved by updating the record,
    ``hand_over`` those whose room goes to the account manager their row names.
    """
    ctx = context or build_context(client, blueprint, clients, portal_key=portal_key, read=read)
    records = journal.get_many(portal_key, [c.client_id for c in clients])
    find_hidden_rooms(client, ctx, records, read)
    seen: dict[str, str] = {}
    cost = StepCosts(steps)
    plans = [plan_client(ctx, c, records.get(c.client_id), seen, cost) for c in clients]
    block_lookalikes(plans, journal, portal_key)
    me = ctx.me.email or ""
    for cp in plans:
        record = records.get(cp.client_id)
        apply_identity(cp, record, update=cp.client_id in update)
        note_unfinished_hand_over(cp, record.progress if record else {}, me=me)
        apply_manager_change(cp, hand_over=cp.client_id in hand_over, me=me)
        cp.removals = plan_removals(cp, record.progress if record else {}, me=me)
        if (cp.update_identity or cp.update_manager or cp.removals) and cp.action == Action.RESUME:
            bp = ctx.for_segment(cp.segment).blueprint
            cp.writes, cp.reads = cost(bp, cp, resume=True)
    return BatchPlan(
        context=ctx, clients=plans, lookup_reads=ctx.reads_spent, problems=blind_spots(ctx, plans)
    )


def block_lookalikes(plans: Sequence[ClientPlan], journal: Journal, portal_key: str) -> None:
    """Block a new client whose ID only looks like one the journal has (``CL–1001`` with an en
    dash, full-width digits, doubled spaces, against ``CL-1001``): its tag would be another, so the
    earlier client's room is not found and a second one is made. The upload catches this within one
    file (``ingest.lookalike``); this is the same check against earlier runs. The journal is read
    only when such an ID is in the batch (an ASCII ID with single spaces cannot be one)."""
    suspects = [
        cp
        for cp in plans
        if cp.action == Action.CREATE and skeleton(cp.client_id) != cp.client_id.strip().casefold()
    ]
    if not suspects:
        return
    known: dict[str, list[ClientRecord]] = {}
    for rec in journal.clients(portal_key):
        known.setdefault(skeleton(rec.client_id), []).append(rec)
    for cp in suspects:
        others = [r for r in known.get(skeleton(cp.client_id), []) if r.client_id != cp.client_id]
        if not others:
            continue
        other = others[0]
        what = ", ".join(differing_characters(cp.client_id)) or "spacing"
        cp.action, cp.writes, cp.reads = Action.BLOCKED, 0, 0
        cp.reasons.append(
            f"its ID '{cp.client_id}' only looks like '{other.client_id}' ({other.status} in the journal): "
            f"it differs by {what}, so it would be another client with a second room; correct the ID in "
            "the file"
        )


def blind_spots(ctx: RunContext, plans: Sequence[ClientPlan]) -> list[str]:
    """What the plan cannot know, said before the run: a room admin's key does not see rooms
    another account made (``FileSecurity.GetVirtualRoomsAsync`` → ``GetVirtualRoomsForMeAsync``),
    so a client another key onboarded outside this journal looks new, and would get a second
    room. (Rooms this journal knows are checked one by one: ``find_hidden_rooms``.)"""
    me = ctx.me
    new = sum(1 for cp in plans if cp.action == Action.CREATE)
    if not new or not me.is_room_admin or me.is_admin or me.is_owner:
        return []
    return [
        f"The API key's account ({me.email}) is a Room admin: DocSpace shows it only the rooms it "
        f"created or was invited to, so if another key already onboarded any of the {new} client(s) "
        "to create, their rooms cannot be found and would be made a second time. Onboard with a "
        "DocSpace admin's key, or make sure no other key onboards these clients."
    ]
