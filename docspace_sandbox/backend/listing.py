"""Folder listing filters and orders (``FilterType``, ``SortedByType``), as pure functions.

Server source: ``FolderContentDtoHelper.GetAsync`` (``SortedByTypeExtensions.TryParse(sortBy,
ignoreCase)``; no match = no ordering, the DAO's newest-first default), ``FolderDao`` /
``FileDao`` filter branches (folders only for FoldersOnly and room-type filters, files only for
the file-kind filters) and ``FileUtility``'s extension groups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import File, Folder, User

_EXTENSIONS: dict[int, frozenset[str]] = {
    3: frozenset(
        [
            ".doc",
            ".docx",
            ".docm",
            ".dot",
            ".dotx",
            ".dotm",
            ".odt",
            ".ott",
            ".fodt",
            ".rtf",
            ".txt",
            ".html",
            ".htm",
            ".mht",
            ".epub",
            ".fb2",
            ".md",
        ]
    ),
    4: frozenset(
        [
            ".ppt",
            ".pptx",
            ".pptm",
            ".pps",
            ".ppsx",
            ".ppsm",
            ".pot",
            ".potx",
            ".potm",
            ".odp",
            ".otp",
            ".fodp",
        ]
    ),
    5: frozenset(
        [".xls", ".xlsx", ".xlsm", ".xlsb", ".xlt", ".xltx", ".xltm", ".ods", ".ots", ".fods", ".csv"]
    ),
    7: frozenset(
        [".bmp", ".gif", ".jpg", ".jpeg", ".png", ".svg", ".tif", ".tiff", ".webp", ".heic", ".ico"]
    ),
    10: frozenset([".zip", ".rar", ".7z", ".tar", ".gz", ".bz2"]),
    12: frozenset(
        [".mp3", ".mp4", ".wav", ".ogg", ".oga", ".avi", ".mov", ".m4a", ".m4v", ".mkv", ".webm", ".flac"]
    ),
    22: frozenset({".pdf"}),
    25: frozenset([".vsdx", ".vsdm", ".vssx", ".vssm", ".vstx", ".vstm"]),
}
# FilterType room filters -> FolderType of the room (FillingFormsRooms 13 … AiRooms 26).
_ROOM_FILTERS: dict[int, int] = {13: 1, 14: 2, 17: 5, 20: 6, 24: 8, 26: 9}
FILTER_TYPES: dict[str, int] = {
    "None": 0,
    "FilesOnly": 1,
    "FoldersOnly": 2,
    "DocumentsOnly": 3,
    "PresentationsOnly": 4,
    "SpreadsheetsOnly": 5,
    "ImagesOnly": 7,
    "ByUser": 8,
    "ByDepartment": 9,
    "ArchiveOnly": 10,
    "ByExtension": 11,
    "MediaOnly": 12,
    "FillingFormsRooms": 13,
    "EditingRooms": 14,
    "CustomRooms": 17,
    "PublicRooms": 20,
    "Pdf": 22,
    "PdfForm": 23,
    "VirtualDataRooms": 24,
    "DiagramsOnly": 25,
    "AiRooms": 26,
}
SORT_ORDERS: dict[str, int] = {"Ascending": 0, "Descending": 1}
SORTED_BY: dict[str, int] = {
    "DateAndTime": 0,
    "AZ": 1,
    "Size": 2,
    "Author": 3,
    "Type": 4,
    "New": 5,
    "DateAndTimeCreation": 6,
    "RoomType": 7,
    "Tags": 8,
    "Room": 9,
    "CustomOrder": 10,
    "LastOpened": 11,
    "UsedSpace": 12,
}

Entry = Folder | File
SortKey = Callable[[Entry, User | None], Any]


def extension(title: str) -> str:
    """``FileUtility.GetFileExtension``: the lower-cased extension with its dot, or ""."""
    dot = title.rfind(".")
    return title[dot:].lower() if dot > 0 else ""


def apply_filter(
    filter_type: int, folders: list[Folder], files: list[File]
) -> tuple[list[Folder], list[File]]:
    """Keep what ``filter_type`` selects (None/ByUser/ByDepartment/ByExtension: no narrowing here)."""
    if filter_type == 1:
        return [], files
    if filter_type == 2:
        return folders, []
    if filter_type in _ROOM_FILTERS:
        return [f for f in folders if f.room_type == _ROOM_FILTERS[filter_type]], []
    if filter_type in _EXTENSIONS:
        wanted = _EXTENSIONS[filter_type]
        return [], [f for f in files if extension(f.title) in wanted]
    if filter_type == 23:  # PdfForm: the sandbox stores no form flag, so no file qualifies
        return [], []
    return folders, files


def _size(entry: Entry, _: User | None) -> Any:
    return (entry.size if isinstance(entry, File) else 0, entry.id)


def _author(entry: Entry, creator: User | None) -> Any:
    name = f"{creator.first_name} {creator.last_name}".strip() if creator else ""
    return (name.casefold(), entry.id)


_KEYS: dict[int, SortKey] = {
    0: lambda entry, _: entry.id,
    1: lambda entry, _: (entry.title.casefold(), entry.id),
    2: _size,
    3: _author,
    4: lambda entry, _: (extension(entry.title), entry.title.casefold()),
    6: lambda entry, _: entry.id,
}


def sort_key(sort_by: str | None) -> SortKey | None:
    """The key for a ``sortBy`` name (case-insensitive); None when the name is not a SortedByType.

    Orders the sandbox has no data for (New, Tags, LastOpened, …) fall back to date order.
    """
    if sort_by is None:
        return None
    text = sort_by.strip().casefold()
    value = next((v for k, v in SORTED_BY.items() if k.casefold() == text), None)
    if value is None:
        return None
    return _KEYS.get(value, _KEYS[0])
