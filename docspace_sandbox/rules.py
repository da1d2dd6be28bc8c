"""Static DocSpace rules: enums, the role tables and title sanitising, as read from the server source.

Kept apart from the backend so the tables can be read (and tested) on their own. Sources:
``FileSecurity.AvailableRoomAccesses`` / ``AvailableUserAccesses`` / ``_linkCountRoomSettingsAccesses``
and ``Global.ReplaceInvalidCharsAndTruncate`` in ONLYOFFICE/DocSpace-server.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# FileShare
NONE, READ_WRITE, READ, RESTRICT, VARIES, REVIEW, COMMENT, FILL_FORMS, CUSTOM_FILTER = range(9)
ROOM_MANAGER, EDITING, CONTENT_CREATOR = 9, 10, 11
FILE_SHARE_NAMES: Final[dict[str, int]] = {
    "None": NONE,
    "ReadWrite": READ_WRITE,
    "Read": READ,
    "Restrict": RESTRICT,
    "Varies": VARIES,
    "Review": REVIEW,
    "Comment": COMMENT,
    "FillForms": FILL_FORMS,
    "CustomFilter": CUSTOM_FILTER,
    "RoomManager": ROOM_MANAGER,
    "Editing": EDITING,
    "ContentCreator": CONTENT_CREATOR,
}
FILE_SHARE_BY_VALUE: Final[dict[int, str]] = {v: k for k, v in FILE_SHARE_NAMES.items()}

# RoomType (request enum) and the FolderType each maps to.
ROOM_TYPES: Final[dict[str, int]] = {
    "FillingFormsRoom": 1,
    "EditingRoom": 2,
    "CustomRoom": 5,
    "PublicRoom": 6,
    "VirtualDataRoom": 8,
    "AiRoom": 9,
}
FILLING, COLLAB, CUSTOM, PUBLIC, VDR, AI = 1, 2, 5, 6, 8, 9

# SubjectType
SUBJ_USER, SUBJ_EXTERNAL, SUBJ_GROUP, SUBJ_INVITATION, SUBJ_PRIMARY = 0, 1, 2, 3, 4
SUBJECT_NAMES: Final[dict[int, str]] = {
    SUBJ_USER: "User",
    SUBJ_EXTERNAL: "ExternalLink",
    SUBJ_GROUP: "Group",
    SUBJ_INVITATION: "InvitationLink",
    SUBJ_PRIMARY: "PrimaryExternalLink",
}

# FolderType values used in DTOs.
FT_USER, FT_VIRTUAL_ROOMS, FT_ARCHIVE = 5, 14, 20
FT_ROOM_TEMPLATES = 30  # FolderType.RoomTemplates: the Templates section

_DEFAULT_LINK_ACCESS = frozenset({EDITING, FILL_FORMS, REVIEW, COMMENT, READ, NONE})

ROOM_ACCESSES: Final[dict[int, dict[int, frozenset[int]]]] = {
    CUSTOM: {
        SUBJ_USER: frozenset({ROOM_MANAGER, CONTENT_CREATOR, EDITING, REVIEW, COMMENT, READ, NONE}),
        SUBJ_GROUP: frozenset({CONTENT_CREATOR, EDITING, REVIEW, COMMENT, READ, NONE}),
        SUBJ_INVITATION: frozenset({CONTENT_CREATOR, EDITING, REVIEW, COMMENT, READ, NONE}),
        SUBJ_EXTERNAL: _DEFAULT_LINK_ACCESS,
        SUBJ_PRIMARY: _DEFAULT_LINK_ACCESS,
    },
    PUBLIC: {
        SUBJ_USER: frozenset({ROOM_MANAGER, CONTENT_CREATOR, NONE}),
        SUBJ_GROUP: frozenset({CONTENT_CREATOR, NONE}),
        SUBJ_INVITATION: frozenset({CONTENT_CREATOR, READ, NONE}),
        SUBJ_EXTERNAL: _DEFAULT_LINK_ACCESS,
        SUBJ_PRIMARY: _DEFAULT_LINK_ACCESS,
    },
    FILLING: {
        SUBJ_USER: frozenset({ROOM_MANAGER, CONTENT_CREATOR, FILL_FORMS, NONE}),
        SUBJ_GROUP: frozenset({CONTENT_CREATOR, FILL_FORMS, NONE}),
        SUBJ_INVITATION: frozenset({CONTENT_CREATOR, FILL_FORMS, NONE}),
        SUBJ_EXTERNAL: frozenset({FILL_FORMS, READ, NONE}),
        SUBJ_PRIMARY: frozenset({FILL_FORMS, READ, NONE}),
    },
    COLLAB: {
        SUBJ_USER: frozenset({ROOM_MANAGER, CONTENT_CREATOR, EDITING, READ, NONE}),
        SUBJ_GROUP: frozenset({CONTENT_CREATOR, EDITING, READ, NONE}),
        SUBJ_INVITATION: frozenset({CONTENT_CREATOR, EDITING, READ, NONE}),
    },
    VDR: {
        SUBJ_USER: frozenset({ROOM_MANAGER, CONTENT_CREATOR, EDITING, READ, FILL_FORMS, NONE}),
        SUBJ_GROUP: frozenset({CONTENT_CREATOR, EDITING, READ, FILL_FORMS, NONE}),
        SUBJ_INVITATION: frozenset({CONTENT_CREATOR, EDITING, READ, FILL_FORMS, NONE}),
    },
    AI: {
        SUBJ_USER: frozenset({ROOM_MANAGER, CONTENT_CREATOR, READ, NONE}),
        SUBJ_GROUP: frozenset({CONTENT_CREATOR, READ, NONE}),
        SUBJ_INVITATION: frozenset({CONTENT_CREATOR, READ, NONE}),
    },
}

# EmployeeType per sandbox user kind; the owner counts as a DocSpace admin for role checks.
_ADMIN_ROLES = frozenset({ROOM_MANAGER, CONTENT_CREATOR, EDITING, FILL_FORMS, REVIEW, COMMENT, READ, NONE})
_MEMBER_ROLES = frozenset({CONTENT_CREATOR, EDITING, REVIEW, COMMENT, FILL_FORMS, READ, NONE})
USER_ACCESSES: Final[dict[str, frozenset[int]]] = {
    "owner": _ADMIN_ROLES,
    "admin": _ADMIN_ROLES,
    "roomadmin": _ADMIN_ROLES,
    "user": _MEMBER_ROLES,
    "guest": _MEMBER_ROLES,
}

# Link-count limits per room type; a missing entry means 0. Invitation links: always 1.
LINK_LIMITS: Final[dict[int, dict[int, int]]] = {
    CUSTOM: {SUBJ_PRIMARY: 1, SUBJ_EXTERNAL: 5},
    PUBLIC: {SUBJ_PRIMARY: 1, SUBJ_EXTERNAL: 5},
    FILLING: {SUBJ_PRIMARY: 1},
}
MAX_INVITATION_LINKS: Final = 1

MAX_ROOM_TITLE: Final = 170
MAX_FOLDER_TITLE: Final = 165
_MAX_STORED_TITLE: Final = 170
_INVALID_TITLE_CHARS = re.compile(r'[\t*+:"<>?|\\/]')
_DOTNET_EXTRA_SPACE = frozenset("\t\n\v\f\r\x85\xa0")


def utf16_len(text: str) -> int:
    """Length as .NET counts it (UTF-16 code units): ``[StringLength]`` and truncation use this."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _is_dotnet_space(ch: str) -> bool:
    return ch in _DOTNET_EXTRA_SPACE or unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def dotnet_trim(text: str) -> str:
    """``string.Trim()``: strips what ``char.IsWhiteSpace`` accepts (not Python's wider set)."""
    start, end = 0, len(text)
    while start < end and _is_dotnet_space(text[start]):
        start += 1
    while end > start and _is_dotnet_space(text[end - 1]):
        end -= 1
    return text[start:end]


def _utf16_units(text: str) -> list[str]:
    """Split into UTF-16 code units; surrogate halves come back as lone-surrogate characters."""
    units: list[str] = []
    for ch in text:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            units.append(chr(0xD800 + (code >> 10)))
            units.append(chr(0xDC00 + (code & 0x3FF)))
        else:
            units.append(ch)
    return units


def sanitize_title(title: str) -> str:
    """``Global.ReplaceInvalidCharsAndTruncate``: trim, cut to 170 units (keeping the extension),
    then replace tab, ``* + : " < > ? | \\ /`` and every surrogate code unit with ``_``.

    An emoji is two UTF-16 code units, so it becomes ``__`` (the regex class ``\\p{Cs}`` matches
    each half separately).
    """
    units = _utf16_units(dotnet_trim(title))
    if len(units) > _MAX_STORED_TITLE:
        joined = "".join(units)
        pos = joined.rfind(".")
        if pos > _MAX_STORED_TITLE - 20:
            units = units[: _MAX_STORED_TITLE - (len(units) - pos)] + units[pos:]
        else:
            units = units[:_MAX_STORED_TITLE]
    out = ["_" if 0xD800 <= ord(u) <= 0xDFFF else u for u in units]
    return _INVALID_TITLE_CHARS.sub("_", "".join(out))


_RENAME_RE = re.compile(r"( \((?P<index>[0-9]+)\)(\.[^.]*)?)$")


def available_title(title: str, exists: set[str], *, is_file: bool) -> str:
    """``Global.GetAvailableTitleAsync``: insert `` (1)`` before the extension, then count up."""
    if title not in exists:
        return title
    insert = title.rfind(".") if is_file and "." in title else len(title)
    title = f"{title[:insert]} (1){title[insert:]}"
    while title in exists:
        match = _RENAME_RE.search(title)
        if match is None:  # pragma: no cover - the pattern always matches after the insert
            break
        index = int(match.group("index"))
        tail = match.group(0)[len(f" ({index})") :]
        title = title[: match.start()] + f" ({index + 1}){tail}"
    return title
