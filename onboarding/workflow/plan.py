"""The dry run: what a batch would do on the portal, client by client, without writing anything.

Planning reads as little as possible and exactly once per run: the key's own account, each
distinct manager e-mail, the template files, and the rooms already carrying the clients' tags
(100 tags to a request). The same :class:`RunContext` then drives the real run, so the plan a
person approved and the run that follows make the same decisions.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from onboarding.blueprint import Blueprint, TemplateFile
from onboarding.docspace import DocSpaceClient, File, FileShare, Folder, User
from onboarding.errors import BadRequest, ConfigError, Forbidden, NotFound
from onboarding.journal import ClientRecord, Journal
from onboarding.titles import MAX_TAG_LENGTH, PatternError, portal_title
from onboarding.workflow.status import Action, ClientStatus, Step

STEPS = (Step.ROOM, Step.FOLDERS, Step.FILES, Step.ACCESS, Step.LINK, Step.VERIFY, Step.RECORD)
"""The steps of onboarding one client, in order."""


class ClientLike(Protocol):
    """What the engine needs of a client row (``onboarding.ingest.ClientRow`` fits)."""

    @property
    def client_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def manager_email(self) -> str | None: ...
    @property
    def extra(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class ManagerDecision:
    """Who gets manager access to a client's room, with which role, and why."""

    email: str
    user_id: str | None
    role: FileShare | None
    """None: no invitation (the manager is the key's own account, i.e. the room owner, or skipped)."""
    note: str = ""
    blocked: str = ""


@dataclass(frozen=True)
class ResolvedTemplate:
    """A template file found on the portal, and where its copy goes."""

    file_id: int
    source_title: str
    folder: str
    dest_title: str


@dataclass
class RunContext:
    """What a run reads once and shares between all its clients."""

    portal_key: str
    blueprint: Blueprint
    me: User
    templates: list[ResolvedTemplate]
    managers: dict[str, ManagerDecision] = field(default_factory=dict)
    rooms_by_tag: dict[str, list[Folder]] = field(default_factory=dict)
    reads_spent: int = 0


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


@dataclass
class BatchPlan:
    """The plan for a batch, with its cost against the portal's limits."""

    context: RunContext
    clients: list[ClientPlan]
    lookup_reads: int
    problems: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.clients if c.action == action)

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


def client_fields(client: ClientLike) -> dict[str, str]:
    """The values a title or tag pattern may use: canonical fields plus carried-through columns."""
    return {
        **{k: str(v) for k, v in (client.extra or {}).items()},
        "client_id": client.client_id,
        "name": client.name,
        "email": client.email or "",
        "manager_email": client.manager_email or "",
    }


def fresh_writes(blueprint: Blueprint, manager: ManagerDecision | None) -> int:
    """POST/PUT calls for a client from nothing: room, folders, copies, one share, one link."""
    invites = (1 if manager and manager.role is not None else 0) + (1 if blueprint.invite_client else 0)
    return (
        1
        + len(blueprint.folders)
        + len(blueprint.templates)
        + (1 if invites else 0)
        + int(blueprint.link.enabled)
    )


VERIFY_READS = 2

T = TypeVar("T")
Reader = Callable[[Callable[[], Any]], Any]
"""Runs one read; the engine passes one that throttles and retries."""


def _direct(fn: Callable[[], T]) -> T:
    return fn()


# -- resolving what a run needs ----------------------------------------------------------------


def resolve_templates(
    client: DocSpaceClient, blueprint: Blueprint, ctx_reads: list[int], read: Reader = _direct
) -> list[ResolvedTemplate]:
    """Find each template file on the portal (by id, or by path under "My documents")."""
    out: list[ResolvedTemplate] = []
    listings: dict[tuple[str, ...], tuple[list[File], list[Folder]]] = {}

    def listing(parts: tuple[str, ...]) -> tuple[list[File], list[Folder]]:
        if parts not in listings:
            if not parts:
                content = read(client.my_documents)
            else:
                _, parent_folders = listing(parts[:-1])
                match = [f for f in parent_folders if f.title == parts[-1]]
                if not match:
                    raise ConfigError(
                        f"template folder '@my/{'/'.join(parts)}' does not exist in My documents"
                    )
                folder_id = match[0].id
                content = read(lambda: client.folder_contents(folder_id))
            ctx_reads[0] += 1
            listings[parts] = (list(content.files), list(content.folders))
        return listings[parts]

    for tpl in blueprint.templates:
        source = _find_template(client, tpl, listing, ctx_reads, read)
        dest = tpl.title or source.title
        if _ext(dest) != _ext(source.title):
            raise ConfigError(
                f"template {tpl.source!r}: the copy's title {dest!r} must keep the extension "
                f"{_ext(source.title) or '(none)'} (another extension makes the portal convert and rename it)"
            )
        resolved = ResolvedTemplate(source.id, source.title, tpl.folder, portal_title(dest, 165))
        if any((r.folder, r.dest_title) == (resolved.folder, resolved.dest_title) for r in out):
            where = tpl.folder or "the room root"
            raise ConfigError(f"two template files would be copied as {resolved.dest_title!r} into {where}")
        out.append(resolved)
    return out


def _find_template(
    client: DocSpaceClient,
    tpl: TemplateFile,
    listing: Callable[[tuple[str, ...]], tuple[list[File], list[Folder]]],
    ctx_reads: list[int],
    read: Reader,
) -> File:
    if tpl.by_id is not None:
        ctx_reads[0] += 1
        try:
            file_id = tpl.by_id
            return read(lambda: client.get_file(file_id))
        except (NotFound, Forbidden):
            raise ConfigError(
                f"template file id {tpl.by_id} does not exist or is not visible to the API key"
            ) from None
    parts = tpl.path_parts
    files, _ = listing(tuple(parts[:-1]))
    matches = [f for f in files if f.title == parts[-1]]
    if not matches:
        raise ConfigError(f"template file {tpl.source!r} was not found in My documents")
    return matches[0]


def _ext(title: str) -> str:
    dot = title.rfind(".")
    return title[dot:].lower() if dot > 0 else ""


def decide_manager(
    blueprint: Blueprint, me: User, email: str, user: User | None, error: str = ""
) -> ManagerDecision:
    """Apply the eligibility rule: RoomManager needs the owner, a DocSpace admin or a room admin."""
    if user is None:
        why = error or f"{email} is not a user of this portal"
        return ManagerDecision(email, None, None, blocked=f"account manager {why}")
    if user.id == me.id:
        return ManagerDecision(email, user.id, None, note="the API key's own account: already the room owner")
    role = blueprint.manager_role
    if role == FileShare.ROOM_MANAGER and not user.can_manage_rooms:
        fallback = blueprint.manager_fallback
        why = f"{email} is a {user.user_type}; only room admins, DocSpace admins and the owner can be Room manager"
        if fallback == "block":
            return ManagerDecision(email, user.id, None, blocked=why)
        if fallback == "skip":
            return ManagerDecision(email, user.id, None, note=why + " — not invited (fallback: skip)")
        alt = blueprint.manager_fallback_role
        return ManagerDecision(email, user.id, alt, note=why + f" — invited as {alt.label} instead")
    return ManagerDecision(email, user.id, role)


def resolve_managers(
    client: DocSpaceClient, blueprint: Blueprint, me: User, emails: set[str], read: Reader = _direct
) -> dict[str, ManagerDecision]:
    """One people look-up per distinct manager e-mail (not per client)."""
    out: dict[str, ManagerDecision] = {}
    for email in sorted(emails):
        if email == (me.email or "").casefold():
            out[email] = decide_manager(blueprint, me, email, me)
            continue
        try:
            user = read(functools.partial(client.find_user_by_email, email))
            out[email] = decide_manager(blueprint, me, email, user)
        except Forbidden:
            out[email] = decide_manager(blueprint, me, email, None, "is not visible to the API key's account")
        except BadRequest:
            out[email] = decide_manager(blueprint, me, email, None, "is not a valid e-mail address")
    return out


def build_context(
    client: DocSpaceClient,
    blueprint: Blueprint,
    clients: Sequence[ClientLike],
    *,
    portal_key: str,
    read: Reader = _direct,
) -> RunContext:
    """Read everything a plan and a run need, once."""
    reads = [1]
    me = read(client.me)
    templates = resolve_templates(client, blueprint, reads, read)
    ctx = RunContext(portal_key=portal_key, blueprint=blueprint, me=me, templates=templates)
    emails = {(_manager_email(c, blueprint) or "").casefold() for c in clients} - {""}
    ctx.managers = resolve_managers(client, blueprint, me, emails, read)
    reads[0] += len(emails - {(me.email or "").casefold()})
    tags = []
    for c in clients:
        try:
            tags.append(blueprint.render(blueprint.tag_pattern, client_fields(c)))
        except PatternError:
            continue
    rooms = read(lambda: client.find_rooms_by_tags(tags)) if tags else []
    reads[0] += math.ceil(len(set(tags)) / 100)
    wanted = {t.casefold() for t in tags}
    for room in rooms:
        for tag in room.tags:
            if tag.casefold() in wanted:
                ctx.rooms_by_tag.setdefault(tag.casefold(), []).append(room)
    ctx.reads_spent = reads[0]
    return ctx


def _manager_email(c: ClientLike, blueprint: Blueprint) -> str | None:
    return c.manager_email or blueprint.default_manager_email or None


def plan_client(
    ctx: RunContext, c: ClientLike, record: ClientRecord | None, seen_tags: dict[str, str]
) -> ClientPlan:
    """Decide create / resume / done / blocked for one client."""
    bp = ctx.blueprint
    fields = client_fields(c)
    try:
        raw_title = bp.render(bp.title_pattern, fields)
        tag = bp.render(bp.tag_pattern, fields)
        link_title = portal_title(bp.render(bp.link.title, fields), 255) if bp.link.enabled else ""
    except PatternError as exc:
        return ClientPlan(c, "", "", Action.BLOCKED, reasons=[str(exc)])
    title = portal_title(raw_title)
    plan = ClientPlan(c, title, tag, Action.CREATE, link_title=link_title)
    if title != raw_title.strip():
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
    if bp.invite_client and not (c.email or "").strip():
        plan.action = Action.BLOCKED
        plan.reasons.append("no client e-mail, and the blueprint invites the client by e-mail")

    memail = (_manager_email(c, bp) or "").casefold()
    if memail:
        plan.manager = ctx.managers.get(memail)
        if plan.manager and plan.manager.blocked:
            plan.action = Action.BLOCKED
            plan.reasons.append(plan.manager.blocked)
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
        plan.warnings.append("the client's e-mail is the account manager's: invited once, as manager")
    plan.invite_client = plan.invite_client and bp.invite_client

    rooms = sorted(ctx.rooms_by_tag.get(tag.casefold(), []), key=lambda r: r.id)
    progress = record.progress if record else {}
    active = [r for r in rooms if not r.archived]
    # The room this journal built wins over any other carrying the same tag.
    mine = [r for r in active if record is not None and r.id == record.room_id]
    active = mine + [r for r in active if r not in mine]
    if len(rooms) > 1:
        using = active[0].id if active else rooms[0].id
        plan.warnings.append(
            f"{len(rooms)} rooms carry the tag {tag!r} (ids {', '.join(str(r.id) for r in rooms)}); using {using}"
        )
    if rooms and not active:
        plan.action = Action.BLOCKED
        plan.reasons.append(
            f"the client's room {rooms[0].id} is archived (rolled back); unarchive it to go on"
        )
    elif record is not None and record.status == ClientStatus.ARCHIVED and not rooms:
        plan.warnings.append("was rolled back and its room is gone from the portal: it will be created again")
    if plan.action == Action.BLOCKED:
        return plan
    plan.room = active[0] if active else None
    if plan.room is not None:
        if record is not None and record.status == ClientStatus.DONE and record.room_id == plan.room.id:
            plan.action = Action.DONE
            return plan
        plan.action = Action.RESUME
        plan.resume_step = _first_open_step(progress, plan.room.id)
        plan.writes = fresh_writes(bp, plan.manager) - 1  # upper bound: missing parts only
        plan.reads = 2 + len(bp.folders) + VERIFY_READS  # room and folder listings, link listing
        return plan
    if record is not None and record.status == ClientStatus.DONE and record.room_id:
        plan.warnings.append(
            "was onboarded before, but its room is no longer on the portal: it will be created again"
        )
    plan.writes = fresh_writes(bp, plan.manager)
    plan.reads = VERIFY_READS
    return plan


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
    read: Reader = _direct,
) -> BatchPlan:
    """Plan a batch (reads only); ``read`` wraps each call (the engine passes its retrying reader)."""
    ctx = context or build_context(client, blueprint, clients, portal_key=portal_key, read=read)
    records = journal.get_many(portal_key, [c.client_id for c in clients])
    seen: dict[str, str] = {}
    plans = [plan_client(ctx, c, records.get(c.client_id), seen) for c in clients]
    return BatchPlan(context=ctx, clients=plans, lookup_reads=ctx.reads_spent)
