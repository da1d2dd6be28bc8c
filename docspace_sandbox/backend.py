"""In-memory portal state and the server's business rules; knows nothing about HTTP.

Every public method expects the caller to hold :attr:`Backend.lock` (routes take it for the
whole parse → rule → render step, so a response always shows one consistent state). Methods
raise the exceptions in :mod:`.errors`, which carry the real server's status and message.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import errors as e
from . import rules as r
from . import seed
from .model import File, Folder, Link, Operation, PortalState, User

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
MAX_LINK_LIFETIME_YEARS = 10  # FilesLinkUtility.MaxLinkLifeTimeInYears


def now_string(clock: Callable[[], float] = time.time) -> str:
    """``ApiDateTime`` text: seven fractional digits and ``Z``."""
    return datetime.fromtimestamp(clock(), UTC).strftime(DATE_FORMAT) + "0Z"


@dataclass
class Invitation:
    """One parsed ``RoomInvitation``: ``user_id`` (possibly unknown) or ``email``, and an access."""

    user_id: str | None
    email: str | None
    access: int


@dataclass
class LinkRequest:
    """A parsed ``RoomLinkRequest`` (defaults are what ``{}`` deserialises to)."""

    link_id: str | None = None
    access: int = r.NONE
    expiration: datetime | None = None
    internal: bool = False
    title: str | None = None
    link_type: int = 0
    password: str | None = None
    deny_download: bool = False
    max_use_count: int | None = None


class Backend:
    """The portal: seeded on creation, mutated by API calls, optionally persisted to a JSON file."""

    def __init__(
        self,
        *,
        base_url: str = "http://127.0.0.1",
        state_file: str | os.PathLike[str] | None = None,
        op_delay_s: float = 0.1,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lock = threading.RLock()
        self.base_url = base_url
        self.op_delay_s = op_delay_s
        self._clock = clock
        self._state_file = Path(state_file) if state_file else None
        self.dirty = False
        self._save_timer: threading.Timer | None = None
        self._save_lock = threading.Lock()
        self._snapshots = 0
        self._written = 0
        if self._state_file and self._state_file.exists():
            self.state = PortalState.load(json.loads(self._state_file.read_text(encoding="utf-8")))
        else:
            self.state = seed.build()
            self.dirty = self._state_file is not None

    # ------------------------------------------------------------------ housekeeping

    def reset(self) -> None:
        """Back to the seeded portal."""
        with self.lock:
            self.state = seed.build()
            self.dirty = True
            self.persist()

    def persist(self) -> None:
        """Write the state file atomically (temp file + rename) if anything changed.

        The state is serialised under the lock, the file written outside it, so API calls are
        not held up by the disk.
        """
        with self.lock:
            if not (self.dirty and self._state_file):
                return
            text = json.dumps(self.state.dump(), ensure_ascii=False, indent=1)
            self.dirty = False
            self._snapshots += 1
            number = self._snapshots
        with self._save_lock:  # one writer at a time; an older snapshot never overwrites a newer one
            if number <= self._written:
                return
            self._written = number
            target = self._state_file
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, target)

    def persist_soon(self, delay_s: float = 0.5) -> None:
        """Save within ``delay_s`` (coalescing the writes of a busy batch into one file write).

        Saving the whole portal after every call made a 200-client batch spend most of its time
        serialising JSON under the lock; :meth:`persist` still runs at stop.
        """
        if not (self.dirty and self._state_file):
            return
        with self._save_lock:
            if self._save_timer is not None:
                return
            timer = threading.Timer(delay_s, self._flush)
            timer.daemon = True
            self._save_timer = timer
        timer.start()

    def _flush(self) -> None:
        with self._save_lock:
            self._save_timer = None
        self.persist()

    def _now(self) -> str:
        return now_string(self._clock)

    def now_text(self) -> str:
        """The portal's current time as an API date string."""
        return self._now()

    def _touch(self) -> None:
        self.dirty = True

    # ------------------------------------------------------------------ lookups

    def user(self, user_id: str) -> User | None:
        """The user with that id, or None."""
        return self.state.users.get(user_id.lower())

    def user_by_email(self, email: str) -> User | None:
        """Case-insensitive e-mail lookup."""
        wanted = email.strip().casefold()
        return next((u for u in self.state.users.values() if u.email.casefold() == wanted), None)

    def folder(self, folder_id: int) -> Folder | None:
        """The folder (or room) with that id, or None."""
        return self.state.folders.get(folder_id)

    def section(self, folder: Folder) -> str:
        """The system section an entry lives in: ``my``, ``rooms`` or ``archive``."""
        current: Folder | None = folder
        while current is not None and current.system is None:
            current = self.state.folders.get(current.parent_id) if current.parent_id is not None else None
        return current.system if current is not None and current.system else "rooms"

    def root_folder_type(self, folder: Folder) -> int:
        """``rootFolderType``: 5 My documents, 14 Rooms, 20 Archive."""
        return {"my": r.FT_USER, "rooms": r.FT_VIRTUAL_ROOMS, "archive": r.FT_ARCHIVE}[self.section(folder)]

    def root_folder_id(self, folder: Folder) -> int:
        """Id of the section folder above the entry."""
        return {"my": seed.FOLDER_MY, "rooms": seed.FOLDER_ROOMS, "archive": seed.FOLDER_ARCHIVE}[
            self.section(folder)
        ]

    def parent_room(self, folder: Folder) -> Folder | None:
        """The room an entry sits in (the folder itself if it is a room)."""
        current: Folder | None = folder
        while current is not None and current.room_type is None:
            current = self.state.folders.get(current.parent_id) if current.parent_id is not None else None
        return current

    def path(self, folder: Folder) -> list[Folder]:
        """Section folder first, the folder itself last."""
        chain: list[Folder] = []
        current: Folder | None = folder
        while current is not None:
            chain.append(current)
            current = self.state.folders.get(current.parent_id) if current.parent_id is not None else None
        return list(reversed(chain))

    def children(self, folder_id: int) -> tuple[list[Folder], list[File]]:
        """Direct sub-folders and files, newest first (the server's default DateAndTime sort)."""
        folders = [f for f in self.state.folders.values() if f.parent_id == folder_id]
        files = [f for f in self.state.files.values() if f.folder_id == folder_id]
        folders.sort(key=lambda f: f.id, reverse=True)
        files.sort(key=lambda f: f.id, reverse=True)
        return folders, files

    def _can_manage_rooms(self, actor: User) -> bool:
        return actor.kind in ("owner", "admin", "roomadmin")

    def _require_folder(self, folder_id: int) -> Folder:
        folder = self.folder(folder_id)
        if folder is None:
            raise e.NotFound(e.MSG_FOLDER_NOT_FOUND)
        return folder

    def _can_read(self, actor: User, folder: Folder) -> bool:
        if actor.kind in ("owner", "admin"):
            return True
        room = self.parent_room(folder)
        if room is None:
            return folder.created_by == actor.id
        return room.created_by == actor.id or actor.id in room.members

    def get_folder(self, actor: User | None, folder_id: int) -> Folder:
        """``GetFolderAsync``: 404 if missing; anonymous callers of an existing folder get 401."""
        folder = self._require_folder(folder_id)
        if actor is None:
            raise e.NotAuthenticated()
        if not self._can_read(actor, folder):
            raise e.Forbidden("You don't have enough permission to view the folder content")
        return folder

    # ------------------------------------------------------------------ people

    def people(
        self,
        actor: User,
        *,
        text: str | None,
        types: list[int] | None,
        start: int,
        count: int,
        employee_status: int | None = None,
        activation_status: int | None = None,
        administrators: bool = False,
        area: int = 0,
    ) -> tuple[list[User], int]:
        """``GET people/filter``: substring over first/last name and e-mail, words ANDed; then
        ``UserQueryFilter``'s status rules (Terminated only for DocSpace admins; Active/Default =
        status Active; Pending = status Pending; other flag mixes do not filter), activation status
        by equality, ``isAdministrator=true`` = DocSpace admins, ``area`` People/Guests."""
        if actor.kind in ("user", "guest"):
            raise e.AccessDenied()
        matches = list(self.state.users.values())
        is_admin = actor.kind in ("owner", "admin")
        if employee_status is None:
            if not is_admin:
                matches = [u for u in matches if u.status != 2]
        elif employee_status == 4:
            matches = [u for u in matches if u.status == 4]
        elif employee_status == 2:
            matches = [u for u in matches if u.status == 2] if is_admin else []
        elif employee_status == 7:
            if not is_admin:
                matches = [u for u in matches if u.status != 2]
        elif employee_status in (1, 5):
            matches = [u for u in matches if u.status == 1]
        if activation_status is not None:
            matches = [u for u in matches if u.activation_status == activation_status]
        if administrators:
            matches = [u for u in matches if u.kind in ("owner", "admin")]
        if area == 1:
            matches = [u for u in matches if u.kind != "guest"]
        elif area == 2:
            matches = [u for u in matches if u.kind == "guest"]
        if text:
            words = [w.casefold() for w in text.split() if w]
            matches = [
                u
                for u in matches
                if all(
                    w in u.first_name.casefold() or w in u.last_name.casefold() or w in u.email.casefold()
                    for w in words
                )
            ]
        if types:
            # EmployeeType: 0 All, 1 RoomAdmin, 2 Guest, 3 DocSpaceAdmin, 4 User
            kinds: set[str] = set()
            for t in types:
                kinds |= {
                    0: {"owner", "admin", "roomadmin", "user", "guest"},
                    1: {"roomadmin"},
                    2: {"guest"},
                    3: {"owner", "admin"},
                    4: {"user"},
                }.get(t, set())
            matches = [u for u in matches if u.kind in kinds]
        matches.sort(key=lambda u: (u.first_name.casefold(), u.last_name.casefold(), u.email))
        return matches[start : start + count], len(matches)

    def find_person(self, actor: User, email: str) -> User:
        """``GET people/email``: 404 "The user could not be found"; visibility rules for non-admins."""
        if not r.dotnet_trim(email):
            raise e.BadArgument(
                "The value cannot be an empty string or composed entirely of whitespace. (Parameter 'email')"
            )
        user = self.user_by_email(email)
        if user is None:
            raise e.NotFound(e.MSG_USER_NOT_FOUND)
        if not self._can_view(actor, user):
            raise e.AccessDenied()
        return user

    def _can_view(self, actor: User, target: User) -> bool:
        if actor.kind in ("owner", "admin") or actor.id == target.id:
            return True
        if actor.kind == "roomadmin":
            return target.kind != "guest" or target.invited_by == actor.id
        return False

    # ------------------------------------------------------------------ rooms and folders

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
        self.state.folders[room.id] = room
        self._touch()
        room.tags = self._resolve_tags(actor, tags or [])
        if room_type == r.PUBLIC:
            room.links.append(self._new_link(r.SUBJ_PRIMARY, r.READ, "Shared link"))
        elif room_type == r.FILLING:
            room.links.append(self._new_link(r.SUBJ_PRIMARY, r.FILL_FORMS, "Link to fill out"))
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
        }
        wanted_parents = parents.get(search_area, set())
        current = self.state.folders[seed.FOLDER_ARCHIVE if search_area == 1 else seed.FOLDER_ROOMS]
        rooms = [
            f
            for f in self.state.folders.values()
            if f.room_type is not None and f.parent_id in wanted_parents and self._can_read(actor, f)
        ]
        if without_tags:
            rooms = [f for f in rooms if not f.tags]
        elif tags:
            wanted = {t.casefold() for t in tags if t is not None}
            rooms = [f for f in rooms if any(t.casefold() in wanted for t in f.tags)]
        if text:
            needle = text.casefold()
            rooms = [f for f in rooms if needle in f.title.casefold()]
        if types:
            rooms = [f for f in rooms if f.room_type in set(types)]
        rooms.sort(key=lambda f: f.id, reverse=True)
        return current, rooms[start : start + count], len(rooms)

    def folder_page(
        self, actor: User | None, folder_id: int, *, text: str | None, start: int, count: int
    ) -> tuple[Folder, list[Folder], list[File], int]:
        """``GET files/{folderId}`` and ``@my``: folders first, then files, paged together.

        Anonymous callers (the route is ``[AllowAnonymous]``): a missing folder is a security
        error ("Access denied"), an existing one "You don't have enough permission to view…"."""
        if actor is None:
            if self.folder(folder_id) is None:
                raise e.AccessDenied()
            raise e.Forbidden(e.MSG_NO_VIEW_CONTENT)
        folder = self.get_folder(actor, folder_id)
        folders, files = self.children(folder.id)
        if text:
            needle = text.casefold()
            folders = [f for f in folders if needle in f.title.casefold()]
            files = [f for f in files if needle in f.title.casefold()]
        entries: list[Folder | File] = [*folders, *files]
        page = entries[start : start + count]
        return (
            folder,
            [x for x in page if isinstance(x, Folder)],
            [x for x in page if isinstance(x, File)],
            len(entries),
        )

    def _check_create_in(self, actor: User, parent: Folder | None) -> Folder:
        """``InternalCreateFolderAsync`` checks, in the server's order."""
        if parent is None:
            raise e.Forbidden(e.MSG_FOLDER_NOT_FOUND)
        if not self._can_create_in(actor, parent):
            raise e.Forbidden(e.MSG_CREATE_DENIED)
        if self.section(parent) == "archive" and parent.system != "archive":
            raise e.Forbidden(e.MSG_ARCHIVED)
        if parent.system == "archive":
            raise e.Forbidden("You don't have enough permission to perform the operation")
        if parent.system == "rooms":
            raise e.Forbidden(e.MSG_CREATE_DENIED)
        return parent

    def _can_create_in(self, actor: User, parent: Folder) -> bool:
        if parent.system in ("rooms", "archive"):
            return self._can_manage_rooms(actor) or parent.system == "archive"
        if self.section(parent) == "my":
            return parent.created_by == actor.id
        room = self.parent_room(parent)
        if room is None:
            return False
        if actor.kind in ("owner", "admin") or room.created_by == actor.id:
            return True
        return room.members.get(actor.id) in (r.ROOM_MANAGER, r.CONTENT_CREATOR)

    def create_folder(self, actor: User, parent_id: int, title: str) -> Folder:
        """``POST files/folder/{id}``: same sanitising as rooms, duplicates allowed."""
        title = r.dotnet_trim(title)
        if not title:
            raise e.BadArgument(e.MSG_EMPTY_STRING.format("title"))
        parent = self._check_create_in(actor, self.folder(parent_id))
        now = self._now()
        folder = Folder(self.state.new_id(), r.sanitize_title(title), parent.id, now, actor.id, now)
        self.state.folders[folder.id] = folder
        parent.updated = now
        self._touch()
        return folder

    def get_file(self, actor: User, file_id: int) -> File:
        """``GET files/file/{id}``: 404 when missing or not readable by the caller."""
        found = self.state.files.get(file_id)
        if found is None or not self._can_read(actor, self.state.folders[found.folder_id]):
            raise e.NotFound(e.MSG_FILE_NOT_FOUND)
        return found

    def copy_as(self, actor: User, file_id: int, dest_title: str, dest_folder_id: int) -> File:
        """``POST files/file/{id}/copyas``: same extension → plain copy (duplicates coexist);
        another extension → "conversion" with `` (1)`` renaming on a clash."""
        source = self.state.files.get(file_id)
        if source is None or not self._can_read(actor, self.state.folders[source.folder_id]):
            raise e.NotFound(e.MSG_FILE_NOT_FOUND)
        same_extension = _extension(r.dotnet_trim(dest_title or "")) == _extension(source.title)
        if same_extension:
            # CreateNewFileAsync: destination 0 = My documents; no Create right (missing folder,
            # section folders, archived rooms …) is a SecurityException → "Access denied".
            dest = self.folder(seed.FOLDER_MY if dest_folder_id == 0 else dest_folder_id)
            try:
                dest = self._check_create_in(actor, dest)
            except e.Forbidden:
                raise e.AccessDenied() from None
        else:
            dest = self.folder(dest_folder_id)
            if dest is None:
                raise e.NotFound(e.MSG_FOLDER_NOT_FOUND)
            self._check_create_in(actor, dest)
        title = r.dotnet_trim(dest_title or "")
        if not title:
            raise e.BadArgument(e.MSG_EMPTY_STRING.format("title"))
        title = r.sanitize_title(title)
        if _extension(title) != _extension(source.title):
            existing = {f.title for f in self.state.files.values() if f.folder_id == dest.id}
            title = r.available_title(title, existing, is_file=True)
        copy = File(self.state.new_id(), title, dest.id, source.size, self._now(), actor.id)
        self.state.files[copy.id] = copy
        self._touch()
        return copy

    def get_room(self, actor: User, room_id: int) -> Folder:
        """A room for a write call: 404 via ``GetFolderAsync`` when missing."""
        folder = self._require_folder(room_id)
        if not self._can_read(actor, folder):
            raise e.AccessDenied()
        return folder

    def add_tags(self, actor: User, room_id: int, names: list[str]) -> Folder:
        """``PUT files/rooms/{id}/tags``: needs EditRoom (none on archived rooms → Access denied)."""
        room = self.get_room(actor, room_id)
        if room.room_type is None or self.section(room) == "archive" or not self._can_edit_room(actor, room):
            raise e.AccessDenied()
        for name in self._resolve_tags(actor, names):
            if name not in room.tags:
                room.tags.append(name)
        room.updated = self._now()
        self._touch()
        return room

    def _can_edit_room(self, actor: User, room: Folder) -> bool:
        return (
            actor.kind in ("owner", "admin")
            or room.created_by == actor.id
            or (room.members.get(actor.id) == r.ROOM_MANAGER)
        )

    # ------------------------------------------------------------------ sharing

    def share(self, actor: User, room_id: int, invitations: list[Invitation]) -> tuple[list[str], str | None]:
        """``PUT files/rooms/{id}/share``; returns (ids to list as members, warning).

        Invitations are processed in order and the loop is not transactional: a 403 on a later
        item leaves earlier ones saved, as on the server.
        """
        room = self._require_folder(room_id)
        if room.room_type is None:
            raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)
        if not self._can_edit_room(actor, room) or self.section(room) == "archive":
            raise e.AccessDenied()  # no EditAccess right, which archived rooms never grant
        allowed_for_users = r.ROOM_ACCESSES[room.room_type][r.SUBJ_USER]
        warning: str | None = None
        listed: list[str] = []
        for inv in invitations:
            if inv.user_id is not None:
                listed.append(inv.user_id)
            target = self.user(inv.user_id) if inv.user_id else None
            # An id that names no user (and no group) resolves to the LostUser: active, type Guest.
            lost = inv.user_id is not None and target is None
            if target is not None and inv.access != r.NONE and not self._visible_to(actor, room, target):
                continue  # silently dropped, like guests a room admin did not invite
            if target is not None and target.status == 2:
                continue
            if inv.access not in allowed_for_users:
                raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)
            kind = target.kind if target is not None else "guest"  # e-mail invites: the "lost user"
            if inv.access not in r.USER_ACCESSES[kind] or (
                room.room_type == r.AI
                and kind == "guest"
                and inv.access in (r.ROOM_MANAGER, r.CONTENT_CREATOR)
            ):
                raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)
            if lost and inv.user_id is not None:
                # Stored like any user ACE; GET share joins with the users table and never lists it.
                if inv.access == r.NONE:
                    if room.members.pop(inv.user_id, None) is not None:
                        self._touch()
                elif room.members.get(inv.user_id) != inv.access:
                    room.members[inv.user_id] = inv.access
                    self._touch()
                continue
            if target is None and inv.email:
                if inv.access == r.NONE:
                    continue
                target = self.user_by_email(inv.email)
                if target is None:
                    try:
                        target = self._invite_guest(actor, inv.email)
                    except ValueError as exc:
                        warning = warning or str(exc)
                        continue
            if target is None or target.id == room.created_by:
                continue
            current = room.members.get(target.id)
            if inv.access == r.NONE:
                if current is not None:
                    del room.members[target.id]
                    self._touch()
                continue
            if current != inv.access:
                room.members[target.id] = inv.access
                self._touch()
        return listed, warning

    def _visible_to(self, actor: User, room: Folder, target: User) -> bool:
        if room.created_by == actor.id and target.id in room.members:
            return True
        return self._can_view(actor, target)

    def _invite_guest(self, actor: User, email: str) -> User:
        address = email.strip()
        local, _, domain = address.partition("@")
        if not local or "." not in domain or " " in address:
            raise ValueError(f"Incorrect email: {address}")
        guest = User(
            seed.user_id(address),
            address,
            "",
            "",
            "guest",
            activation_status=2,
            created=self._now(),
            invited_by=actor.id,
        )
        self.state.users[guest.id] = guest
        self._touch()
        return guest

    def members(self, actor: User, room_id: int) -> list[tuple[User, int, bool]]:
        """Share entries as (user, access, is_owner); the owner first with ReadWrite."""
        room = self.get_room(actor, room_id)
        owner = self.state.users.get(room.created_by)
        entries: list[tuple[User, int, bool]] = []
        if owner is not None:
            entries.append((owner, r.READ_WRITE, True))
        for uid, access in room.members.items():
            user = self.state.users.get(uid)
            if user is not None:
                entries.append((user, access, False))
        return entries

    def share_entries(
        self, actor: User, room_id: int, filter_type: int, text: str | None
    ) -> list[tuple[User, int, bool] | Link]:
        """``GET files/rooms/{id}/share`` by ``ShareFilterType`` (``SecurityDao.GetPureSharesQuery``).

        0 UserOrGroup / 16 User: the owner's default ACE, then the members (``filterValue`` matches
        first/last name or e-mail); 32 Group: nothing (no groups here); 1 invitation links; 2 external
        links, primary first; 4 additional external links; 8 the primary link; 15 every link. Any
        other flag mix falls through the server's switch unfiltered: every stored ACE, without the
        owner's default one and without the text filter.
        """
        members = self.members(actor, room_id)
        room = self.get_room(actor, room_id)
        if filter_type in (0, 16):
            if text:
                needle = r.dotnet_trim(text).casefold()
                members = [
                    m
                    for m in members
                    if any(needle in v.casefold() for v in (m[0].first_name, m[0].last_name, m[0].email))
                ]
            return list(members)
        if filter_type == 32:
            return []
        wanted = {
            1: (r.SUBJ_INVITATION,),
            2: (r.SUBJ_PRIMARY, r.SUBJ_EXTERNAL),
            4: (r.SUBJ_EXTERNAL,),
            8: (r.SUBJ_PRIMARY,),
            15: (r.SUBJ_PRIMARY, r.SUBJ_EXTERNAL, r.SUBJ_INVITATION),
        }.get(filter_type)
        if wanted is None:
            return [m for m in members if not m[2]] + list(room.links)
        links = [x for x in room.links if x.subject in wanted]
        if filter_type == 2:
            links.sort(key=lambda x: x.subject != r.SUBJ_PRIMARY)
        return list(links)

    # ------------------------------------------------------------------ links

    def _new_link(self, subject: int, access: int, title: str, link_id: str | None = None) -> Link:
        return Link(
            id=link_id or str(uuid.uuid4()),
            subject=subject,
            access=access,
            title=title,
            key=secrets.token_urlsafe(9),
            request_token=secrets.token_urlsafe(24) if subject != r.SUBJ_INVITATION else None,
        )

    def share_link_url(self, link: Link) -> str:
        """The short link the portal hands out."""
        return f"{self.base_url}/s/{link.key}"

    def links(self, actor: User, room_id: int, link_type: int | None) -> list[Link]:
        """``GET files/rooms/{id}/links`` (at most 100; optional 0/1 filter)."""
        room = self.get_room(actor, room_id)
        found = room.links
        if link_type == 0:
            found = [x for x in found if x.subject == r.SUBJ_INVITATION]
        elif link_type == 1:
            found = [x for x in found if x.subject in (r.SUBJ_EXTERNAL, r.SUBJ_PRIMARY)]
        return found[:100]

    def primary_link(self, actor: User, room_id: int) -> Link:
        """``GET files/rooms/{id}/link``: the primary external link, created on the fly if absent."""
        room = self.get_room(actor, room_id)
        existing = next((x for x in room.links if x.subject == r.SUBJ_PRIMARY), None)
        if existing is not None:
            return existing
        if not self._can_edit_room(actor, room) or self.section(room) == "archive":
            raise e.AccessDenied()
        link = self._set_link(room, self._new_link(r.SUBJ_PRIMARY, r.READ, "Shared link"), None)
        if link is None:  # pragma: no cover - access Read is never "remove"
            raise e.ServerError("primary link")
        return link

    def set_link(self, actor: User, room_id: int, req: LinkRequest) -> Link | None:
        """``PUT files/rooms/{id}/links``; None means "nothing to show" (200 without ``response``)."""
        room = self._require_folder(room_id)
        if not self._can_edit_room(actor, room) or self.section(room) == "archive":
            raise e.AccessDenied()
        existing = next((x for x in room.links if req.link_id and x.id == req.link_id), None)
        now = datetime.fromtimestamp(self._clock(), UTC)
        expiration: str | None = None
        password = r.dotnet_trim(req.password) if req.password else None  # the controller's Password?.Trim()
        deny_download, internal = req.deny_download, req.internal
        if req.link_type == 0:
            # SetInvitationLinkAsync takes no password, denyDownload or internal: they are dropped.
            password, deny_download, internal = None, False, False
            subject = r.SUBJ_INVITATION
            title = req.title or "Invitation link"
            if req.max_use_count is not None and existing and req.max_use_count < existing.current_use_count:
                raise e.BadArgument(e.MSG_VALUE_RANGE.format("maxUseCount"))
            if req.expiration is not None:
                if req.expiration < now or req.expiration > _latest_expiry(now):
                    raise e.BadArgument(e.MSG_VALUE_RANGE.format("expirationDate"))
                expiration = _format_date(req.expiration)
        elif req.link_type == 1:
            subject = r.SUBJ_EXTERNAL
            title = req.title or "Shared link"
            if req.expiration is not None and req.expiration > now:
                if req.expiration > _latest_expiry(now):
                    raise e.BadArgument(e.MSG_VALUE_RANGE.format("expirationDate"))
                expiration = _format_date(req.expiration)
        else:
            raise e.Forbidden("Operation is not valid due to the current state of the object.")
        if existing is not None:
            subject = existing.subject
        wanted = Link(
            id=existing.id if existing else (req.link_id or str(uuid.uuid4())),
            subject=subject,
            access=req.access,
            title=title,
            key=existing.key if existing else secrets.token_urlsafe(9),
            expiration=expiration,
            password=password or None,
            deny_download=deny_download,
            internal=internal,
            max_use_count=req.max_use_count if subject == r.SUBJ_INVITATION else None,
            current_use_count=existing.current_use_count if existing else 0,
            request_token=(existing.request_token if existing else secrets.token_urlsafe(24))
            if subject != r.SUBJ_INVITATION
            else None,
        )
        return self._set_link(room, wanted, existing)

    def _set_link(self, room: Folder, wanted: Link, existing: Link | None) -> Link | None:
        """``FileSharingAceHelper.SetAceObjectAsync`` for one link ACE."""
        accesses = r.ROOM_ACCESSES.get(room.room_type or 0, {})
        if wanted.subject not in accesses or wanted.access not in accesses[wanted.subject]:
            raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)
        if wanted.subject == r.SUBJ_PRIMARY and room.room_type in (r.PUBLIC, r.FILLING):
            wanted.expiration = None  # the server ignores expiration on these primary links
        if wanted.subject in (r.SUBJ_PRIMARY, r.SUBJ_EXTERNAL):
            if room.room_type == r.VDR:
                wanted.internal = True
            elif room.room_type == r.PUBLIC:
                wanted.internal = False
        removing = existing is not None and wanted.access == r.NONE
        if wanted.password and not removing:
            _check_password(wanted.password)
        if existing is None:
            if wanted.subject == r.SUBJ_INVITATION:
                limit = r.MAX_INVITATION_LINKS
            else:
                limits = r.LINK_LIMITS.get(room.room_type or 0, {})
                limit = limits.get(wanted.subject, 0)
                if wanted.subject == r.SUBJ_PRIMARY and limit == 0:
                    limit = limits.get(r.SUBJ_EXTERNAL, 0)
            have = sum(1 for x in room.links if x.subject == wanted.subject)
            if have >= limit:
                raise e.Forbidden(e.MSG_MAX_LINKS.format(limit))
            if wanted.access == r.NONE:
                return None
            room.links.append(wanted)
            self._touch()
            return wanted
        index = room.links.index(existing)
        if wanted.access == r.NONE:
            del room.links[index]
            self._touch()
            if existing.subject == r.SUBJ_PRIMARY and room.room_type in (r.PUBLIC, r.FILLING):
                fresh = (
                    self._new_link(r.SUBJ_PRIMARY, r.READ, "Shared link")
                    if room.room_type == r.PUBLIC
                    else self._new_link(r.SUBJ_PRIMARY, r.FILL_FORMS, "Link to fill out")
                )
                room.links.insert(index, fresh)
                return fresh
            return None
        room.links[index] = wanted
        self._touch()
        return wanted

    # ------------------------------------------------------------------ async operations

    def start_operation(self, actor: User, room_id: int, action: str, *, hold: bool) -> Operation:
        """Archive / unarchive / delete: permission checks now, the move after a short delay."""
        if action == "delete":
            room = self.folder(room_id)
            if room is None:
                raise e.NotFound(
                    e.MSG_FOLDER_NOT_FOUND, dotnet_type="System.IO.FileNotFoundException", hresult=-2147024894
                )
            if room.room_type is not None and self.section(room) != "archive":
                raise e.AccessDenied()
            if not self._can_edit_room(actor, room):
                raise e.AccessDenied()
        else:
            room = self.get_room(actor, room_id)
            if not self._can_edit_room(actor, room):
                raise e.AccessDenied()
        op = Operation(
            id=str(uuid.uuid4()),
            kind=2 if action == "delete" else 0,
            user_id=actor.id,
            room_id=room_id,
            action=action,
            started=self._clock(),
            hold=hold,
        )
        self.state.ops.append(op)
        self._touch()
        if action == "delete":
            # Quirk kept from the server: DELETE answers with the user's *first* delete operation.
            return next(o for o in self.state.ops if o.user_id == actor.id and o.kind == 2)
        return op

    def tick(self) -> None:
        """Finish operations whose time has come (called on every request; no worker thread)."""
        now = self._clock()
        for op in self.state.ops:
            if not op.finished and (now - op.started >= self.op_delay_s or op.polls >= 2):
                self._finish(op)

    def _finish(self, op: Operation) -> None:
        room = self.folder(op.room_id)
        op.finished = True
        self._touch()
        if room is None:
            op.error = e.MSG_FOLDER_NOT_FOUND
            return
        if op.action == "delete":
            self._delete_tree(room.id)  # plain folders can be deleted through this route too
            return
        if room.room_type is None:
            op.error = "You don't have enough permission to perform the operation"
            return
        if op.action == "archive":
            room.parent_id = seed.FOLDER_ARCHIVE
        elif op.action == "unarchive":
            room.parent_id = seed.FOLDER_ROOMS
        room.updated = self._now()

    def _delete_tree(self, folder_id: int) -> None:
        for child in [f.id for f in self.state.folders.values() if f.parent_id == folder_id]:
            self._delete_tree(child)
        for fid in [f.id for f in self.state.files.values() if f.folder_id == folder_id]:
            del self.state.files[fid]
        self.state.folders.pop(folder_id, None)

    def operations(self, actor: User, op_id: str | None) -> list[Operation]:
        """``GET files/fileops``: each read counts as a poll; finished, unheld results are dequeued."""
        mine = [o for o in self.state.ops if o.user_id == actor.id and (op_id is None or o.id == op_id)]
        for op in mine:
            op.polls += 1
        self.tick()
        done = {o.id for o in mine if o.finished and not o.hold}
        if done:
            self.state.ops = [o for o in self.state.ops if o.id not in done]
            self._touch()
        return mine

    # ------------------------------------------------------------------ inspection

    def snapshot(self) -> dict[str, Any]:
        """The ``GET /__sandbox__/state`` document."""
        self.tick()
        rooms = [f for f in self.state.folders.values() if f.room_type is not None]
        rooms.sort(key=lambda f: f.id)
        return {"rooms": [self._room_state(room) for room in rooms]}

    def _room_state(self, room: Folder) -> dict[str, Any]:
        folders, files = self.children(room.id)
        owner = self.state.users.get(room.created_by)
        members: list[dict[str, Any]] = []
        if owner is not None:
            members.append({"email": owner.email, "access": r.READ_WRITE, "owner": True})
        for uid, access in room.members.items():
            user = self.state.users.get(uid)
            if user is not None:
                members.append({"email": user.email, "access": access, "owner": False})
        return {
            "id": room.id,
            "title": room.title,
            "roomType": room.room_type,
            "tags": list(room.tags),
            "archived": self.section(room) == "archive",
            "folders": [self._folder_state(f) for f in sorted(folders, key=lambda f: f.id)],
            "files": [f.title for f in sorted(files, key=lambda f: f.id)],
            "members": members,
            "links": [
                {
                    "id": link.id,
                    "linkType": 0 if link.subject == r.SUBJ_INVITATION else 1,
                    "primary": link.subject == r.SUBJ_PRIMARY,
                    "access": link.access,
                    "shareLink": self.share_link_url(link),
                    "title": link.title,
                    "expirationDate": link.expiration,
                    "maxUseCount": link.max_use_count,
                    "password": link.password,
                }
                for link in room.links
            ],
        }

    def _folder_state(self, folder: Folder) -> dict[str, Any]:
        folders, files = self.children(folder.id)
        return {
            "id": folder.id,
            "title": folder.title,
            "files": [f.title for f in sorted(files, key=lambda f: f.id)],
            "folders": [self._folder_state(f) for f in sorted(folders, key=lambda f: f.id)],
        }


def _extension(title: str) -> str:
    dot = title.rfind(".")
    return title[dot:].casefold() if dot > 0 else ""


def _latest_expiry(now: datetime) -> datetime:
    """``DateTime.UtcNow.AddYears(MaxLinkLifeTimeInYears)``."""
    try:
        return now.replace(year=now.year + MAX_LINK_LIFETIME_YEARS)
    except ValueError:  # 29 February
        return now.replace(year=now.year + MAX_LINK_LIFETIME_YEARS, day=28)


def _format_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime(DATE_FORMAT) + "0Z"


def _display_name(user: User) -> str:
    """``DisplayUserName``: "First Last", or the e-mail when both are empty."""
    return f"{user.first_name} {user.last_name}".strip() or user.email


_PASSWORD_RE = re.compile(r"[\x21-\x7e]{8,30}")


def _check_password(password: str) -> None:
    """``PasswordSettingsManager.CheckPassword`` with the default portal policy: 8–30 printable
    ASCII characters, no spaces (no upper-case, digit or special-character requirement)."""
    if _PASSWORD_RE.fullmatch(password) is None:
        raise e.BadArgument(e.MSG_PASSWORD_POLICY)
