"""Two runs, one client, no shared journal: how every run ends in the same single room.

Two people onboarding the same spreadsheet from their own machines each keep their own journal,
and the portal refuses neither a second room with the same tag nor a second folder with the same
title. So the runs agree through the portal alone, by one deterministic rule that needs nothing
from the other run (which may be killed and never come back):

* **the lowest active room id carrying the client's tag wins.** A run that created a room looks
  up the tag before its first write into it (:class:`~onboarding.workflow.steps.room.RoomStep`);
  when another room with a lower id is there, it archives its own (still empty) room and fills
  the winner instead, looking before it creates. Verification looks again
  (:class:`~onboarding.workflow.steps.verify.VerifyStep`), since a lower id can still appear
  (a create whose answer was lost), and moves the client the same way if it must.
* **in a room that several runs filled, the lowest id of each title wins.** Two runs filling one
  room at the same moment can both find a folder missing and both create it; at verification a
  run that sees a trace of a second run — another room with the client's tag (active or
  archived), or :data:`SHARED_TAG` on the room (put there by a run that found the room by its
  tag, right before its first new item there: :func:`mark_shared`) — lists the room's contents
  and deletes the newer copy of each expected item. Whichever run verifies last sees both
  copies, so the room ends with each folder and file once. Links have no order: the room's
  creator yields its external link to another run's (:func:`yield_link`).
* A run archives only rooms that are its own or empty (a killed run's leftover); a filled room of
  another run is that run's to archive, and until it does, ``plan`` shows the client as ``repair``.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING

from onboarding.docspace import FileShare, LinkRequest, LinkType
from onboarding.errors import DocSpaceError, NotFound
from onboarding.titles import MAX_ITEM_TITLE_LENGTH, portal_title
from onboarding.workflow import links
from onboarding.workflow.status import Outcome, Step

if TYPE_CHECKING:
    from onboarding.docspace import Folder
    from onboarding.workflow.steps.base import StepContext

SHARED_TAG = "onboarding:shared"
"""Marks a room that a run fills without having created it (its plan found it by the client's
tag): the run that created it may be filling it too, and seeing this tag at verification it
looks for copies of both."""
SHARED = "shared"
"""In the room's progress entry: the room carries :data:`SHARED_TAG` or needs none (see
:func:`mark_shared`)."""

FILL_STEPS = (Step.FOLDERS, Step.FILES, Step.ACCESS, Step.LINK)
"""Steps whose work lives in the room: a client moved to another room does them again there."""


def winner(rooms: list[Folder]) -> Folder | None:
    """The room every run keeps: the lowest id among the active ones."""
    active = [r for r in rooms if not r.archived]
    return min(active, key=lambda r: r.id) if active else None


def is_empty(room: Folder) -> bool:
    return not room.files_count and not room.folders_count


def archive(ctx: StepContext, step: Step, room_id: int, why: str) -> None:
    """Move a losing room to the Archive (never deleted: its contents stay reachable)."""
    try:
        op = ctx.caller.write(functools.partial(ctx.api.archive_room, room_id), what="archive duplicate room")
        ctx.api.wait_operation(op, read=ctx.caller.read)
    except DocSpaceError:  # archived by the other run meanwhile: fine if it is gone from the actives
        if not _archived_now(ctx, room_id):
            raise
    ctx.emit(step, Outcome.DONE, f"archived room {room_id}: {why}")


def move_to(ctx: StepContext, room: Folder, step: Step) -> None:
    """Point the client at ``room`` (journal first), forgetting what was done in the room it leaves.

    The room's work is done again in the winner, looking before creating (the room counts as found
    by its tag, so each fill step looks first).
    """
    for name in FILL_STEPS:
        ctx.progress.pop(name, None)
    ctx.room_id = room.id
    ctx.room_fresh = False
    ctx.confirmed, ctx.link_seen, ctx.listings = [], None, {}
    # The room we leave is archived with the client's tag on it: the trace that makes the winner's
    # run look for copies at its verification, so this room needs no mark (SHARED).
    ctx.progress[Step.ROOM] = {"id": room.id, "title": room.title, "found_by_tag": True, SHARED: True}
    ctx.save(step, room_id=room.id, room_title=room.title)


def mark_shared(ctx: StepContext, step: Step) -> bool:
    """Before this run's first new item in a room it found by the client's tag: tag it shared.

    The room's creator may still be filling it (its folders made, its files being copied), and a
    run that found it cannot know. Either run may verify last; with the mark on the room before
    our first item exists, whichever does sees the mark and both runs' copies. A found room this
    run adds nothing to (all there) is left unmarked: there is nothing of ours to be a copy.
    True when the room is one another run may be filling (a look just before a write helps).
    """
    room = ctx.progress.get(Step.ROOM) or {}
    if ctx.room_fresh or not room.get("found_by_tag"):
        return False
    if room.get(SHARED):
        return True
    rid = ctx.room
    try:
        ctx.caller.write(lambda: ctx.api.add_room_tags(rid, [SHARED_TAG]), what="mark shared room")
    except DocSpaceError as exc:  # the fill's own writes meet (and report) the same refusal
        ctx.emit(step, Outcome.RETRY, f"room {rid} not marked shared: {exc}")
    room[SHARED] = True
    return True


def settle_losers(ctx: StepContext, rooms: list[Folder], keep: Folder, *, own: set[int]) -> list[int]:
    """Archive the active rooms that lose to ``keep`` and are ours (``own``) or empty."""
    archived = []
    for room in sorted(rooms, key=lambda r: r.id):
        if room.id == keep.id or room.archived or not (room.id in own or is_empty(room)):
            continue
        archive(ctx, Step.VERIFY, room.id, f"a duplicate of room {keep.id} (the lowest id wins)")
        archived.append(room.id)
    return archived


def _archived_now(ctx: StepContext, room_id: int) -> bool:
    try:
        return ctx.caller.read(lambda: ctx.api.get_room(room_id), what="check room").archived
    except NotFound:
        return True


def dedupe_contents(ctx: StepContext) -> tuple[int, bool]:
    """Delete the newer copies of the room's expected folders and files; (deleted, all present).

    The kept ids go into the client's progress (the oldest copy wins, as the contents step's
    look-up does). ``all present`` is False when an expected item is missing (its only copy was
    inside a folder that lost): the caller fills the room again.
    """
    room = ctx.room
    deleted = 0
    kept_folders: dict[str, int] = {}
    _, folders = ctx.listing(room, refresh=True)
    for name in ctx.batch.room_folders:
        title = portal_title(name, MAX_ITEM_TITLE_LENGTH)
        same = sorted(f.id for f in folders if f.title == title)
        if same:
            kept_folders[name] = same[0]
        deleted += _delete(ctx, room, same[1:], folder=True)
    kept_files: dict[str, int] = {}
    for tpl in ctx.batch.templates:
        parent = kept_folders.get(tpl.folder, room) if tpl.folder else room
        if tpl.folder and tpl.folder not in kept_folders:
            continue
        files, _ = ctx.listing(parent, refresh=parent != room)
        same = sorted(f.id for f in files if f.title == tpl.dest_title)
        if same:
            kept_files[f"{tpl.folder}/{tpl.dest_title}"] = same[0]
        deleted += _delete(ctx, parent, same[1:], folder=False)
    complete = len(kept_folders) == len(ctx.batch.room_folders) and len(kept_files) == len(
        ctx.batch.templates
    )
    ctx.progress[Step.FOLDERS] = kept_folders
    ctx.progress[Step.FILES] = kept_files
    if not complete:
        ctx.progress.pop(Step.FILES, None)
    return deleted, complete


def _delete(ctx: StepContext, parent: int, ids: list[int], *, folder: bool) -> int:
    """Delete each duplicate, confirmed on the parent's listing; one the other run deleted is fine.

    Both runs use one key, so one user's queue of deletes: the answer to a delete lists the whole
    queue, the other run's operations first when older, and the other run's reads may dequeue
    ours (:mod:`onboarding.docspace.operations`). So the run waits for every operation the
    answer lists, ours among them, without taking any one's error for its own, and a copy counts
    as deleted only once the listing no longer shows it; one still there is deleted again.
    """
    api = ctx.api
    kind = "folder" if folder else "file"
    for item in ids:
        call = functools.partial(api.delete_folder if folder else api.delete_file, item)
        for _try in range(DELETE_TRIES):
            try:
                ops = ctx.caller.write(call, what="delete duplicate")
                api.settle_operations(ops, read=ctx.caller.read)
            except NotFound:
                pass  # deleted by the other run (confirmed below)
            except DocSpaceError:  # the other run's delete of the same copy may be under way
                if not _gone(ctx, parent, item, folder=folder, waits=PATIENCE):
                    raise
                break
            if _gone(ctx, parent, item, folder=folder):
                break
        else:
            raise DocSpaceError(f"duplicate {kind} {item} is still listed after {DELETE_TRIES} deletes")
        ctx.emit(Step.VERIFY, Outcome.DONE, f"deleted duplicate {kind} {item} (a concurrent run's copy)")
    return len(ids)


DELETE_TRIES = 3
"""Deletes of one duplicate before the run gives up on it (the client then fails, visibly)."""
PATIENCE = (0.0, 0.2, 0.5, 1.0, 2.0)
"""Pauses before each look when the portal refused our delete (another may be under way)."""


def _gone(
    ctx: StepContext, parent: int, item: int, *, folder: bool, waits: tuple[float, ...] = (0.0,)
) -> bool:
    """True once ``item`` (or its parent) is no longer listed, looking after each of ``waits``.

    After our delete's queue has settled one look is enough: our operation has run. When the
    portal refused the delete, the other run's delete of the same copy may still be running.
    """
    for wait in waits:
        if wait:
            time.sleep(wait)
        try:
            files, folders = ctx.listing(parent, refresh=True)
        except NotFound:
            return True
        if all(f.id != item for f in (folders if folder else files)):
            return True
    return False


def yield_link(ctx: StepContext) -> str:
    """In a room this run created, another run's external link with the client's title wins.

    A run that found the room looks for the client's link before making one; the room's creator
    does not (nothing of anyone's was there), so both may make one. The creator's run yields: it
    takes the other link (journal first) and deletes its own, which no one else has recorded. A
    run that found the room never deletes a link: the other run may have finished with it. An
    invitation link is one per room (the portal refuses a second); a primary link is updated in
    place. Returns a note for the step's detail ("" when nothing changed).
    """
    from onboarding.workflow.steps.link import record_link  # steps import this module

    bp, rid = ctx.blueprint, ctx.room
    if not bp.link.enabled or bp.link_type != LinkType.EXTERNAL or bp.uses_primary_link:
        return ""
    ours = (ctx.progress.get(Step.LINK) or {}).get("id")
    if ours is None or (ctx.progress.get(Step.ROOM) or {}).get("found_by_tag"):
        return ""
    title = ctx.plan.link_title
    on_room = ctx.caller.read(lambda: ctx.api.room_links(rid), what="verify link")
    other = next(
        (
            lk
            for lk in on_room
            if lk.link_type == LinkType.EXTERNAL
            and lk.shared_link.title == title
            and lk.shared_link.id != ours
            and not links.link_outdated(bp, lk)
        ),
        None,
    )
    if other is None:
        return ""
    record_link(ctx, other, Step.VERIFY)
    revoke = LinkRequest(link_type=LinkType.EXTERNAL, access=FileShare.NONE, title=title, link_id=ours)
    ctx.caller.write(lambda: ctx.api.set_room_link(rid, revoke), what="delete duplicate link")
    ctx.emit(Step.VERIFY, Outcome.DONE, f"deleted duplicate link {ours} (another run's link is the client's)")
    return "; kept another run's link"
