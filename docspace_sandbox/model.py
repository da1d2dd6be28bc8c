"""Plain records the backend keeps in memory and persists as JSON, and the folder-tree index."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class User:
    """A portal account; ``kind`` is owner, admin, roomadmin, user or guest."""

    id: str
    email: str
    first_name: str
    last_name: str
    kind: str
    activation_status: int = 1  # 0 NotActivated, 1 Activated, 2 Pending
    status: int = 1  # EmployeeStatus: 1 Active, 2 Terminated, 4 Pending
    created: str = ""
    invited_by: str | None = None
    related_to: list[str] = field(default_factory=list)  # ids with a UserRelation to this user


@dataclass
class Link:
    """A room link ACE: invitation (3), additional external (1) or primary external (4)."""

    id: str
    subject: int
    access: int
    title: str
    key: str
    expiration: str | None = None
    password: str | None = None
    deny_download: bool = False
    internal: bool = False
    max_use_count: int | None = None
    current_use_count: int = 0
    request_token: str | None = None


@dataclass
class Folder:
    """A folder; rooms are folders with a ``room_type`` (their id doubles as the folder id)."""

    id: int
    title: str
    parent_id: int | None
    created: str
    created_by: str
    updated: str
    room_type: int | None = None
    tags: list[str] = field(default_factory=list)
    members: dict[str, int] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    system: str | None = None  # "my", "rooms", "archive" for the section folders
    form_roles: list[str] = field(default_factory=list)
    """Ids of users holding a role in a form of this Virtual data room (``FileDao.
    GetUserFormRolesInRoom``); set through the control plane (``POST /__sandbox__/rooms/form-role``)."""


@dataclass
class File:
    """A file entry (content is not stored; ``size`` feeds the DTO's length fields)."""

    id: int
    title: str
    folder_id: int
    size: int
    created: str
    created_by: str
    is_form: bool = False
    """An ONLYOFFICE PDF form (``File.IsForm``: ``Category == FilterType.PdfForm``), the only kind
    of file a Form filling room takes."""


@dataclass
class Operation:
    """An asynchronous file operation: ``kind`` Move 0 (archive, unarchive, move), Copy 1, Delete 2."""

    id: str
    kind: int
    user_id: str
    room_id: int  # the room of archive/unarchive (0 for other operations)
    action: str  # "archive", "unarchive", "delete", "copy", "move"
    started: float
    hold: bool
    polls: int = 0
    finished: bool = False
    error: str = ""
    folder_ids: list[int] = field(default_factory=list)
    file_ids: list[int] = field(default_factory=list)
    dest_id: int | None = None
    conflict: int = 0  # FileConflictResolveType: 0 Skip, 1 Overwrite, 2 Duplicate
    result_folders: list[int] = field(default_factory=list)
    result_files: list[int] = field(default_factory=list)
    canceled: bool = False  # DistributedTaskStatus.Canceled (3): finished without doing the work


def to_jsonable(obj: Any) -> Any:
    """Dataclass tree → JSON-ready dicts."""
    return asdict(obj)


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild one record, ignoring keys the class no longer has."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class PortalState:
    """Everything the portal knows; one instance per sandbox, guarded by the backend's lock."""

    owner_id: str
    users: dict[str, User] = field(default_factory=dict)
    folders: dict[int, Folder] = field(default_factory=dict)
    files: dict[int, File] = field(default_factory=dict)
    ops: list[Operation] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)  # casefolded name -> stored name
    groups: dict[str, str] = field(default_factory=dict)  # group id -> name (no members modelled)
    next_id: int = 100
    port: int | None = None  # where this portal last listened; a keep_port sandbox asks for it again
    # Folder id -> ids of its direct sub-folders / files. Derived (never persisted) and kept up to
    # date by the add/move/remove methods below, so a listing costs its own size, not the portal's.
    child_folders: dict[int, set[int]] = field(default_factory=dict, repr=False, compare=False)
    child_files: dict[int, set[int]] = field(default_factory=dict, repr=False, compare=False)
    # Casefolded tag -> ids of the rooms carrying it, and casefolded e-mail -> user id: derived
    # the same way, so a tag or e-mail look-up does not scan every room or person.
    tagged: dict[str, set[int]] = field(default_factory=dict, repr=False, compare=False)
    emails: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # The tenant's room-template jobs by kind (backend/templates.py); transient like the server's
    # task queue, so never persisted.
    template_jobs: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def new_id(self) -> int:
        """Folder and file ids share one counter, so an id never names two entries."""
        self.next_id += 1
        return self.next_id

    def add_user(self, user: User) -> None:
        """Store a person and index their e-mail."""
        self.users[user.id] = user
        self.emails[user.email.casefold()] = user.id

    def user_id_by_email(self, email: str) -> str | None:
        """The id of the person with that (casefolded) e-mail; the index is rebuilt if someone
        was stored without :meth:`add_user`."""
        if len(self.emails) != len(self.users):
            self.emails = {u.email.casefold(): u.id for u in self.users.values()}
        return self.emails.get(email)

    def set_tags(self, room: Folder, tags: list[str]) -> None:
        """Give a room exactly these tags, keeping the tag index in step."""
        for name in room.tags:
            self.tagged.get(name.casefold(), set()).discard(room.id)
        room.tags = list(tags)
        for name in room.tags:
            self.tagged.setdefault(name.casefold(), set()).add(room.id)

    def rooms_tagged(self, names: set[str]) -> set[int]:
        """Ids of the rooms carrying any of these casefolded tag names."""
        found: set[int] = set()
        for name in names:
            found |= self.tagged.get(name, set())
        return found

    def add_folder(self, folder: Folder) -> None:
        """Store a folder (or room) and index it under its parent (and by its tags)."""
        self.folders[folder.id] = folder
        if folder.parent_id is not None:
            self.child_folders.setdefault(folder.parent_id, set()).add(folder.id)
        for name in folder.tags:
            self.tagged.setdefault(name.casefold(), set()).add(folder.id)

    def add_file(self, entry: File) -> None:
        """Store a file and index it under its folder."""
        self.files[entry.id] = entry
        self.child_files.setdefault(entry.folder_id, set()).add(entry.id)

    def move_folder(self, folder: Folder, parent_id: int) -> None:
        """Re-parent a folder, keeping the index in step."""
        if folder.parent_id is not None:
            self.child_folders.get(folder.parent_id, set()).discard(folder.id)
        folder.parent_id = parent_id
        self.child_folders.setdefault(parent_id, set()).add(folder.id)

    def move_file(self, entry: File, folder_id: int) -> None:
        """Move a file to another folder, keeping the index in step."""
        self.child_files.get(entry.folder_id, set()).discard(entry.id)
        entry.folder_id = folder_id
        self.child_files.setdefault(folder_id, set()).add(entry.id)

    def remove_file(self, file_id: int) -> None:
        """Forget a file (no-op when already gone)."""
        entry = self.files.pop(file_id, None)
        if entry is not None:
            self.child_files.get(entry.folder_id, set()).discard(file_id)

    def remove_folder(self, folder_id: int) -> None:
        """Forget a folder and everything below it."""
        for child in list(self.child_folders.get(folder_id, ())):
            self.remove_folder(child)
        for fid in list(self.child_files.get(folder_id, ())):
            self.remove_file(fid)
        self.child_folders.pop(folder_id, None)
        self.child_files.pop(folder_id, None)
        folder = self.folders.pop(folder_id, None)
        if folder is not None and folder.parent_id is not None:
            self.child_folders.get(folder.parent_id, set()).discard(folder_id)
        for name in folder.tags if folder is not None else ():
            self.tagged.get(name.casefold(), set()).discard(folder_id)

    def child_ids(self, folder_id: int) -> tuple[set[int], set[int]]:
        """Ids of the direct sub-folders and files (live sets: copy before mutating the tree)."""
        return self.child_folders.get(folder_id, set()), self.child_files.get(folder_id, set())

    def dump(self) -> dict[str, Any]:
        """JSON-ready snapshot used by ``--state FILE``."""
        return {
            "owner_id": self.owner_id,
            "users": [to_jsonable(u) for u in self.users.values()],
            "folders": [to_jsonable(f) for f in self.folders.values()],
            "files": [to_jsonable(f) for f in self.files.values()],
            "ops": [to_jsonable(o) for o in self.ops],
            "tags": dict(self.tags),
            "groups": dict(self.groups),
            "next_id": self.next_id,
            "port": self.port,
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> PortalState:
        """Inverse of :meth:`dump`."""
        state = cls(
            owner_id=data["owner_id"],
            tags=dict(data.get("tags", {})),
            groups=dict(data.get("groups", {})),
            next_id=data["next_id"],
            port=data.get("port"),
        )
        for raw in data.get("users", []):
            state.add_user(from_dict(User, raw))
        for raw in data.get("folders", []):
            links = [from_dict(Link, link) for link in raw.get("links", [])]
            state.add_folder(from_dict(Folder, {**raw, "links": links}))
        for raw in data.get("files", []):
            state.add_file(from_dict(File, raw))
        state.ops = [from_dict(Operation, raw) for raw in data.get("ops", [])]
        return state
