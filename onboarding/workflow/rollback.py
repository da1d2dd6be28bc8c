"""Rolling a client back: its room found (through the journal, else by its tag) and archived.

Archiving is DocSpace's own reversible removal: the room, its contents and its links stay, and
unarchiving restores them. The engine's :meth:`~onboarding.workflow.engine.Engine.archive`
claims the client and journals the roll-back; this module talks to the portal.
"""

from __future__ import annotations

from collections.abc import Callable

from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient, SearchArea
from onboarding.errors import ConfigError, DocSpaceError
from onboarding.journal import ClientRecord
from onboarding.workflow.calls import Caller
from onboarding.workflow.tag_rooms import carries_tag


def client_tag(blueprint: Blueprint, client_id: str, rec: ClientRecord | None) -> str:
    """The tag the client's room carries: the journal's, else the blueprint's for the id."""
    return rec.tag if rec and rec.tag else blueprint.render(blueprint.tag_pattern, {"client_id": client_id})


def tagged_room(api: DocSpaceClient, caller: Caller, tag: str) -> int | None:
    """The oldest active (or, failing that, any) room with the tag as written; None when no room
    has it. The portal's look-up ignores letter case, so ``client:cl-1002`` finds CL-1002's room:
    that room is another client's, not this id's (:func:`carries_tag`)."""
    found = caller.read(
        lambda: api.find_rooms_by_tags([tag], search_area=SearchArea.ANY), what="look up room"
    )
    rooms = [r for r in found if carries_tag(r, tag)]
    active = [r for r in rooms if not r.archived]
    return min(r.id for r in (active or rooms)) if rooms else None


def find_client_room(
    api: DocSpaceClient, caller: Caller, blueprint: Blueprint, client_id: str, rec: ClientRecord | None
) -> int:
    """The client's room: the journal's, else the oldest active (or, failing that, any) with its tag."""
    if rec is not None and rec.room_id is not None:
        return rec.room_id
    rid = tagged_room(api, caller, client_tag(blueprint, client_id, rec))
    if rid is None:  # the client never got a room (blocked, failed before it): nothing to act on
        status = f" (in the journal: {rec.status})" if rec is not None else ""
        raise ConfigError(f"client {client_id!r} has no room on the portal{status}")
    return rid


def archive_room(
    api: DocSpaceClient, caller: Caller, room_id: int, *, wait_timeout: float, sleep: Callable[[float], None]
) -> None:
    """Move the room to the Archive and wait for the portal's operation (nothing if it is there).

    The room is read again afterwards: an operation that ended unseen (no longer listed) or
    reported success is confirmed by where the room is, never assumed.
    """
    room = caller.read(lambda: api.get_room(room_id), what="check room")
    if not room.archived:
        op = caller.write(lambda: api.archive_room(room_id), what="archive")
        api.wait_operation(op, timeout=wait_timeout, sleep=sleep, read=caller.read)
        room = caller.read(lambda: api.get_room(room_id), what="confirm archive")
        if not room.archived:
            raise DocSpaceError(
                f"the portal's archive operation ended but room {room_id} is not in the Archive"
            )
