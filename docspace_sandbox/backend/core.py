"""The portal core every resource mixin builds on: state, lock, persistence, lookups, permissions.

Every public method of the backend expects the caller to hold :attr:`PortalCore.lock` (routes
take it for the whole parse → rule → render step, so a response always shows one consistent
state). Methods raise the exceptions in :mod:`..errors`, which carry the real server's status
and message. Resource rules live in the sibling modules (rooms, folders, sharing, links, people,
fileops), split the way moto splits a service by resource.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .. import errors as e
from .. import rules as r
from .. import seed
from ..model import File, Folder, Link, PortalState, User
from ..portal_settings import PortalSettings

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def now_string(clock: Callable[[], float] = time.time) -> str:
    """``ApiDateTime`` text: seven fractional digits and ``Z``."""
    return datetime.fromtimestamp(clock(), UTC).strftime(DATE_FORMAT) + "0Z"


def format_date(value: datetime) -> str:
    """A datetime as ``ApiDateTime`` text (UTC)."""
    return value.astimezone(UTC).strftime(DATE_FORMAT) + "0Z"


class PortalCore:
    """The portal's shared state: seeded on creation, mutated by API calls, optionally persisted."""

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
        self.settings = PortalSettings()  # which kind of portal this is (kept across resets)
        self.viewer: User | None = None  # the caller of the request being answered (for DTO flags)
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
            self.dirty = seed.add_key_users(self.state)  # files from before --key-user existed
        else:
            self.state = seed.build()
            self.dirty = self._state_file is not None

    # ------------------------------------------------------------------ housekeeping

    def reset(self) -> None:
        """Back to the seeded portal (still asking for the same port next time)."""
        with self.lock:
            port = self.state.port
            self.state = seed.build()
            self.state.port = port
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
        user_id = self.state.user_id_by_email(email.strip().casefold())
        return self.state.users.get(user_id) if user_id is not None else None

    def folder(self, folder_id: int) -> Folder | None:
        """The folder (or room) with that id, or None."""
        return self.state.folders.get(folder_id)

    def section(self, folder: Folder) -> str:
        """The system section an entry lives in: ``my``, ``rooms``, ``archive`` or ``templates``."""
        current: Folder | None = folder
        while current is not None and current.system is None:
            current = self.state.folders.get(current.parent_id) if current.parent_id is not None else None
        return current.system if current is not None and current.system else "rooms"

    def root_folder_type(self, folder: Folder) -> int:
        """``rootFolderType``: 5 My documents, 14 Rooms, 20 Archive, 30 Templates."""
        return {
            "my": r.FT_USER, "rooms": r.FT_VIRTUAL_ROOMS, "archive": r.FT_ARCHIVE, "templates": r.FT_ROOM_TEMPLATES,
        }[self.section(folder)]  # fmt: skip

    def root_folder_id(self, folder: Folder) -> int:
        """Id of the section folder above the entry (each user's My documents is its own)."""
        section = self.section(folder)
        if section == "my":
            return self.path(folder)[0].id
        return {"rooms": seed.FOLDER_ROOMS, "templates": seed.FOLDER_TEMPLATES}.get(
            section, seed.FOLDER_ARCHIVE
        )

    def key_holder(self) -> User | None:
        """The account the API key belongs to (``key_user`` setting)."""
        return self.user(seed.user_id(seed.KEY_USER_EMAILS[self.settings.key_user]))

    def my_folder(self, actor: User) -> Folder | None:
        """The caller's own My documents (``@my``), or None for accounts without one."""
        found = (self.state.folders.get(fid) for fid in seed.MY_DOCUMENTS_IDS)
        return next((f for f in found if f is not None and f.created_by == actor.id), None)

    def parent_room(self, folder: Folder) -> Folder | None:
        """The room an entry sits in (the folder itself if it is a room)."""
        current: Folder | None = folder
        while current is not None and current.room_type is None:
            current = self.state.folders.get(current.parent_id) if current.parent_id is not None else None
        return current

    def refuses_file(self, dest: Folder, entry_is_form: bool) -> bool:
        """Whether a new file saved in ``dest`` is refused because it is not a PDF form.

        ``FileDao.SaveFileAsync`` (DocSpace-server 3.7.2, ``products/ASC.Files/Core/Core/Dao/
        TeamlabDao/FileDao.cs``): a new file whose room (``GetParentRoomInfoFromFileEntryAsync``,
        any depth) is a FillingFormsRoom outside the Templates section is deleted again unless
        ``file.IsForm``, and ``throw new Exception(ErrorMessage_UploadToFormRoom)`` follows."""
        room = self.parent_room(dest)
        return (
            not entry_is_form
            and room is not None
            and room.room_type == r.FILLING
            and self.section(room) != "templates"
        )

    def path(self, folder: Folder) -> list[Folder]:
        """Section folder first, the folder itself last."""
        chain: list[Folder] = []
        current: Folder | None = folder
        while current is not None:
            chain.append(current)
            current = self.state.folders.get(current.parent_id) if current.parent_id is not None else None
        return list(reversed(chain))

    def children(self, folder_id: int) -> tuple[list[Folder], list[File]]:
        """Direct sub-folders and files, newest first (the server's default DateAndTime sort).

        Read from the state's child index, so the cost is the folder's size, not the portal's."""
        folder_ids, file_ids = self.state.child_ids(folder_id)
        folders = [self.state.folders[i] for i in sorted(folder_ids, reverse=True)]
        files = [self.state.files[i] for i in sorted(file_ids, reverse=True)]
        return folders, files

    def child_counts(self, folder_id: int) -> tuple[int, int]:
        """(sub-folders, files) directly in the folder, without building the lists."""
        folder_ids, file_ids = self.state.child_ids(folder_id)
        return len(folder_ids), len(file_ids)

    def _can_manage_rooms(self, actor: User) -> bool:
        return actor.kind in ("owner", "admin", "roomadmin")

    def _require_folder(self, folder_id: int) -> Folder:
        folder = self.folder(folder_id)
        if folder is None:
            raise e.NotFound(e.MSG_FOLDER_NOT_FOUND)
        return folder

    def is_docspace_admin(self, actor: User) -> bool:
        """EmployeeType DocSpaceAdmin: the owner and the admins."""
        return actor.kind in ("owner", "admin")

    def _shared_entry(self, folder_id: int) -> Folder:
        """``FileStorageService.GetEntryAsync`` for the share and link lists: a missing entry is
        ``NotFoundIfNull()``'s 404 "Item not found"."""
        folder = self.folder(folder_id)
        if folder is None:
            raise e.NotFound("Item not found")
        return folder

    def _can_read(self, actor: User, folder: Folder) -> bool:
        """``FileSecurity.FilterEntryAsync`` Read: My documents only for its holder (admins
        included: FolderType.USER has no admin exception); rooms for DocSpace admins, the room's
        creator and its members (``GetVirtualRoomsForMeAsync``); templates without the admin exception."""
        if folder.system in ("rooms", "archive", "templates"):
            return True  # the Rooms, Archive and Templates sections: any signed-in account
        if self.section(folder) == "my":
            return self.path(folder)[0].created_by == actor.id
        room = self.parent_room(folder)
        if room is None:
            return self.is_docspace_admin(actor) or folder.created_by == actor.id
        if self.section(room) == "templates":
            # FilterEntryAsync, RootFolderType RoomTemplates: no DocSpace-admin exception; the
            # creator (HasFullAccessAsync) or an ACE, which counts for room admins and admins only.
            return room.created_by == actor.id or (
                actor.id in room.members and actor.kind not in ("user", "guest")
            )
        return self.is_docspace_admin(actor) or room.created_by == actor.id or actor.id in room.members

    def get_folder(self, actor: User | None, folder_id: int) -> Folder:
        """``GetFolderAsync``: 404 if missing; anonymous callers of an existing folder get 401."""
        folder = self._require_folder(folder_id)
        if actor is None:
            raise e.NotAuthenticated()
        if not self._can_read(actor, folder):
            raise e.Forbidden("You don't have enough permission to view the folder content")
        return folder

    def _can_view(self, actor: User, target: User) -> bool:
        """``CanUserViewAnotherUserAsync``: admins see everyone; room admins every non-guest and
        the guests related to them (``UserRelation``, made when they invited the guest)."""
        if self.is_docspace_admin(actor) or actor.id == target.id:
            return True
        if actor.kind == "roomadmin":
            return target.kind != "guest" or actor.id in target.related_to or target.invited_by == actor.id
        return False

    def _can_create_in(self, actor: User, parent: Folder) -> bool:
        if parent.system in ("rooms", "archive"):
            return self._can_manage_rooms(actor) or parent.system == "archive"
        if self.section(parent) == "my":
            return parent.created_by == actor.id
        room = self.parent_room(parent)
        if room is None:
            return False
        # Create needs RoomManager/ContentCreator or the room's creator (``HasFullAccessAsync``);
        # DocSpace admins get no exception for it in rooms they neither created nor joined.
        if room.created_by == actor.id:
            return True
        return room.members.get(actor.id) in (r.ROOM_MANAGER, r.CONTENT_CREATOR)

    def get_room(self, actor: User, room_id: int) -> Folder:
        """A room for a write call: 404 via ``GetFolderAsync`` when missing."""
        folder = self._require_folder(room_id)
        if not self._can_read(actor, folder):
            raise e.AccessDenied()
        return folder

    def _can_edit_room(self, actor: User, room: Folder) -> bool:
        """EditRoom / EditAccess: the room's creator or a Room manager. A DocSpace admin who is
        neither only reads (``FilterEntryAsync`` gives admins Read, Move, Delete … but not these)."""
        return room.created_by == actor.id or room.members.get(actor.id) == r.ROOM_MANAGER

    def _can_archive(self, actor: User, room: Folder) -> bool:
        """Move (archive, unarchive) and Delete of a room: DocSpace admins and the room's creator;
        a Room manager may not (``FilterEntryAsync``: Move with RoomManager is for non-rooms)."""
        return self.is_docspace_admin(actor) or room.created_by == actor.id

    def share_link_url(self, link: Link) -> str:
        """The short link the portal hands out."""
        return f"{self.base_url}/s/{link.key}"
