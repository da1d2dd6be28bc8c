"""Rooms: create, list, tag (``files/rooms``); a room is a folder with a ``room_type``."""

from __future__ import annotations

from collections.abc import Iterable

from .. import errors as e
from .. import rules as r
from .. import seed
from ..model import Folder, User
from .core import PortalCore
from .links import new_link

MSG_EDIT_ROOM_DENIED = "You don't have permission to edit the room"


class RoomsMixin(PortalCore):
    """Room lifecycle rules (archive/unarchive/delete run as file operations, see fileops)."""

    def create_room(
        self, actor: User, title: str, room_type: int, tags: list[str] | None, *, private: bool = False
    ) -> Folder:
        """``POST files/rooms`` in ``InternalCreateFolderAsync``'s order: checks, save the room, then
        create missing tags one by one (a failing tag leaves the room saved but untagged, and the
        tags created before it exist tenant-wide), then tag the room; the Public/FillingForms
        primary link comes last. No title uniqueness check."""
        if private:
            # CreateRoomAsync checks encryption keys before InternalCreateFolderAsync runs; nobody
            # in the sandbox has a key, and the caller's own ACE is checked first.
            raise e.Forbidden(f"The user {_display_name(actor)} does not have an encryption key")
        # CountRoomChecker.CheckAppend runs before InternalCreateFolderAsync's own checks.
        self.settings.check_room_quota(len(self.state.child_ids(seed.FOLDER_ROOMS)[0]))
        title = r.dotnet_trim(title)
        if not title:
            raise e.BadArgument(e.MSG_EMPTY_STRING.format("title"))
        if room_type not in r.ROOM_TYPES.values():
            raise e.BadArgument(
                e.MSG_OUT_OF_RANGE.format("roomType") + f"\nActual value was {room_type}.",
                dotnet_type="System.ArgumentOutOfRangeException",
                hresult=-2146233086,
            )
        if not self._can_manage_rooms(actor):
            raise e.Forbidden(e.MSG_CREATE_DENIED)
        now = self._now()
        room = Folder(
            self.state.new_id(),
            r.sanitize_title(title),
            seed.FOLDER_ROOMS,
            now,
            actor.id,
            now,
            room_type=room_type,
        )
        self.state.add_folder(room)
        self._touch()
        self.state.set_tags(room, self._resolve_tags(actor, tags or []))
        if room_type == r.PUBLIC:
            room.links.append(new_link(r.SUBJ_PRIMARY, r.READ, "Shared link"))
        elif room_type == r.FILLING:
            link = new_link(r.SUBJ_PRIMARY, r.FILL_FORMS, "Link to fill out")
            link.internal = self.settings.default_link_internal  # CreateRoomAsync: fillFormLinkInternal
            room.links.append(link)
        self._touch()
        return room

    def _resolve_tags(self, actor: User, names: Iterable[str]) -> list[str]:
        """Reuse existing tags (case-insensitive, as the DB collation does), create missing ones."""
        result: list[str] = []
        for name in names:
            if not name:  # ArgumentException.ThrowIfNullOrEmpty: whitespace-only names pass
                raise e.BadArgument(e.MSG_EMPTY_STRING.format("name"))
            key = name.casefold()
            if key not in self.state.tags:
                if not self._can_manage_rooms(actor):
                    raise e.AccessDenied()
                self.state.tags[key] = name
            stored = self.state.tags[key]
            if stored not in result:
                result.append(stored)
        return result

    def list_rooms(
        self,
        actor: User,
        *,
        search_area: int,
        tags: list[str | None] | None,
        text: str | None,
        types: list[int] | None,
        start: int,
        count: int,
        without_tags: bool = False,
    ) -> tuple[Folder, list[Folder], int]:
        """``GET files/rooms``: (section folder, page of rooms, total).

        A non-empty ``tags`` list filters by name (``[null]`` names nothing, so nothing matches);
        ``withoutTags`` keeps untagged rooms only and switches the tag search off."""
        parents = {
            0: {seed.FOLDER_ROOMS},
            1: {seed.FOLDER_ARCHIVE},
            2: {seed.FOLDER_ROOMS, seed.FOLDER_ARCHIVE},
            4: {seed.FOLDER_TEMPLATES},  # SearchArea.Templates: never part of "Any"
        }
        wanted_parents = parents.get(search_area, set())
        current = self.state.folders[
            {1: seed.FOLDER_ARCHIVE, 4: seed.FOLDER_TEMPLATES}.get(search_area, seed.FOLDER_ROOMS)
        ]
        if tags and not without_tags:  # a tag search starts from the tag index, not every room
            wanted = {t.casefold() for t in tags if t is not None}
            found = (self.state.folders.get(i) for i in self.state.rooms_tagged(wanted))
            candidates = [f for f in found if f is not None and f.parent_id in wanted_parents]
        else:
            candidates = [f for parent in wanted_parents for f in self.children(parent)[0]]
        rooms = [f for f in candidates if f.room_type is not None and self._can_read(actor, f)]
        if search_area == 4:  # FileSecurity.GetVirtualRoomsAsync: no admin exception for templates
            rooms = [f for f in rooms if f.created_by == actor.id or actor.id in f.members]
        if without_tags:
            rooms = [f for f in rooms if not f.tags]
        if text:
            needle = text.casefold()
            rooms = [f for f in rooms if needle in f.title.casefold()]
        if types:
            rooms = [f for f in rooms if f.room_type in set(types)]
        rooms.sort(key=lambda f: f.id, reverse=True)
        return current, rooms[start : start + count], len(rooms)

    def add_tags(self, actor: User, room_id: int, names: list[str]) -> Folder:
        """``PUT files/rooms/{id}/tags``: needs EditRoom (none on archived rooms → Access denied)."""
        room = self.get_room(actor, room_id)
        if room.room_type is None or self.section(room) == "archive" or not self._can_edit_room(actor, room):
            raise e.AccessDenied()
        added = [name for name in self._resolve_tags(actor, names) if name not in room.tags]
        self.state.set_tags(room, room.tags + added)
        room.updated = self._now()
        self._touch()
        return room

    def update_room(self, actor: User, room_id: int, title: str | None, tags: list[str] | None) -> Folder:
        """``PUT files/rooms/{id}`` (``FileStorageService.UpdateRoomAsync``): a missing folder and
        a missing EditRoom right are InvalidOperationExceptions (403 with the real message); the
        trimmed title replaces the old one when not empty; ``tags`` (when given) becomes the room's
        exact tag set, creating missing tags. Settings the sandbox does not model are accepted and
        not stored."""
        room = self.folder(room_id)
        if room is None:
            raise e.Forbidden(e.MSG_FOLDER_NOT_FOUND)
        if self.section(room) == "archive" or room.room_type is None or not self._can_edit_room(actor, room):
            raise e.Forbidden(MSG_EDIT_ROOM_DENIED)
        clean = r.dotnet_trim(title) if title is not None else ""
        if clean and clean != room.title:
            room.title = r.sanitize_title(clean)
        if tags is not None:
            self.state.set_tags(room, self._resolve_tags(actor, tags))
        room.updated = self._now()
        self._touch()
        return room


def _display_name(user: User) -> str:
    """``DisplayUserName``: "First Last", or the e-mail when both are empty."""
    return f"{user.first_name} {user.last_name}".strip() or user.email
