"""Offboarding and restore: a client's access removed and its room archived, and back again.

Both are journal runs (kinds ``offboard`` and ``restore``) with events per step, so the history
shows them and an interrupted one is simply run again: removing access and archiving look first
(a member already gone, a room already archived cost no write), and restore hands the access and
the link back to the onboarding steps (reopened in the progress document), which look before
they write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from onboarding.blueprint import Blueprint
from onboarding.docspace import FileShare, Invitation, Link, LinkRequest, LinkType, Member, RoomType
from onboarding.errors import ConfigError, DocSpaceError, RunLocked
from onboarding.journal import ClientRecord
from onboarding.segments import UnknownSegment
from onboarding.workflow.audit import reopen
from onboarding.workflow.rollback import archive_room, find_client_room
from onboarding.workflow.status import ClientStatus, Outcome, RunStatus, Step
from onboarding.workflow.steps import room_web_url

if TYPE_CHECKING:
    from onboarding.workflow.calls import Caller
    from onboarding.workflow.engine import Engine, RunResult


RERUN_KIND = "rerun"
"""The journal's kind of a run that a repair or a restore makes (steps run again, not a batch)."""
CYCLE = "cycle"
"""Progress key: how many times the client was restored from the Archive or an offboard (its
webhook events are keyed by it, so a repeated offboard or restore tells the CRM once, and a second
offboard after a restore is news again); ``0``: never, and ``client.restored`` is not sent."""


OFFBOARDING = "offboarding"
"""Progress key: the run id of an offboard that began (kept in the journal before its first write,
with the status ``offboarded`` and an error saying it is unfinished) and has not ended. While it is
there, plan and run block the client with how to finish it, and audit, repair, renew and a run
never give its access back (they take onboarded clients only); ``offboard`` again finishes it,
``restore`` undoes it."""


def cycle(rec: ClientRecord) -> str:
    return str(rec.progress.get(CYCLE, 0))


def offboard_unfinished(rec: ClientRecord | None) -> bool:
    """True when an offboard of the client began and did not finish (killed, or a call failed)."""
    return rec is not None and bool(rec.progress.get(OFFBOARDING))


def unfinished_offboard(client_id: str) -> str:
    """What to do about an offboard that did not finish, in the plan's and the journal's words."""
    return (
        f"its offboard began and did not finish (access may be left in its room): run "
        f"`docspace-onboard offboard {client_id}` again to finish it (or `restore {client_id}` to undo it)"
    )


def _journalled(
    engine: Engine, client_id: str, kind: Step, work: Callable[[str, ClientRecord | None], str]
) -> str:
    """Run ``work(run_id, record)`` as one claimed journal run of ``kind`` with its events."""
    journal, portal = engine.journal, engine.portal_key
    if not journal.claim(portal, client_id, engine.owner):
        raise RunLocked(f"client {client_id!r} is being worked on by another run right now")
    run_id = journal.start_run(
        portal=portal, actor=engine.actor, owner=engine.owner, total=1, blueprint={}, kind=str(kind)
    )
    try:
        journal.add_event(run_id, portal, client_id, kind, Outcome.STARTED, "")
        detail = work(run_id, journal.get(portal, client_id))
        journal.add_event(run_id, portal, client_id, kind, Outcome.DONE, detail)
        journal.finish_run(run_id, RunStatus.FINISHED, {str(kind): client_id})
        return run_id
    except Exception as exc:
        journal.add_event(run_id, portal, client_id, kind, Outcome.FAILED, str(exc))
        journal.finish_run(run_id, RunStatus.FAILED, {"error": str(exc)})
        raise
    finally:
        journal.release(portal, client_id, engine.owner)


def access_left(engine: Engine, caller: Caller, room_id: int) -> tuple[list[Invitation], list[Link]]:
    """What offboarding still has to take away (reads only; both lists are readable in the Archive):
    every member but the owner and the key's account, and every group shared with the room (as
    ``None`` invitations: a group goes by its id, which ``FileSharingAceHelper.SetAceObjectAsync``
    finds with ``GetGroupInfoAsync``), and every link."""
    api = engine.client
    me = caller.read(api.me, what="me")
    members = caller.read(lambda: api.room_members(room_id), what="members")
    gone = [
        Invitation(access=FileShare.NONE, user_id=m.user.id)
        for m in members
        if m.user is not None and not m.is_owner and m.user.id != me.id
    ]
    gone += [
        Invitation(access=FileShare.NONE, user_id=m.group_id)
        for m in members
        if m.user is None and m.group_id
    ]
    return gone, caller.read(lambda: api.room_links(room_id), what="links")


def _named(m: Member) -> str:
    return (m.user.email or m.user.id) if m.user is not None else m.group_label


def _share_refused(room_id: int, message: str) -> DocSpaceError:
    """A share answer of 200 that did not do what was asked, as an error naming the call."""
    return DocSpaceError(message, method="PUT", path=f"/api/2.0/files/rooms/{room_id}/share", status=200)


def remove_access(
    engine: Engine, caller: Caller, room_id: int, left: tuple[list[Invitation], list[Link]]
) -> str:
    """Every member of ``left`` set to None and every link of it deleted (the room must be active)."""
    api = engine.client
    gone, on_room = left
    if gone:
        result = caller.write(lambda: api.share_room(room_id, gone), what="remove members")
        if result.blocked_by_form_roles:
            raise _share_refused(
                room_id,
                f"the portal removed nobody from room {room_id}: a member holds form roles in it "
                "(a Virtual data room keeps them until they are taken away or the removal is "
                "confirmed in DocSpace); remove them in DocSpace, then run offboard again",
            )
        # The answer lists the request's ids that still have access: a removal the portal dropped
        # (a room admin may not act on guests it cannot see: SetRoomSecurity keeps only invitations
        # CanUserViewAnotherUserAsync allows, unless the caller made the room).
        ids = {inv.user_id for inv in gone}
        still = [_named(m) for m in result.members if m.access and m.subject_id in ids]
        if still:
            raise _share_refused(
                room_id,
                f"the portal did not remove {', '.join(still)} from room {room_id} (the API key's "
                "account may not change their access): offboard with a key of the room's owner or "
                "a DocSpace admin",
            )
    for link in on_room:
        # PUT links with the link's id and access None deletes it (RoomLinkRequest, as the web client).
        req = LinkRequest(
            link_type=LinkType(link.link_type),
            access=FileShare.NONE,
            link_id=link.shared_link.id,
            title=link.shared_link.title or None,
        )
        caller.write(functools.partial(api.set_room_link, room_id, req), what="delete link")
    return f"removed {len(gone)} member(s) and {len(on_room)} link(s)"


def offboard(engine: Engine, caller: Caller, client_id: str, *, wait_timeout: float = 120.0) -> str:
    """Remove the client's access, then archive its room; returns the run id.

    The room may be in the Archive already (``archive``, or a person in DocSpace) with its members
    and links intact: DocSpace refuses to change sharing there (``FileSecurity.FilterEntryAsync``,
    ``case FolderType.Archive``: only Read, Delete, ReadHistory, Copy, Move, Download, ReadLinks and
    IndexExport are granted, so no EditAccess for ``FileSharingAceHelper`` / ``FileSharing.
    CanSetAccessAsync``), so such a room is taken out of the Archive, emptied, and archived again.
    """

    def work(run_id: str, rec: ClientRecord | None) -> str:
        api, journal, portal = engine.client, engine.journal, engine.portal_key
        rid = find_client_room(api, caller, engine.blueprint, client_id, rec)
        # The intent goes to the journal before the first write: a run that dies half way leaves a
        # client that plan, run and repair treat as being offboarded, never as onboarded.
        progress = dict(rec.progress) if rec else {}
        progress.pop("offboarded", None)
        progress[OFFBOARDING] = run_id
        journal.upsert_client(
            portal, client_id, status=ClientStatus.OFFBOARDED, room_id=rid, run_id=run_id,
            error=unfinished_offboard(client_id), progress=progress,
        )  # fmt: skip
        room = caller.read(lambda: api.get_room(rid), what="check room")
        left = access_left(engine, caller, rid)
        removed = "access was removed before"
        if left[0] or left[1]:
            if room.archived:
                op = caller.write(lambda: api.unarchive_room(rid), what="unarchive to remove access")
                api.wait_operation(op, timeout=wait_timeout, sleep=engine.sleep, read=caller.read)
            removed = remove_access(engine, caller, rid, left)
            journal.add_event(run_id, portal, client_id, Step.OFFBOARD, Outcome.DONE, removed)
        archive_room(api, caller, rid, wait_timeout=wait_timeout, sleep=engine.sleep)
        progress.pop(OFFBOARDING, None)
        progress["offboarded"] = True
        journal.upsert_client(
            portal, client_id, status=ClientStatus.OFFBOARDED, room_id=rid, run_id=run_id, error="",
            room_url=room_web_url(api.base_url, rid, archived=True), link_url="", link_expires="",
            progress=progress,
        )  # fmt: skip
        return f"room {rid} archived; {removed}"

    return _journalled(engine, client_id, Step.OFFBOARD, work)


def unarchive(engine: Engine, caller: Caller, client_id: str, *, wait_timeout: float = 120.0) -> str:
    """The first half of restore: the room back among the Rooms, the steps reopened; returns the run id."""

    def work(run_id: str, rec: ClientRecord | None) -> str:
        api, journal, portal = engine.client, engine.journal, engine.portal_key
        rid = find_client_room(api, caller, engine.blueprint, client_id, rec)
        room = caller.read(lambda: api.get_room(rid), what="check room")
        refuse_other_room_type(engine.blueprint, rec, room.id, room.room_type)
        # Something to restore: the room is archived, or the journal has the client offboarded or
        # rolled back. Restoring an active, onboarded room again is news to nobody: same cycle.
        out = room.archived or (
            rec is not None and rec.status in (ClientStatus.OFFBOARDED, ClientStatus.ARCHIVED)
        )
        if room.archived:
            op = caller.write(lambda: api.unarchive_room(rid), what="unarchive")
            api.wait_operation(op, timeout=wait_timeout, sleep=engine.sleep, read=caller.read)
        progress = reopen(rec.progress if rec else {}, [Step.ACCESS, Step.LINK])
        progress.pop("offboarded", None)
        progress.pop(OFFBOARDING, None)  # an unfinished offboard is undone by the restore
        if out:
            progress[CYCLE] = int(progress.get(CYCLE, 0)) + 1
        journal.upsert_client(
            portal, client_id, status=ClientStatus.PENDING, room_id=rid, run_id=run_id,
            room_url=room_web_url(api.base_url, rid), progress=progress,
        )  # fmt: skip
        return f"room {rid} unarchived; access and link are made again per the blueprint"

    return _journalled(engine, client_id, Step.RESTORE, work)


def refuse_other_room_type(
    blueprint: Blueprint, rec: ClientRecord | None, room_id: int, room_type: int | None
) -> None:
    """Before a restore's first write: a room of another type than the client's blueprint makes
    cannot be finished (DocSpace cannot change a room's type, and the plan would call it a
    conflict), so it is left in the Archive rather than unarchived and then left half restored."""
    try:
        _, bp = blueprint.choose(rec.extra if rec else None)
    except UnknownSegment:
        return  # the rerun's plan says what is wrong with the segment
    if room_type is None or room_type == int(bp.room_type):
        return
    raise ConfigError(
        f"its room {room_id} is a {RoomType.label_of(room_type)}, but the blueprint makes {bp.room_type.label}s, and DocSpace "
        "cannot change a room's type: restore with the blueprint the client was onboarded with "
        "(--blueprint FILE, or Settings > Blueprint); nothing was changed"
    )


def rerun(engine: Engine, records: list[ClientRecord]) -> RunResult:
    """Run the onboarding steps again for journalled clients (their reopened steps run, looking first).

    The journal calls it a ``rerun``: a repair or a restore, not a batch that onboards clients."""
    return engine.run(list(records), kind=RERUN_KIND)
