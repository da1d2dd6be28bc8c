"""What a run reads once and shares between its clients: the key's account, the templates, the
managers' accounts and roles, and the rooms already carrying the clients' tags.

Reading it is the dry run's first half (:mod:`onboarding.workflow.plan` is the second: deciding per
client); the engine hands the same :class:`RunContext` to the real run, so what a person approved
and what runs make the same decisions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from onboarding.blueprint import Blueprint, TemplateFile
from onboarding.docspace import DocSpaceClient, File, FileShare, Folder, FolderType, RoomType, User
from onboarding.docspace.bodies import tag_chunks
from onboarding.docspace.models import PasswordPolicy
from onboarding.errors import BadRequest, ConfigError, Forbidden, NotFound
from onboarding.journal import ClientRecord
from onboarding.segments import UnknownSegment
from onboarding.titles import PatternError, file_title
from onboarding.workflow.status import ClientStatus
from onboarding.workflow.tag_rooms import rooms_by_tags


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
    kept: bool = False
    """The room's manager, kept (nobody invited): see ``reassign.keep_manager``."""


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
    guest_invites: bool = True
    """False when the portal forbids inviting guests: every e-mail invitation is then refused."""
    hidden_rooms: dict[str, int] = field(default_factory=dict)
    """Client id -> the journal's room for it that exists but the key's account may not see."""
    untagged_rooms: dict[str, Folder] = field(default_factory=dict)
    """Client id -> the journal's room for it, active on the portal but without the client's tag
    (a person removed it): a new room would be a second one, so the plan blocks the client."""
    room_template: Folder | None = None
    """The blueprint's room template, as found on the portal (None: rooms are filled step by step)."""
    template_folders: list[str] = field(default_factory=list)
    """The template's top-level folders: what a room made from it must hold (with ``templates``)."""

    @property
    def room_folders(self) -> list[str]:
        """The folders every client room holds: the template's, or the blueprint's."""
        return self.template_folders if self.room_template is not None else self.blueprint.folders

    segment: str = ""
    """The segment whose blueprint this context carries (``""``: the default blueprint)."""
    variants: dict[str, RunContext] = field(default_factory=dict)
    """Segment -> the context of that segment's clients: its blueprint, templates and managers, with
    the portal-wide parts (account, rooms by tag, hidden rooms, guest setting) shared with this one."""

    def for_segment(self, name: str) -> RunContext:
        """The context a client of segment ``name`` is planned and run with."""
        if not name or name == self.segment:
            return self
        if name not in self.variants:
            raise ConfigError(f"segment {name!r} was not prepared for this run (plan the batch again)")
        return self.variants[name]


def client_fields(client: ClientLike) -> dict[str, str]:
    """The values a title or tag pattern may use: canonical fields plus carried-through columns."""
    return {
        **{k: str(v) for k, v in (client.extra or {}).items()},
        "client_id": client.client_id,
        "name": client.name,
        "email": client.email or "",
        "manager_email": client.manager_email or "",
    }


T = TypeVar("T")
Reader = Callable[[Callable[[], Any]], Any]
"""Runs one read; the engine passes one that throttles and retries."""


def direct(fn: Callable[[], T]) -> T:
    """A read made as it is (no throttle, no retries): for callers outside a run."""
    return fn()


# -- resolving what a run needs ----------------------------------------------------------------


NOT_A_FORM = (
    "is not an ONLYOFFICE PDF form: a Form filling room takes nothing else "
    "(the portal refuses to copy other files into it)"
)
"""Why a template file cannot go into a Form filling room (``FileDao.SaveFileAsync``)."""


def resolve_templates(
    client: DocSpaceClient, blueprint: Blueprint, ctx_reads: list[int], read: Reader = direct
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
        if blueprint.room_type == RoomType.FILLING_FORMS and not source.is_form:
            raise ConfigError(
                f"template {tpl.source!r} {NOT_A_FORM}; remove it from the templates or choose another room type"
            )
        dest = tpl.title or source.title
        if _ext(dest) != _ext(source.title):
            raise ConfigError(
                f"template {tpl.source!r}: the copy's title {dest!r} must keep the extension "
                f"{_ext(source.title) or '(none)'} (another extension makes the portal convert and rename it)"
            )
        resolved = ResolvedTemplate(source.id, source.title, tpl.folder, file_title(dest))
        if any((r.folder, r.dest_title) == (resolved.folder, resolved.dest_title) for r in out):
            where = tpl.folder or "the room root"
            raise ConfigError(f"two template files would be copied as {resolved.dest_title!r} into {where}")
        out.append(resolved)
    return out


def resolve_room_template(
    client: DocSpaceClient, blueprint: Blueprint, ctx_reads: list[int], read: Reader = direct
) -> tuple[Folder, list[str], list[ResolvedTemplate]]:
    """The blueprint's room template (by id, or by exact title among the templates the key sees),
    with what a room made from it holds: its top-level folders, its files there and one level down.

    The room type comes from the template (``CreateRoomFromTemplateAsync`` uses
    ``template.FolderType``), so a template of another type than the blueprint's is refused here:
    the roles and link rules the blueprint was checked against would not hold.
    """
    name = blueprint.room_template or ""
    ctx_reads[0] += 1
    template = _find_room_template(client, name, blueprint.template_id, read)
    if template.room_type != int(blueprint.room_type):
        kind = RoomType(template.room_type).label if template.room_type in set(RoomType) else "room"
        raise ConfigError(
            f"room template {template.title!r} ({template.id}) makes a {kind}, but the blueprint's room "
            f"type is {blueprint.room_type.label}; set room_type to {template.room_type} or pick another template"
        )
    root = read(lambda: client.folder_contents(template.id))
    ctx_reads[0] += 1
    folders = [f.title for f in sorted(root.folders, key=lambda f: f.id)]
    found = [(f, "") for f in root.files]
    for sub in root.folders:
        inner = read(functools.partial(client.folder_contents, sub.id))
        ctx_reads[0] += 1
        found += [(f, sub.title) for f in inner.files]
    if template.room_type == RoomType.FILLING_FORMS:
        # The job copies a template's files with FileDao.SaveFileAsync, which refuses what is not
        # a PDF form in a Form filling room; the job only logs it, so the room would lack them.
        odd = [f"{folder}/{f.title}" if folder else f.title for f, folder in found if not f.is_form]
        if odd:
            listed = ", ".join(repr(t) for t in odd[:5]) + (
                f" and {len(odd) - 5} more" if len(odd) > 5 else ""
            )
            raise ConfigError(
                f"room template {template.title!r} ({template.id}) holds {listed}, which "
                f"{'is' if len(odd) == 1 else 'are'} not {'an ONLYOFFICE PDF form' if len(odd) == 1 else 'ONLYOFFICE PDF forms'}: "
                "the portal leaves such files out of a Form filling room made from it; remove them from the template"
            )
    files = [ResolvedTemplate(f.id, f.title, folder, f.title) for f, folder in found]
    return template, folders, files


def _find_room_template(client: DocSpaceClient, name: str, by_id: int | None, read: Reader) -> Folder:
    if by_id is not None:
        try:
            found: Folder = read(functools.partial(client.get_room, by_id))
        except (NotFound, Forbidden):
            raise ConfigError(
                f"room template {by_id} does not exist or is not visible to the API key"
            ) from None
        if found.root_folder_type != FolderType.ROOM_TEMPLATES:
            raise ConfigError(
                f"room {by_id} ({found.title!r}) is not a room template: save it as a template in DocSpace "
                "and name the template instead"
            )
        return found
    listed: list[Folder] = read(functools.partial(client.list_templates, name))
    same = [t for t in listed if t.title == name]
    if len(same) > 1:
        ids = ", ".join(str(t.id) for t in same)
        raise ConfigError(f"{len(same)} room templates are titled {name!r} (ids {ids}): name one by its id")
    if not same:
        seen = ", ".join(repr(t.title) for t in listed[:5]) or "none"
        raise ConfigError(f"no room template is titled {name!r} (templates with similar titles: {seen})")
    return same[0]


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


People = dict[str, tuple[User | None, str]]
"""E-mail -> (the portal's user, or None with why not): looked up once per run, whatever the segment."""


PEOPLE_AT_ONCE = 8
"""Manager look-ups in flight while a plan reads the portal (a sheet may name hundreds)."""


def resolve_managers(
    blueprint: Blueprint, me: User, emails: set[str], people: People
) -> dict[str, ManagerDecision]:
    """The decision for each manager e-mail of a segment, from the people the plan looked up once."""
    return {email: decide_manager(blueprint, me, email, *people[email]) for email in sorted(emails)}


def _find_person(client: DocSpaceClient, email: str, read: Reader) -> tuple[User | None, str]:
    try:
        return read(functools.partial(client.find_user_by_email, email)), ""
    except Forbidden:
        return None, "is not visible to the API key's account"
    except BadRequest:
        return None, "is not a valid e-mail address"


def build_context(
    client: DocSpaceClient,
    blueprint: Blueprint,
    clients: Sequence[ClientLike],
    *,
    portal_key: str,
    read: Reader = direct,
) -> RunContext:
    """Read everything a plan and a run need, once (per segment only what its blueprint changes).

    Everything starts at once, in the background: the rooms carrying the batch's tags, the key's
    account, the portal's invitation settings, its password policy when a blueprint has a link
    password, and the managers (each distinct e-mail once); the
    templates are read meanwhile. One round trip before the first write where there were four
    (at 50 ms, 0.15 s of a 4 s batch). A manager who turns out to be the key's own account needs
    no look-up: that one read is spent anyway, and counted.
    """
    tags = []
    for c in clients:
        try:
            tags.append(blueprint.render(blueprint.tag_pattern, client_fields(c)))
        except PatternError:
            continue
    chunks = tag_chunks(tags)
    groups = segment_groups(blueprint, clients)
    invites = any(blueprint.for_segment(name).invite_client for name in groups)
    managers_of = {
        name: {(manager_email(c, blueprint.for_segment(name)) or "").casefold() for c in members} - {""}
        for name, members in groups.items()
    }
    wanted_people = sorted(set().union(*managers_of.values()))
    passwords = any(blueprint.for_segment(name).link.password for name in groups)
    portal_wide = 2 + invites + passwords  # rooms by tag, the account, the settings read
    background = ThreadPoolExecutor(
        max_workers=portal_wide + min(PEOPLE_AT_ONCE, len(wanted_people)), thread_name_prefix="plan-reads"
    )
    found = background.submit(rooms_by_tags, client, chunks, read)
    account = background.submit(read, client.me)
    guests = background.submit(guests_allowed, client, read) if invites else None
    policy = background.submit(password_policy, client, read) if passwords else None
    looking = {email: background.submit(_find_person, client, email, read) for email in wanted_people}
    try:
        reads = [1 + len(looking)]
        people: People = {}
        contents: dict[str, tuple[Folder | None, list[str], list[ResolvedTemplate]]] = {}

        def context_for(name: str) -> RunContext:
            bp = blueprint.for_segment(name)
            key = repr((bp.room_template, int(bp.room_type), [t.model_dump() for t in bp.templates]))
            if key not in contents:  # what fills the rooms: read once per distinct setting, not per segment
                if bp.room_template:
                    contents[key] = resolve_room_template(client, bp, reads, read)
                else:
                    contents[key] = (None, [], resolve_templates(client, bp, reads, read))
            template, template_folders, templates = contents[key]
            if policy is not None and bp.link.password:
                check_link_password(bp.link.password, policy.result(), name)
            emails = managers_of[name]
            me = account.result()
            for email in emails - people.keys():  # the key's own account needs no look-up
                people[email] = (me, "") if email == (me.email or "").casefold() else looking[email].result()
            managers = resolve_managers(bp, me, emails, people)
            return RunContext(
                portal_key=portal_key,
                blueprint=bp,
                me=me,
                templates=templates,
                managers=managers,
                segment=name,
                room_template=template,
                template_folders=template_folders,
            )

        ctx = context_for("")
        ctx.variants = {name: context_for(name) for name in groups if name}
        if guests is not None:
            ctx.guest_invites = guests.result()
            reads[0] += 1
        reads[0] += policy is not None
        for each in ctx.variants.values():  # the portal-wide parts: one object each, shared
            each.rooms_by_tag, each.hidden_rooms = ctx.rooms_by_tag, ctx.hidden_rooms
            each.untagged_rooms = ctx.untagged_rooms
            each.guest_invites = ctx.guest_invites
        rooms = found.result()
        reads[0] += len(chunks)
        wanted = {t.casefold() for t in tags}
        for room in rooms:
            for tag in room.tags:
                if tag.casefold() in wanted:
                    ctx.rooms_by_tag.setdefault(tag.casefold(), []).append(room)
        # Every look-up sent is answered before the plan is (the key owner's own one is taken by
        # nobody): its read is counted, and nothing of the plan's is still on the wire.
        futures.wait(looking.values())
    except BaseException:
        background.shutdown(wait=False, cancel_futures=True)  # a failed plan sends nothing more
        raise
    background.shutdown(wait=False)
    ctx.reads_spent = reads[0]
    return ctx


def segment_groups(blueprint: Blueprint, clients: Sequence[ClientLike]) -> dict[str, list[ClientLike]]:
    """The batch's clients by segment (a client whose cell names no segment is left out: its plan
    says why); the default's group is always there."""
    groups: dict[str, list[ClientLike]] = {"": []}
    for c in clients:
        try:
            name, _ = blueprint.choose(c.extra)
        except UnknownSegment:
            continue
        groups.setdefault(name, []).append(c)
    return groups


def manager_email(c: ClientLike, blueprint: Blueprint) -> str | None:
    return c.manager_email or blueprint.default_manager_email or None


def guests_allowed(client: DocSpaceClient, read: Reader = direct) -> bool:
    """The portal's ``AllowInvitingGuests``; True when it cannot be read (the share call decides).

    With it off, ``VirtualRoomsController.SetRoomSecurity`` refuses the whole share request (403)
    when any invitation has an e-mail, even an existing user's: the plan says so before any write.
    """
    try:
        settings = read(client.invitation_settings)
    except (NotFound, Forbidden, BadRequest):
        return True
    return bool(settings.allow_inviting_guests)


def password_policy(client: DocSpaceClient, read: Reader = direct) -> PasswordPolicy | None:
    """The portal's password policy, or None when this key may not read it (the link call decides)."""
    try:
        return read(client.password_policy)
    except (NotFound, Forbidden, BadRequest):
        return None


def check_link_password(password: str, policy: PasswordPolicy | None, segment: str = "") -> None:
    """Refuse a plan whose link password the portal would refuse for every client.

    ``FileSharing.SetAceObjectAsync`` checks an external link's password against the portal's
    password policy (``PasswordSettingsManager.CheckPassword``): a stricter policy than DocSpace's
    default (8 characters, nothing else) would fail each client at the link step, after its room,
    folders, files and invitations were made.
    """
    if policy is None or policy.accepts(password):
        return
    whose = f"segment {segment!r}'s blueprint" if segment else "the blueprint"
    raise ConfigError(
        f"the link password of {whose} does not meet this portal's password policy, which asks for "
        f"{policy.requirements()}: change it in Settings > Blueprint (or relax the policy in DocSpace, "
        "Settings > Security > Password strength); nothing was written"
    )


def find_hidden_rooms(
    client: DocSpaceClient, ctx: RunContext, records: Mapping[str, ClientRecord], read: Reader = direct
) -> None:
    """Note the journal's rooms the tag look-up did not return because the key may not see them.

    A room admin sees only rooms they created or were invited to (``FileSecurity.GetVirtualRoomsAsync``
    → ``GetVirtualRoomsForMeAsync``); a room made with another key is then missing from the look-up,
    and making a new one would duplicate it. One read per such record (a deleted room reads 404).
    """
    found = {room.id for rooms in ctx.rooms_by_tag.values() for room in rooms}
    for client_id, rec in records.items():
        room_id = rec.room_id
        if not room_id or room_id in found or rec.status == ClientStatus.ARCHIVED:
            continue
        ctx.reads_spent += 1
        try:
            room: Folder = read(functools.partial(client.get_room, int(room_id)))
        except Forbidden:
            ctx.hidden_rooms[client_id] = int(room_id)
            continue
        except NotFound:
            continue
        if not room.archived:  # the tag look-up did not return it: someone took the tag off
            ctx.untagged_rooms[client_id] = room
