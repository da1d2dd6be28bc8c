"""Integer enums of the DocSpace API, with the values the server really uses.

Sent as integers always: ``linkType`` and ``searchArea`` accept only integers on the server, and
an unknown ``access`` *name* silently becomes 0 = remove (docspace-api.md §6, §13.11).
"""

from __future__ import annotations

from enum import IntEnum


class RoomType(IntEnum):
    """``roomType`` of ``POST files/rooms``; 2 is what the web UI calls a Collaboration room."""

    FILLING_FORMS = 1
    COLLABORATION = 2
    CUSTOM = 5
    PUBLIC = 6
    VIRTUAL_DATA = 8
    AI = 9

    @property
    def label(self) -> str:
        return _ROOM_LABELS[self]

    @classmethod
    def label_of(cls, value: int) -> str:
        """The label of a ``roomType`` read from the portal, one this client does not know included."""
        try:
            return cls(value).label
        except ValueError:
            return f"room of type {value}"


_ROOM_LABELS = {
    RoomType.FILLING_FORMS: "Form filling room",
    RoomType.COLLABORATION: "Collaboration room",
    RoomType.CUSTOM: "Custom room",
    RoomType.PUBLIC: "Public room",
    RoomType.VIRTUAL_DATA: "Virtual data room",
    RoomType.AI: "AI room",
}


class FileShare(IntEnum):
    """``access`` values (the server's FileShare enum). 1 and 4 are never valid for rooms."""

    NONE = 0
    READ_WRITE = 1
    READ = 2
    RESTRICT = 3
    VARIES = 4
    REVIEW = 5
    COMMENT = 6
    FILL_FORMS = 7
    CUSTOM_FILTER = 8
    ROOM_MANAGER = 9
    EDITING = 10
    CONTENT_CREATOR = 11

    @property
    def label(self) -> str:
        return _SHARE_LABELS.get(self, self.name.replace("_", " ").title())


_SHARE_LABELS = {
    FileShare.NONE: "No access",
    FileShare.READ: "Viewer (read-only)",
    FileShare.ROOM_MANAGER: "Room manager",
    FileShare.EDITING: "Editor",
    FileShare.CONTENT_CREATOR: "Content creator",
    FileShare.FILL_FORMS: "Form filler",
    FileShare.REVIEW: "Reviewer",
    FileShare.COMMENT: "Commenter",
}


class LinkType(IntEnum):
    """``linkType`` of ``PUT files/rooms/{id}/links`` (integers only on the server)."""

    INVITATION = 0
    EXTERNAL = 1


class SearchArea(IntEnum):
    """``searchArea`` of ``GET files/rooms``."""

    ACTIVE = 0
    ARCHIVE = 1
    ANY = 2
    TEMPLATES = 4
    """The Templates section (room templates); "Any" never includes it (``FileSecurity.GetVirtualRoomsAsync``)."""


class FolderType(IntEnum):
    """``rootFolderType`` values we look at: active rooms vs archived ones."""

    VIRTUAL_ROOMS = 14
    ARCHIVE = 20
    ROOM_TEMPLATES = 30


class OperationStatus(IntEnum):
    """``status`` of a long-running file operation (archive, delete)."""

    CREATED = 0
    RUNNING = 1
    COMPLETED = 2
    CANCELED = 3
    FAILED = 4


# Which roles the server accepts per room type, for a person and for a link (AvailableRoomAccesses),
# and which link types a room type may have. Source: docspace-api.md §6 and §7.
USER_ROLES: dict[RoomType, frozenset[FileShare]] = {
    RoomType.COLLABORATION: frozenset({FileShare(v) for v in (9, 11, 10, 2)}),
    RoomType.CUSTOM: frozenset({FileShare(v) for v in (9, 11, 10, 5, 6, 2)}),
    RoomType.PUBLIC: frozenset({FileShare(v) for v in (9, 11)}),
    RoomType.FILLING_FORMS: frozenset({FileShare(v) for v in (9, 11, 7)}),
    RoomType.VIRTUAL_DATA: frozenset({FileShare(v) for v in (9, 11, 10, 2, 7)}),
    RoomType.AI: frozenset({FileShare(v) for v in (9, 11, 2)}),
}
INVITATION_LINK_ROLES: dict[RoomType, frozenset[FileShare]] = {
    RoomType.COLLABORATION: frozenset({FileShare(v) for v in (11, 10, 2)}),
    RoomType.CUSTOM: frozenset({FileShare(v) for v in (11, 10, 5, 6, 2)}),
    RoomType.PUBLIC: frozenset({FileShare(v) for v in (11, 2)}),
    RoomType.FILLING_FORMS: frozenset({FileShare(v) for v in (11, 7)}),
    RoomType.VIRTUAL_DATA: frozenset({FileShare(v) for v in (11, 10, 2, 7)}),
    RoomType.AI: frozenset({FileShare(v) for v in (11, 2)}),
}
EXTERNAL_LINK_ROLES: dict[RoomType, frozenset[FileShare]] = {
    RoomType.CUSTOM: frozenset({FileShare(v) for v in (10, 7, 5, 6, 2)}),
    RoomType.PUBLIC: frozenset({FileShare(v) for v in (10, 7, 5, 6, 2)}),
    RoomType.FILLING_FORMS: frozenset({FileShare(v) for v in (7, 2)}),
}
# Additional external links a room may hold besides its primary one, per room type (a room type
# absent here has no external links at all). Where it is 0 the client's link is the room's primary
# external link, updated in place. Source: FileSecurity._linkCountRoomSettingsAccesses and the count
# check in FileSharing (DocSpace-server v3.7.2): a new one past the count is 403 "The maximum
# number of links may not exceed N".
ADDITIONAL_EXTERNAL_LINKS: dict[RoomType, int] = {
    RoomType.CUSTOM: 5,
    RoomType.PUBLIC: 5,
    RoomType.FILLING_FORMS: 0,
}
# Roles a room type refuses to guests although its members may hold them (docspace-api.md §6:
# "In AI rooms guests also cannot get 11"); the client, invited by e-mail, is a guest.
GUEST_REFUSED_ROLES: dict[RoomType, frozenset[FileShare]] = {
    RoomType.AI: frozenset({FileShare.CONTENT_CREATOR}),
}
# Roles a plain user or a guest may never hold (only room admins, DocSpace admins, the owner).
ADMIN_ONLY_ROLES = frozenset({FileShare.ROOM_MANAGER})
