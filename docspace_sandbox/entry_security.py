"""The ``security`` flags of FolderDto and FileDto, for the account that asks.

The server computes each flag per caller (``FileSecurity.SetSecurity`` → ``FilterEntryAsync``), so
a room admin who is only a reader, or a DocSpace admin who never joined a room, is told what it
may not do. The sandbox's caller is ``backend.viewer`` (set for each API request); without one
(internal snapshots) the flags are the room creator's. Rules read in ONLYOFFICE/DocSpace-server
v3.7.2, ``FileSecurity.FilterEntryAsync``: the room's creator has full access
(``HasFullAccessAsync``); DocSpace admins who are not members get Read, Download, Copy, Duplicate,
Move (archive), Delete (in the Archive), Pin, ChangeOwner and CopySharedLink of a shared room;
members get what their role allows (RoomManager: manage; ContentCreator: create, and rename,
move or delete their own entries; Editing: edit files; everyone: read, download, copy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import rules as r
from .model import File, Folder

if TYPE_CHECKING:
    from .backend import Backend

_CREATORS = frozenset({r.ROOM_MANAGER, r.CONTENT_CREATOR})


def folder_flags(backend: Backend, folder: Folder) -> dict[str, bool]:
    """``FolderDto.security`` for a room, a folder or a section folder."""
    archived = backend.section(folder) == "archive"
    is_room = folder.room_type is not None
    active = not archived
    flags = {
        "Read": True,
        "Create": active,
        "Delete": archived if is_room else active,
        "EditRoom": is_room and active,
        "Rename": active,
        "CopyTo": active,
        "MoveTo": active,
        "Copy": True,
        "Move": True,
        "Pin": is_room,
        "Mute": is_room,
        "EditAccess": active,
        "Duplicate": active,
        "Download": True,
        "CopySharedLink": active and is_room and folder.room_type not in (r.COLLAB, r.VDR),
        "Reconnect": False,
        "CreateRoomFrom": active and is_room,
        "CopyLink": True,
        "Embed": active and is_room and folder.room_type in (r.PUBLIC, r.CUSTOM),
        "ChangeOwner": is_room,
        "IndexExport": False,
        "UseChat": False,
    }
    viewer = backend.viewer
    room = backend.parent_room(folder)
    if viewer is None or room is None or room.created_by == viewer.id:
        return flags
    role = room.members.get(viewer.id)
    manager = role == r.ROOM_MANAGER
    own = folder.created_by == viewer.id and role == r.CONTENT_CREATOR
    admin = backend.is_docspace_admin(viewer)
    for name in ("Create", "CopyTo", "MoveTo"):
        flags[name] = flags[name] and role in _CREATORS
    for name in ("EditRoom", "EditAccess", "Embed"):
        flags[name] = flags[name] and manager
    flags["CreateRoomFrom"] = False  # not granted by any role, only by full access
    if is_room:
        flags["Rename"] = flags["Rename"] and manager
        flags["Duplicate"] = flags["Duplicate"] and (manager or admin)
        flags["Move"] = admin
        flags["Delete"] = flags["Delete"] and admin
        flags["ChangeOwner"] = admin
        shared = any(x.subject != r.SUBJ_INVITATION for x in folder.links)
        flags["CopySharedLink"] = flags["CopySharedLink"] and (manager or (admin and shared))
    else:
        for name in ("Rename", "Duplicate", "Move", "Delete"):
            flags[name] = flags[name] and (manager or own)
    return flags


def file_flags(backend: Backend, entry: File) -> dict[str, bool]:
    """``FileDto.security``: full rights for the room's creator (and in one's own My documents)."""
    flags = dict.fromkeys(
        ("Read", "Comment", "FillForms", "Review", "Edit", "Delete", "Rename", "Copy", "Move"), True
    )
    flags.update({"Duplicate": True, "Download": True, "CopyLink": True})
    viewer = backend.viewer
    parent = backend.folder(entry.folder_id)
    room = backend.parent_room(parent) if parent is not None else None
    if viewer is None or room is None or room.created_by == viewer.id:
        return flags
    role = room.members.get(viewer.id)
    manager = role == r.ROOM_MANAGER
    own = entry.created_by == viewer.id and role == r.CONTENT_CREATOR
    editor = role in (r.ROOM_MANAGER, r.CONTENT_CREATOR, r.EDITING)
    flags["Edit"] = editor
    flags["Review"] = editor or role == r.REVIEW
    flags["Comment"] = editor or role in (r.REVIEW, r.COMMENT)
    flags["FillForms"] = editor or role == r.FILL_FORMS
    for name in ("Delete", "Rename", "Move", "Duplicate"):
        flags[name] = manager or own
    return flags
