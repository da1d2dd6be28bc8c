"""Render backend records as the server's DTOs (FolderDto, FileDto, FileShareDto, EmployeeFullDto …).

Field names, casing and enum-as-integer encoding follow the server's JSON options; null fields
are left out (``WhenWritingNull``). Call with the backend lock held.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from . import rules as r
from .backend import Backend
from .entry_security import file_flags, folder_flags
from .model import File, Folder, Link, Operation, User

_FILE_TYPES = {
    ".pdf": 10,
    ".docx": 7,
    ".doc": 7,
    ".odt": 7,
    ".txt": 7,
    ".rtf": 7,
    ".xlsx": 5,
    ".xls": 5,
    ".ods": 5,
    ".csv": 5,
    ".pptx": 6,
    ".ppt": 6,
    ".odp": 6,
    ".png": 4,
    ".jpg": 4,
    ".jpeg": 4,
    ".zip": 1,
}
_ROOM_FOLDER_TYPES = {1: 15, 2: 16, 5: 19, 6: 22, 8: 29, 9: 31}


def employee(backend: Backend, user: User) -> dict[str, Any]:
    """``EmployeeDto`` (the short form used for ``createdBy``)."""
    return {
        "id": user.id,
        "displayName": _display_name(user),
        "avatar": "/static/images/default_user_photo_size_82-82.png",
        "avatarOriginal": "/static/images/default_user_photo_size_200-200.png",
        "avatarMax": "/static/images/default_user_photo_size_200-200.png",
        "avatarMedium": "/static/images/default_user_photo_size_48-48.png",
        "avatarSmall": "/static/images/default_user_photo_size_32-32.png",
        "profileUrl": f"{backend.base_url}/accounts/people/filter?search={quote(user.email, safe='')}",
        "hasAvatar": False,
        "isAnonim": False,
    }


def _display_name(user: User) -> str:
    name = f"{user.first_name} {user.last_name}".strip()
    return name or user.email


def employee_full(backend: Backend, user: User) -> dict[str, Any]:
    """``EmployeeFullDto``."""
    owner = backend.user(backend.state.owner_id)
    dto = employee(backend, user)
    dto.update(
        {
            "firstName": user.first_name,
            "lastName": user.last_name,
            "userName": user.email.split("@", 1)[0],
            "email": user.email,
            "status": user.status,
            "activationStatus": user.activation_status,
            "department": "",
            "groups": [],
            "isAdmin": user.kind == "admin",
            "isRoomAdmin": user.kind == "roomadmin",
            "isLDAP": False,
            "listAdminModules": [],
            "isOwner": user.kind == "owner",
            "isVisitor": user.kind == "guest",
            "isCollaborator": user.kind == "user",
            "cultureName": "en-US",
            "mobilePhoneActivationStatus": 0,
            "isSSO": False,
            "registrationDate": user.created,
            "hasPersonalFolder": user.kind != "guest",
            "tfaAppEnabled": False,
        }
    )
    if user.kind == "guest" and owner is not None:
        dto["createdBy"] = employee(backend, backend.user(user.invited_by or owner.id) or owner)
    return dto


def folder(backend: Backend, entry: Folder) -> dict[str, Any]:
    """``FolderDto<int>`` for a room, a folder or a section folder."""
    folders_count, files_count = backend.child_counts(entry.id)
    creator = backend.user(entry.created_by)
    dto: dict[str, Any] = {
        "parentId": entry.parent_id if entry.parent_id is not None else 0,
        "filesCount": files_count,
        "foldersCount": folders_count,
        "new": 0,
        "mute": False,
        "pinned": False,
        "private": False,
        "indexing": False,
        "denyDownload": False,
        "inRoom": True,
        "id": entry.id,
        "rootFolderId": backend.root_folder_id(entry),
        "canShare": True,
        "security": folder_flags(backend, entry),
        "title": entry.title,
        "access": 0,
        "shared": False,
        "created": entry.created,
        "updated": entry.updated,
        "rootFolderType": backend.root_folder_type(entry),
        "fileEntryType": 1,
    }
    if creator is not None:
        dto["createdBy"] = employee(backend, creator)
        dto["updatedBy"] = employee(backend, creator)
    if entry.system is not None:
        dto["type"] = {"my": 5, "rooms": 14, "archive": 20, "templates": r.FT_ROOM_TEMPLATES}[entry.system]
    elif entry.room_type is None:
        dto["type"] = 0
    if entry.room_type is not None:
        accesses = r.ROOM_ACCESSES[entry.room_type]
        dto.update(
            {
                "roomType": entry.room_type,
                "type": _ROOM_FOLDER_TYPES[entry.room_type],
                "tags": list(entry.tags),
                "logo": {"original": "", "large": "", "medium": "", "small": "", "color": "5299E0"},
                "canShare": entry.room_type not in (r.COLLAB, r.VDR),
                "shared": any(x.subject != r.SUBJ_INVITATION for x in entry.links),
                "availableShareRights": {
                    r.SUBJECT_NAMES[subject]: [
                        r.FILE_SHARE_BY_VALUE[a] for a in sorted(allowed, key=_access_order) if a != r.NONE
                    ]
                    + ["None"]
                    for subject, allowed in sorted(accesses.items())
                },
            }
        )
        limits = r.LINK_LIMITS.get(entry.room_type)
        if limits:
            dto["shareSettings"] = {r.SUBJECT_NAMES[k]: v for k, v in limits.items()}
    return dto


def _access_order(access: int) -> int:
    order = [r.ROOM_MANAGER, r.CONTENT_CREATOR, r.EDITING, r.FILL_FORMS, r.REVIEW, r.COMMENT, r.READ]
    return order.index(access) if access in order else len(order)


def file(backend: Backend, entry: File) -> dict[str, Any]:
    """``FileDto<int>``."""
    parent = backend.state.folders.get(entry.folder_id)
    creator = backend.user(entry.created_by)
    dot = entry.title.rfind(".")
    ext = entry.title[dot:].lower() if dot > 0 else ""
    dto: dict[str, Any] = {
        "folderId": entry.folder_id,
        "version": 1,
        "versionGroup": 1,
        "contentLength": _human_size(entry.size),
        "pureContentLength": entry.size,
        "fileStatus": 0,
        "mute": False,
        "viewUrl": f"{backend.base_url}/filehandler.ashx?action=download&fileid={entry.id}",
        "webUrl": f"{backend.base_url}/doceditor?fileid={entry.id}&version=1",
        "fileType": _FILE_TYPES.get(ext, 0),
        "fileExst": ext,
        "comment": "Created",
        "thumbnailStatus": 3,
        "locked": False,
        "hasDraft": False,
        "isForm": entry.is_form,
        "customFilterEnabled": False,
        "id": entry.id,
        "rootFolderId": backend.root_folder_id(parent) if parent else 0,
        "canShare": True,
        "security": file_flags(backend, entry),
        "title": entry.title,
        "access": 0,
        "shared": False,
        "created": entry.created,
        "updated": entry.created,
        "rootFolderType": backend.root_folder_type(parent) if parent else r.FT_USER,
        "fileEntryType": 2,
    }
    if creator is not None:
        dto["createdBy"] = employee(backend, creator)
        dto["updatedBy"] = employee(backend, creator)
    return dto


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover


def folder_content(
    backend: Backend, current: Folder, folders: list[Folder], files: list[File], start: int, total: int
) -> dict[str, Any]:
    """``FolderContentDto<int>``; paging lives here, not in the envelope."""
    return {
        "files": [file(backend, f) for f in files],
        "folders": [folder(backend, f) for f in folders],
        "current": folder(backend, current),
        "pathParts": [{"id": f.id, "title": f.title} for f in backend.path(current)],
        "startIndex": start,
        "count": len(files) + len(folders),
        "total": total,
        "new": 0,
    }


def member(
    backend: Backend, user: User, access: int, is_owner: bool, default: bool = False
) -> dict[str, Any]:
    """``FileShareDto`` for a user ACE (``sharedTo`` is the deprecated duplicate).

    ``default`` is the owner's row from ``FileSharing.GetDefaultAcesAsync`` (``isLocked`` and
    ``canEditAccess`` false); a stored ACE (``ToAceAsync``) is locked for the caller's own
    account (``LockedRights``), which may not edit its own access either."""
    full = employee_full(backend, user)
    locked = not default and backend.viewer is not None and backend.viewer.id == user.id
    return {
        "access": access,
        "sharedTo": full,
        "sharedToUser": full,
        "isLocked": locked,
        "isOwner": is_owner,
        "canEditAccess": not default and not locked,
        "canEditInternal": False,
        "canEditDenyDownload": False,
        "canEditExpirationDate": False,
        "canRevoke": False,
        "subjectType": r.SUBJ_USER,
    }


def group_member(backend: Backend, gid: str, name: str, access: int) -> dict[str, Any]:
    """``FileShareDto`` for a group ACE: ``sharedToGroup`` is a ``GroupSummaryDto`` (``id``,
    ``name``; ``manager`` and ``isSystem`` omitted, as for a group without a manager)."""
    group = {"id": gid, "name": name}
    return {
        "access": access,
        "sharedTo": group,
        "sharedToGroup": group,
        "isLocked": False,
        "isOwner": False,
        "canEditAccess": True,
        "canEditInternal": False,
        "canEditDenyDownload": False,
        "canEditExpirationDate": False,
        "canRevoke": False,
        "subjectType": r.SUBJ_GROUP,
    }


def link(backend: Backend, entry: Link) -> dict[str, Any]:
    """``FileShareDto`` for a link ACE."""
    shared: dict[str, Any] = {
        "id": entry.id,
        "title": entry.title,
        "shareLink": backend.share_link_url(entry),
        "linkType": 0 if entry.subject == r.SUBJ_INVITATION else 1,
        "denyDownload": entry.deny_download,
        "isExpired": _expired(entry.expiration, backend),
        "primary": entry.subject == r.SUBJ_PRIMARY,
        "internal": entry.internal,
    }
    if entry.expiration:
        shared["expirationDate"] = entry.expiration
    if entry.password:
        shared["password"] = entry.password
    if entry.request_token:
        shared["requestToken"] = entry.request_token
    if entry.subject == r.SUBJ_INVITATION:
        if entry.max_use_count is not None:
            shared["maxUseCount"] = entry.max_use_count
        shared["currentUseCount"] = entry.current_use_count
    external = entry.subject != r.SUBJ_INVITATION
    return {
        "access": entry.access,
        "sharedTo": shared,
        "sharedLink": shared,
        "isLocked": False,
        "isOwner": False,
        "canEditAccess": True,
        "canEditInternal": external,
        "canEditDenyDownload": external,
        "canEditExpirationDate": entry.subject != r.SUBJ_PRIMARY,
        "canRevoke": entry.subject == r.SUBJ_PRIMARY,
        "subjectType": entry.subject,
    }


def operation(backend: Backend, entry: Operation) -> dict[str, Any]:
    """``FileOperationDto`` (note the capital-O ``Operation`` key).

    A Delete has no result entries, so ``files``/``folders`` are left out (null); a Move or Copy
    lists what it placed once finished (an archived room's ``FolderDto``), empty lists before that.
    """
    dto: dict[str, Any] = {
        "id": entry.id,
        "Operation": entry.kind,
        "progress": 100 if entry.finished else 0,
        "error": entry.error,
        "processed": "1" if entry.finished else "0",
        "finished": entry.finished,
    }
    if entry.kind != 2:
        folders = [backend.folder(i) for i in entry.result_folders]
        files = [backend.state.files.get(i) for i in entry.result_files]
        dto["files"] = [file(backend, f) for f in files if f is not None]
        dto["folders"] = [folder(backend, f) for f in folders if f is not None]
    # DistributedTaskStatus: 1 Running, 2 Completed, 3 Canceled, 4 Failed.
    dto["status"] = (3 if entry.canceled else 4 if entry.error else 2) if entry.finished else 1
    return dto


def _expired(expiration: str | None, backend: Backend) -> bool:
    """``FileShareLink.IsExpired``: the expiration date has passed."""
    if not expiration:
        return False
    return expiration[:19] < backend.now_text()[:19]  # both are UTC 'yyyy-MM-ddTHH:mm:ss…' strings
