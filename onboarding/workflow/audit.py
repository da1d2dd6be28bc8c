"""Drift: a client's room as the portal shows it, compared with the journal and the blueprint.

Pure comparisons over what :mod:`onboarding.workflow.aftercare` read (the room, its root listing,
the listings of folders that hold template copies, its members and its links), so the rules of
"what counts as a difference" are read in one place. Each difference has a stable ``item`` name
(``folder Invoices``, ``member anna@…``, ``link``) that ``audit --accept ID:ITEM`` refers to.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from onboarding.blueprint import Blueprint
from onboarding.docspace import File, FileShare, Folder, Link, Member
from onboarding.journal import ClientRecord
from onboarding.workflow import links
from onboarding.workflow.status import Step
from onboarding.workflow.steps.room import TEMPLATE_COMPLETE

TemplateContents = tuple[list[str], list[str]]
"""A room template's folders and its files as ``folder/title`` keys: what a room made from it holds."""

ROOM_ITEMS = ("room", "room archived", "room visible", "room type", "title", "tag")
"""Differences ``repair`` does not change: the room itself (an archived room waits for ``restore``)."""
NOT_A_MEMBER = "not a member"
"""What an audit expects of a member the blueprint does not invite (see :func:`extra_members`)."""


@dataclass(frozen=True)
class Difference:
    """One thing that is not as the journal and the blueprint say."""

    item: str
    expected: str
    found: str

    def as_dict(self) -> dict[str, str]:
        return {"item": self.item, "expected": self.expected, "found": self.found}

    @property
    def is_extra(self) -> bool:
        """An extra member or group: repair leaves it (removing people is a person's decision)."""
        return self.expected == NOT_A_MEMBER

    @property
    def accept_key(self) -> str:
        """What accepting this difference stores: for a person or group, the access found, and
        whether they were an outsider (``extra member eve@… (Viewer (read-only))``). Accepting
        that Eve can read a room must not hide her being raised to Room manager later, nor her
        missing access once she becomes the account manager; and accepting the manager's other
        access must not hide her staying in the room after a hand-over."""
        if not self.item.startswith(("member ", "group ")):
            return self.item
        return f"{'extra ' if self.is_extra else ''}{self.item} ({self.found})"


@dataclass
class ClientAudit:
    """One client's differences (empty: its room matches)."""

    client_id: str
    differences: list[Difference] = field(default_factory=list)
    accepted: list[Difference] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "differences": [d.as_dict() for d in self.differences]}


@dataclass
class RoomView:
    """What the portal showed of one client's room (``None`` fields were not read)."""

    room: Folder | None
    root: tuple[list[File], list[Folder]] | None = None
    folders: dict[int, list[File]] = field(default_factory=dict)
    members: list[Member] | None = None
    links: list[Link] | None = None


ITEMS = (
    *ROOM_ITEMS,
    "link",
    "link kind",
    "link access",
    "link expiry",
    "link internal",
)
"""Audit items without a name in them; the others are ``folder NAME``, ``file KEY``, ``member EMAIL``
and ``group NAME``."""
_NAMED = ("folder", "file", "member", "group")


def normalise_item(item: str) -> str:
    """An item as the audit names it (``audit --accept C-1:"member Eve@X.org"`` → ``member
    eve@x.org``), so an accepted item matches what later audits report; anything that is not an
    audit item is refused with the list, rather than stored and silently never matched."""
    text = " ".join(item.split())
    if text.casefold() in ITEMS:
        return text.casefold()
    kind, _, name = item.strip().partition(" ")
    name = name.strip()
    if kind.casefold() in _NAMED and name:
        return f"member {name.casefold()}" if kind.casefold() == "member" else f"{kind.casefold()} {name}"
    raise ValueError(
        f"{item.strip()!r} is not an audit item: use one the audit printed ({', '.join(ITEMS)}, "
        "or folder NAME, file FOLDER/TITLE, member EMAIL, group NAME)"
    )


def hidden_room(user_type: str) -> Difference:
    """The room the journal names is there but the key's account may not read it: a room admin
    sees only rooms it made or was invited to (``FileSecurity.GetVirtualRoomsAsync``); the audit
    says so for that client and goes on with the others."""
    return Difference(
        "room visible",  # not "room": accepting it must not hide the room's being deleted later
        "readable by the API key's account",
        f"not visible to it ({user_type}): add the account to the room as Room manager, or audit "
        "with an admin's key",
    )


def room_differences(rec: ClientRecord, bp: Blueprint, room: Folder | None) -> list[Difference]:
    """The room itself: exists, active, type, title, tag."""
    if room is None:
        return [Difference("room", f"room {rec.room_id}", "missing")]
    out = []
    if room.archived:
        out.append(Difference("room archived", "active", "archived"))
    if room.room_type is not None and room.room_type != int(bp.room_type):
        out.append(Difference("room type", bp.room_type.name.lower(), str(room.room_type)))
    if rec.room_title and room.title != rec.room_title:
        out.append(Difference("title", rec.room_title, room.title))
    if rec.tag and rec.tag.casefold() not in {t.casefold() for t in room.tags}:
        out.append(Difference("tag", rec.tag, ", ".join(room.tags) or "none"))
    return out


def content_differences(
    rec: ClientRecord, bp: Blueprint, view: RoomView, template: TemplateContents | None = None
) -> list[Difference]:
    """Each blueprint folder at the room's root, and each template copy the journal made; for a
    room made from a room template, the template's folders and files (``template``) instead."""
    if view.root is None:
        return []
    root_files, root_folders = view.root
    by_title = {f.title: f for f in sorted(root_folders, key=lambda f: -f.id)}
    folders = template[0] if template is not None else bp.folders
    out = [Difference(f"folder {name}", "present", "missing") for name in folders if name not in by_title]
    made: Collection[str] = template[1] if template is not None else rec.progress.get(Step.FILES) or {}
    for key in made:
        folder, _, title = key.partition("/")
        where = by_title.get(folder) if folder else None
        if folder and where is None:
            found: Sequence[File] = []
        elif where is not None:
            found = view.folders.get(where.id, [])
        else:
            found = root_files
        if title not in {f.title for f in found}:
            out.append(Difference(f"file {key}", "present", "missing"))
    return out


def expected_members(rec: ClientRecord, bp: Blueprint, me_email: str) -> dict[str, set[int]]:
    """E-mail -> the access values it may have (the manager's depends on the account's type)."""
    out: dict[str, set[int]] = {}
    manager = (rec.manager_email or bp.default_manager_email or "").casefold()
    if manager and manager != me_email.casefold():
        out[manager] = {int(bp.manager_role), int(bp.manager_fallback_role)}
    email = (rec.email or "").casefold()
    if bp.invite_client and email and email not in (manager, me_email.casefold()):
        out[email] = {int(bp.client_role)}
    return out


def member_differences(
    rec: ClientRecord, bp: Blueprint, members: list[Member], me_email: str
) -> list[Difference]:
    """Each expected member missing or with other access, then each extra member (see below)."""
    have = {(m.user.email or "").casefold(): m.access for m in members if m.user is not None}
    expected = expected_members(rec, bp, me_email)
    out = []
    for email, roles in expected.items():
        want = " or ".join(sorted({FileShare(r).label for r in roles}))
        if email not in have:
            out.append(Difference(f"member {email}", want, NOT_A_MEMBER))
        elif have[email] not in roles:
            out.append(Difference(f"member {email}", want, FileShare(have[email]).label))
    return out + extra_members(bp, members, set(expected) | {me_email.casefold()})


def extra_members(bp: Blueprint, members: list[Member], expected: set[str]) -> list[Difference]:
    """People and groups with access the blueprint does not give: who else can read the client's
    documents. The room's owner, the blueprint's ``known_members`` and removed entries (access
    None) are not reported; a group is (``group NAME``), since all its members can read the room.
    """
    out = []
    for m in members:
        if m.is_owner or m.access == int(FileShare.NONE) or m.shared_link is not None:
            continue
        label = _access_label(m.access)
        if m.user is not None:
            email = (m.user.email or "").casefold()
            if email and email not in expected and not bp.is_known_member(email):
                out.append(Difference(f"member {email}", NOT_A_MEMBER, label))
        elif m.shared_to_group is not None:
            out.append(Difference(m.group_label, NOT_A_MEMBER, label))
    return out


def _access_label(access: int) -> str:
    try:
        return FileShare(access).label
    except ValueError:  # an access value newer than our enum: shown as the number
        return f"access {access}"


def link_differences(rec: ClientRecord, bp: Blueprint, on_room: list[Link]) -> list[Difference]:
    """The client link the journal recorded: on the room, with the blueprint's kind, access, expiry."""
    if not bp.link.enabled:
        return []
    recorded = (rec.progress.get(Step.LINK) or {}).get("id")
    ours = [lk for lk in on_room if lk.shared_link.id == recorded]
    if not ours:
        return [Difference("link", rec.link_url or "the client link", "none")]
    link, out = ours[0], []
    if link.link_type != int(bp.link_type):
        out.append(Difference("link kind", bp.link_kind, str(link.link_type)))
    if link.access != int(bp.link.access):
        out.append(Difference("link access", bp.link.access.label, FileShare(link.access).label))
    info = link.shared_link
    if info.is_expired or links.date_passed(info.expiration_date):
        out.append(Difference("link expiry", "not expired", info.expiration_date or "expired"))
    elif bp.link.expires_in_days and not info.expiration_date:
        out.append(Difference("link expiry", f"within {bp.link.expires_in_days} days", "never"))
    if info.internal:
        out.append(Difference("link internal", "public", "internal"))
    return out


def compare(
    rec: ClientRecord, bp: Blueprint, view: RoomView, me_email: str, template: TemplateContents | None = None
) -> ClientAudit:
    """Every difference of one client, split into reported and accepted."""
    diffs = room_differences(rec, bp, view.room)
    diffs += content_differences(rec, bp, view, template)
    if view.members is not None:
        diffs += member_differences(rec, bp, view.members, me_email)
    if view.links is not None:
        diffs += link_differences(rec, bp, view.links)
    accepted = set(rec.accepted)
    taken = [d for d in diffs if d.accept_key in accepted or _legacy_key(d) in accepted]
    return ClientAudit(rec.client_id, [d for d in diffs if d not in taken], taken)


def _legacy_key(d: Difference) -> str | None:
    """How a person or group was accepted before the key named the access found (``member X``):
    still honoured, and rewritten by the audit to the key of what it finds now (:func:`upgraded`),
    so a later change of that access is reported again."""
    return d.item if d.item.startswith(("member ", "group ")) else None


def upgraded(accepted: Sequence[str], audit: ClientAudit) -> list[str]:
    """``accepted`` with each legacy key an audit matched replaced by that difference's key."""
    legacy = {key: d.accept_key for d in audit.accepted if (key := _legacy_key(d)) in accepted}
    out = [legacy.get(key, key) for key in accepted]
    return list(dict.fromkeys(out))


def steps_to_redo(differences: Sequence[Difference]) -> list[Step]:
    """The onboarding steps that restore these differences (none for the room itself)."""
    redo: list[Step] = []
    for d in differences:
        if d.item.startswith("folder "):
            redo += [Step.FOLDERS, Step.FILES]
        elif d.item.startswith("file "):
            redo.append(Step.FILES)
        elif d.item.startswith("member "):
            redo.append(Step.ACCESS)
        elif d.item.startswith("link"):
            redo.append(Step.LINK)
    return list(dict.fromkeys(redo))


def reopen(progress: dict[str, Any], steps: Sequence[Step]) -> dict[str, Any]:
    """A progress document in which these steps run again, looking first (their writes may exist)."""
    out = dict(progress)
    for step in steps:
        out.pop(step, None)
        out[f"{step}_started"] = True
    if {Step.FOLDERS, Step.FILES} & set(steps) and isinstance(out.get(Step.ROOM), dict):
        # a room its template job filled: the contents steps must look at it again, not skip it
        out[Step.ROOM] = {k: v for k, v in out[Step.ROOM].items() if k != TEMPLATE_COMPLETE}
    out.pop(Step.VERIFY, None)
    return out
